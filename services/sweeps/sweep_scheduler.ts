// Picks due subnets on each tick (interval + jitter), leases them in KV and runs them within a cap.
import type { StateKey, StateStore } from "@/services/store/mod.ts";
import { log } from "@/services/logger.ts";
import {
  acquireLease,
  createLeasedWork,
  type Lease,
  leaseKey,
  releaseLease,
  serialTicks,
} from "@/services/jobs/mod.ts";
import type { SweepSubnet } from "@/services/ipam/mod.ts";
import { inScope, type ScanScope, WIDEN_HINT } from "./scan_scope.ts";

/** Per-subnet schedule in KV, shared by every instance: when the next sweep is due. */
export interface ScheduleEntry {
  next_due: number;
  last_started: number;
  interval_s: number;
}

/** Work that runs every `everyMs` on one instance at a time (the history roll-up). */
export interface PeriodicJob {
  name: string;
  everyMs: number;
  run(signal: AbortSignal): Promise<unknown>;
}

export interface SchedulerOptions {
  kv: StateStore;
  /** Scan-enabled subnets, read on every tick (so edits apply without a restart). */
  listSubnets(): Promise<SweepSubnet[]>;
  /** Sweeps one subnet; the scheduler holds its lease meanwhile. */
  runSubnet(subnet: SweepSubnet, signal: AbortSignal): Promise<unknown>;
  /**
   * The scan scope, read on every tick: subnets outside it are skipped (and logged once until
   * they are back in scope), never swept.
   */
  scope(): Promise<ScanScope>;
  /** Clock in ms since the epoch; tests move it instead of sleeping. */
  now(): number;
  /** Uniform [0, 1); injectable so jitter is testable. */
  random?: () => number;
  /** ±fraction of the interval (SCAN_JITTER): 0.1 spreads sweeps over ±10 %. */
  jitter: number;
  /** No subnet is swept more often than this (SCAN_ICMP_INTERVAL_SECONDS). */
  minIntervalS: number;
  /** Names this process in leases. */
  instance: string;
  /** Subnet sweeps running at once on this instance (default 4); probes are capped separately. */
  maxConcurrent?: number;
  /** Lease time, renewed every third of it while a sweep runs (default 5 minutes). */
  leaseTtlMs?: number;
  jobs?: PeriodicJob[];
}

export interface TickReport {
  due: number[];
  started: number[];
  skipped: Array<{ id: number; reason: "capacity" | "leased" | "not_due" | "out_of_scope" }>;
  jobs: string[];
}

export interface Scheduler {
  /** Looks for due work and starts it; does not wait for sweeps to finish. Ticks never overlap. */
  tick(): Promise<TickReport>;
  /** Resolves when every sweep and job started so far has finished. */
  idle(): Promise<void>;
  /** Stops ticking, aborts running sweeps and waits for them to record and release their leases. */
  stop(): Promise<void>;
  /** Subnet ids sweeping on this instance now. */
  running(): number[];
}

export const scheduleKey = (subnetId: number): StateKey => ["sweep_schedule", subnetId];
const jobKey = (name: string): StateKey => ["job_last", name];

/** The subnet's own interval, never below the global floor. */
export function effectiveIntervalS(subnet: Pick<SweepSubnet, "scan_interval_s">, minS: number) {
  return Math.max(subnet.scan_interval_s, minS);
}

/** When the sweep after one started at `startedAt` is due: interval ± jitter. */
export function nextDue(startedAt: number, intervalS: number, jitter: number, random: number) {
  return Math.round(startedAt + intervalS * 1000 * (1 + jitter * (2 * random - 1)));
}

/** When a subnet is due, given its stored schedule (an interval edit applies at once). */
export function dueAt(entry: ScheduleEntry | null, intervalS: number): number {
  if (!entry) return 0;
  if (entry.interval_s !== intervalS) {
    return Math.min(entry.next_due, entry.last_started + intervalS * 1000);
  }
  return entry.next_due;
}

