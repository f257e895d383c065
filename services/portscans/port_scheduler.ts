// Picks alive hosts whose last port scan is older than the interval (± jitter) on each tick,
// leases them in KV, and runs them in nmap batches within NMAP_MAX_CONCURRENT.
import type { StateStore } from "@/services/store/mod.ts";
import { log } from "@/services/logger.ts";
import {
  acquireLease,
  createLeasedWork,
  type Lease,
  releaseLease,
  serialTicks,
} from "@/services/jobs/mod.ts";
import { PORTSCAN_LEASE_TTL_MS, portscanLeaseKey } from "./port_requests.ts";
import type { ScanTarget } from "./portscan_service.ts";

export interface PortSchedulerOptions {
  kv: StateStore;
  /** Clock in ms since the epoch; tests move it instead of sleeping. */
  now(): number;
  /** Names this process in leases. */
  instance: string;
  /** SCAN_NMAP_INTERVAL_MINUTES in ms. */
  intervalMs: number;
  /** ± fraction of the interval (SCAN_JITTER). */
  jitter: number;
  /** Batches (nmap runs) in flight at once on this instance (NMAP_MAX_CONCURRENT). */
  maxConcurrent: number;
  /** Hosts per batch. */
  batchSize: number;
  leaseTtlMs?: number;
  /** Hosts whose live state is up, read on every tick. */
  listAliveHosts(): Promise<ScanTarget[]>;
  /** When each host was last port-scanned (any outcome); never-scanned hosts are absent. */
  lastScans(hostIds: number[]): Promise<Map<number, number>>;
  /** Scans one batch; the scheduler holds every host's lease meanwhile. */
  runBatch(hosts: ScanTarget[], signal: AbortSignal): Promise<unknown>;
}

export interface PortTickReport {
  /** Hosts due, most overdue first. */
  due: number[];
  /** Host ids of each batch started. */
  started: number[][];
  skipped: Array<{ id: number; reason: "capacity" | "leased" | "not_due" }>;
}

export interface PortScheduler {
  /** Starts due batches; does not wait for them. Ticks never overlap. */
  tick(): Promise<PortTickReport>;
  /** Resolves when every batch started so far has finished. */
  idle(): Promise<void>;
  /** Stops ticking, aborts running batches and waits for them to record and release leases. */
  stop(): Promise<void>;
  /** Host ids being scanned on this instance now. */
  running(): number[];
}

/**
 * A stable number in [0, 1) per host and scan: the same on every tick and every instance, so the
 * jitter spreads hosts without re-rolling (re-rolling each minute would scan early on average).
 */
export function jitterFraction(hostId: number, lastMs: number): number {
  // FNV-1a over the decimal text; good enough to spread, no cryptographic need.
  let h = 0x811c9dc5;
  for (const ch of `${hostId}:${lastMs}`) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) / 0x1_0000_0000;
}

/** When a host's next port scan is due: never scanned → now; else last + interval ± jitter. */
export function portScanDueAt(
  hostId: number,
  lastMs: number | undefined,
  intervalMs: number,
  jitter: number,
): number {
  if (lastMs === undefined) return 0;
  const f = jitterFraction(hostId, lastMs);
  return Math.round(lastMs + intervalMs * (1 + jitter * (2 * f - 1)));
}

export function createPortScheduler(opts: PortSchedulerOptions): PortScheduler {
  const leaseTtlMs = opts.leaseTtlMs ?? PORTSCAN_LEASE_TTL_MS;
  const batchSize = Math.max(1, Math.floor(opts.batchSize));
  const maxConcurrent = Math.max(1, Math.floor(opts.maxConcurrent));
  /** Running batches by sequence number, and the host ids of each. */
  const inFlight = createLeasedWork<number>({
    kv: opts.kv,
    ttlMs: leaseTtlMs,
    now: () => opts.now(),
  });
  const batchHosts = new Map<number, number[]>();
  let seq = 0;

  // A batch's hosts count as running until its leases are released (it leaves inFlight).
  const runningIds = () => {
    for (const n of batchHosts.keys()) if (!inFlight.has(n)) batchHosts.delete(n);
    return new Set([...batchHosts.values()].flat());
  };

  const startBatch = (hosts: ScanTarget[], leases: Lease[]) => {
    const n = ++seq;
    batchHosts.set(n, hosts.map((h) => h.id));
    inFlight.start(
      n,
      leases,
      (signal) => opts.runBatch(hosts, signal),
      (err) =>
        log.warn("scheduled port scan failed", {
          hosts: hosts.map((h) => h.ip).slice(0, 5),
          error: String(err),
        }),
    );
  };

  const doTick = async (): Promise<PortTickReport> => {
    const report: PortTickReport = { due: [], started: [], skipped: [] };
    if (inFlight.signal.aborted) return report;
    const t = opts.now();
    const busy = runningIds();
    const alive = (await opts.listAliveHosts()).filter((h) => !busy.has(h.id));
    const last = await opts.lastScans(alive.map((h) => h.id));
    const due = alive
      .map((h) => ({ h, at: portScanDueAt(h.id, last.get(h.id), opts.intervalMs, opts.jitter) }))
      .filter(({ at }) => at <= t)
      .sort((a, b) => a.at - b.at || a.h.id - b.h.id);
    report.due = due.map(({ h }) => h.id);

    const freeBatches = maxConcurrent - inFlight.size;
    const room = Math.max(0, freeBatches) * batchSize;
    const picked: Array<{ h: ScanTarget; lease: Lease }> = [];
    for (const { h } of due) {
      if (inFlight.signal.aborted) break;
      if (picked.length >= room) {
        report.skipped.push({ id: h.id, reason: "capacity" });
        continue;
      }
      const lease = await acquireLease(
        opts.kv,
        portscanLeaseKey(h.id),
        opts.instance,
        leaseTtlMs,
        t,
      );
      if (!lease) report.skipped.push({ id: h.id, reason: "leased" });
      else picked.push({ h, lease });
    }
    if (picked.length === 0) return report;

    // Another instance may have scanned some between our read and our lease: check under it.
    const fresh = await opts.lastScans(picked.map((p) => p.h.id));
    const ready: typeof picked = [];
    for (const p of picked) {
      if (portScanDueAt(p.h.id, fresh.get(p.h.id), opts.intervalMs, opts.jitter) > t) {
        await releaseLease(opts.kv, p.lease);
        report.skipped.push({ id: p.h.id, reason: "not_due" });
      } else ready.push(p);
    }
    for (let i = 0; i < ready.length; i += batchSize) {
      const batch = ready.slice(i, i + batchSize);
      startBatch(batch.map((b) => b.h), batch.map((b) => b.lease));
      report.started.push(batch.map((b) => b.h.id));
    }
    return report;
  };

  const tick = serialTicks(doTick);
  let ticking: Promise<PortTickReport> | null = null;
  return {
    tick() {
      ticking = tick();
      return ticking;
    },
    idle: () => inFlight.idle(),
    async stop() {
      inFlight.abort("port scheduler stopping");
      await ticking?.catch(() => {});
      await inFlight.idle();
    },
    running: () => [...runningIds()],
  };
}
