// Keeps KV leases while scheduled work runs: renews them every third of their TTL, gives them back
// when the work ends. One policy for the schedulers, their periodic jobs, and manual sweeps/scans.
import type { StateKey, StateStore } from "@/services/store/mod.ts";
import { acquireLease, type Lease, releaseLease, renewLease } from "./lease.ts";

export interface KeepLeaseOptions {
  kv: StateStore;
  ttlMs: number;
  /** Clock in ms since the epoch. */
  now(): number;
  /** Told once per lease that another owner took it (it expired while the work ran). */
  onLost?: (lease: Lease) => void;
}

/** Starts renewing `leases`; the function returned stops renewing and releases those still ours. */
export function keepLeases(
  leases: readonly Lease[],
  opts: KeepLeaseOptions,
): () => Promise<void> {
  let current: Array<Lease | null> = [...leases];
  const timer = setInterval(async () => {
    try {
      current = await Promise.all(current.map(async (lease, i) => {
        if (!lease) return null;
        const renewed = await renewLease(opts.kv, lease, opts.ttlMs, opts.now());
        if (!renewed) opts.onLost?.(leases[i]);
        return renewed;
      }));
    } catch { /* KV closed during shutdown: the leases simply expire */ }
  }, Math.max(1000, opts.ttlMs / 3));
  return async () => {
    clearInterval(timer);
    for (const lease of current) if (lease) await releaseLease(opts.kv, lease).catch(() => {});
  };
}

export interface WithLeaseOptions {
  kv: StateStore;
  key: StateKey;
  /** Names this process (instance id). */
  owner: string;
  ttlMs: number;
  now(): number;
  /** How long to wait while another owner holds it; 0 gives up at once. */
  waitMs: number;
  /** Pause between attempts while waiting. */
  pollMs: number;
  /** The error thrown when the wait ends without the lease (a 409 for the user). */
  busy(): Error;
}

/**
 * Runs `fn` holding the lease `key`: waits (bounded) while another owner holds it, renews it while
 * `fn` runs and gives it back afterwards. The one lease loop of manual sweeps, scans and roll-ups.
 */
export async function withLease<T>(opts: WithLeaseOptions, fn: () => Promise<T>): Promise<T> {
  const { kv, key, owner, ttlMs } = opts;
  const deadline = Date.now() + opts.waitMs;
  let lease = await acquireLease(kv, key, owner, ttlMs, opts.now());
  while (!lease) {
    if (Date.now() >= deadline) throw opts.busy();
    await new Promise((r) => setTimeout(r, opts.pollMs));
    lease = await acquireLease(kv, key, owner, ttlMs, opts.now());
  }
  const release = keepLeases([lease], { kv, ttlMs, now: opts.now });
  try {
    return await fn();
  } finally {
    await release();
  }
}