export function createScheduler(opts: SchedulerOptions): Scheduler {
  const random = opts.random ?? Math.random;
  const maxConcurrent = opts.maxConcurrent ?? 4;
  const leaseTtlMs = opts.leaseTtlMs ?? 5 * 60_000;
  const leased = { kv: opts.kv, ttlMs: leaseTtlMs, now: () => opts.now(), warnOnLost: true };
  const inFlight = createLeasedWork<number>(leased);
  const jobsInFlight = createLeasedWork<string>(leased);
  /** Out-of-scope subnets already logged ("id cidr"), so a skip is logged once, not per tick. */
  const loggedOutOfScope = new Set<string>();

  const startSubnet = (subnet: SweepSubnet, lease: Lease) =>
    inFlight.start(
      subnet.id,
      [lease],
      (signal) => opts.runSubnet(subnet, signal),
      (err) => log.warn("scheduled sweep failed", { subnet: subnet.cidr, error: String(err) }),
    );

  const runJobs = async (t: number): Promise<string[]> => {
    const started: string[] = [];
    for (const job of opts.jobs ?? []) {
      if (jobsInFlight.has(job.name)) continue;
      const last = (await opts.kv.get<{ at: number }>(jobKey(job.name))).value;
      if (last && t - last.at < job.everyMs) continue;
      const lease = await acquireLease(
        opts.kv,
        leaseKey("job", job.name),
        opts.instance,
        leaseTtlMs,
        t,
      );
      if (!lease) continue;
      await opts.kv.set(jobKey(job.name), { at: t });
      jobsInFlight.start(
        job.name,
        [lease],
        (signal) => job.run(signal),
        (err) => log.warn("periodic job failed", { job: job.name, error: String(err) }),
      );
      started.push(job.name);
    }
    return started;
  };

  const doTick = async (): Promise<TickReport> => {
    const report: TickReport = { due: [], started: [], skipped: [], jobs: [] };
    if (inFlight.signal.aborted) return report;
    const t = opts.now();
    report.jobs = await runJobs(t);

    const [listed, scope] = await Promise.all([opts.listSubnets(), opts.scope()]);
    const subnets: SweepSubnet[] = [];
    const stillOut = new Set<string>();
    for (const s of listed) {
      if (inScope(s.cidr, scope)) {
        subnets.push(s);
        continue;
      }
      report.skipped.push({ id: s.id, reason: "out_of_scope" });
      const key = `${s.id} ${s.cidr}`;
      stillOut.add(key);
      if (!loggedOutOfScope.has(key)) {
        log.warn("skipping a scan-enabled subnet outside the scan scope", {
          subnet: s.cidr,
          subnet_id: s.id,
          hint: `to sweep it, ${WIDEN_HINT}`,
        });
      }
    }
    loggedOutOfScope.clear();
    for (const key of stillOut) loggedOutOfScope.add(key);
    const schedules = new Map<number, ScheduleEntry | null>();
    for (let i = 0; i < subnets.length; i += 10) {
      const chunk = subnets.slice(i, i + 10);
      const entries = await opts.kv.getMany<ScheduleEntry>(chunk.map((s) => scheduleKey(s.id)));
      chunk.forEach((s, j) => schedules.set(s.id, entries[j].value));
    }
    const due = subnets
      .map((s) => ({
        s,
        at: dueAt(schedules.get(s.id) ?? null, effectiveIntervalS(s, opts.minIntervalS)),
      }))
      .filter(({ s, at }) => at <= t && !inFlight.has(s.id))
      .sort((a, b) => a.at - b.at || a.s.id - b.s.id);
    report.due = due.map(({ s }) => s.id);

    for (const { s } of due) {
      if (inFlight.signal.aborted) break;
      if (inFlight.size >= maxConcurrent) {
        report.skipped.push({ id: s.id, reason: "capacity" });
        continue;
      }
      const lease = await acquireLease(
        opts.kv,
        leaseKey("sweep", s.id),
        opts.instance,
        leaseTtlMs,
        t,
      );
      if (!lease) {
        report.skipped.push({ id: s.id, reason: "leased" });
        continue;
      }
      // Another instance may have swept it between our read and our lease: check again under it.
      const interval = effectiveIntervalS(s, opts.minIntervalS);
      const fresh = (await opts.kv.get<ScheduleEntry>(scheduleKey(s.id))).value;
      if (dueAt(fresh, interval) > t) {
        await releaseLease(opts.kv, lease);
        report.skipped.push({ id: s.id, reason: "not_due" });
        continue;
      }
      // The next sweep is timed from this start, so a slow sweep does not push the schedule back.
      const entry: ScheduleEntry = {
        next_due: nextDue(t, interval, opts.jitter, random()),
        last_started: t,
        interval_s: interval,
      };
      await opts.kv.set(scheduleKey(s.id), entry);
      startSubnet(s, lease);
      report.started.push(s.id);
    }
    return report;
  };

  const tick = serialTicks(doTick);
  let ticking: Promise<TickReport> | null = null;
  return {
    tick() {
      ticking = tick();
      return ticking;
    },
    async idle() {
      while (inFlight.size > 0 || jobsInFlight.size > 0) {
        await Promise.all([inFlight.idle(), jobsInFlight.idle()]);
      }
    },
    async stop() {
      inFlight.abort("scheduler stopping");
      jobsInFlight.abort("scheduler stopping");
      await ticking?.catch(() => {});
      await this.idle();
    },
    running: () => inFlight.keys(),
  };
}
