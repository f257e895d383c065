// Keeps KV leases while scheduled work runs: renews them every third of their TTL, gives them back
// when the work ends. One policy for the sweep scheduler, its periodic jobs and port-scan batches.
import { type Lease, releaseLease, renewLease } from "./lease.ts";

export interface KeepLeaseOptions {
  kv: Deno.Kv;
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
