// The cluster's sweep scheduler: while it holds the scheduler lease, it publishes one job per due
// subnet to that subnet's site. The schedule lives in the shared state store (NATS KV) and each
// step is a compare-and-set, so even two schedulers that both think they lead never issue one
// interval twice.
import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import { log } from "@/services/logger.ts";
import type { SweepSubnet } from "@/services/ipam/mod.ts";
import {
  dueAt,
  effectiveIntervalS,
  inScope,
  nextDue,
  type ScanScope,
  type ScheduleEntry,
  scheduleKey,
} from "@/services/sweeps/mod.ts";
import type { StateKey, StateStore } from "@/services/store/mod.ts";
import type { HeldLease, LeaseStore } from "./state_leases.ts";
import type { SweepJob } from "./job_messages.ts";
import { ensureJobStream, jobSubject } from "./subjects.ts";
import type { PeriodicJob } from "@/services/sweeps/mod.ts";

export const SCHEDULER_LEASE = "scheduler";

export interface ClusterSchedulerOptions {
  js: JetStreamClient;
  jsm: JetStreamManager;
  leases: LeaseStore;
  /** The shared state store: the schedule (["sweep_schedule", id]) and job marks live here. */
  state: StateStore;
  listSubnets(): Promise<SweepSubnet[]>;
  scope(): Promise<ScanScope>;
  /** Child subnets with scanning off and known hosts of a subnet, for the scanner's plan. */
  planInputs(subnet: SweepSubnet): Promise<{ exclude: string[]; known: string[] }>;
  now(): number;
  random?: () => number;
  jitter: number;
  minIntervalS: number;
  maxSweepPrefix: number;
  instance: string;
  replicas: number;
  /** Work the leader runs every `everyMs` (the history roll-up). */
  /** Periodic jobs only the leader runs; their signal aborts when the scheduler stops. */
  jobs?: PeriodicJob[];
}

export interface ClusterTickReport {
  leader: boolean;
  published: SweepJob[];
  jobs: string[];
}

export interface ClusterScheduler {
  /** Takes or renews the lease; true while this process leads. */
  keepLease(): Promise<boolean>;
  /** Publishes due jobs if leading. Ticks never overlap. */
  tick(): Promise<ClusterTickReport>;
  isLeader(): boolean;
  /** Gives the lease back (a clean stop hands over at once, not after the TTL). */
  stop(): Promise<void>;
}

/** The same marks the single-box scheduler keeps (sweeps/sweep_scheduler.ts). */
const jobKey = (name: string): StateKey => ["job_last", name];

export function createClusterScheduler(opts: ClusterSchedulerOptions): ClusterScheduler {
  const random = opts.random ?? Math.random;
  let lease: HeldLease | null = null;
  const streamsReady = new Set<string>();
  let running: Promise<ClusterTickReport> | null = null;
  const stopping = new AbortController();

  /** Writes `value` at `key` only if it is still at `version`; false if another wrote first. */
  const casPut = async (key: StateKey, value: unknown, version: string | null) =>
    (await opts.state.compareAndSet(key, version, value)).ok;

  const keepLease = async () => {
    const t = opts.now();
    const had = lease !== null;
    lease = lease
      ? await opts.leases.renew(lease, t)
      : await opts.leases.acquire(SCHEDULER_LEASE, opts.instance, t);
    if (had && !lease) log.warn("lost the scheduler lease; another scheduler leads now");
    if (!had && lease) log.info("took the scheduler lease", { instance: opts.instance });
    return lease !== null;
  };

  const runJobs = async (t: number): Promise<string[]> => {
    const started: string[] = [];
    for (const job of opts.jobs ?? []) {
      const entry = await opts.state.get<{ at: number }>(jobKey(job.name));
      if (entry.value && t - entry.value.at < job.everyMs) continue;
      if (!await casPut(jobKey(job.name), { at: t }, entry.versionstamp)) continue;
      job.run(stopping.signal).catch((err) =>
        log.warn("periodic job failed", { job: job.name, error: String(err) })
      );
      started.push(job.name);
    }
    return started;
  };

  const doTick = async (): Promise<ClusterTickReport> => {
    const report: ClusterTickReport = { leader: lease !== null, published: [], jobs: [] };
    if (!lease) return report;
    const t = opts.now();
    report.jobs = await runJobs(t);
    const [subnets, scope] = await Promise.all([opts.listSubnets(), opts.scope()]);
    for (const s of subnets) {
      if (!lease) break; // lost meanwhile: the new leader carries on
      if (!inScope(s.cidr, scope)) continue;
      const interval = effectiveIntervalS(s, opts.minIntervalS);
      const entry = await opts.state.get<ScheduleEntry>(scheduleKey(s.id));
      if (dueAt(entry.value, interval) > t) continue;
      const next: ScheduleEntry = {
        next_due: nextDue(t, interval, opts.jitter, random()),
        last_started: t,
        interval_s: interval,
      };
      // The interval is claimed before the job exists: a racing scheduler's claim fails here.
      if (!await casPut(scheduleKey(s.id), next, entry.versionstamp)) continue;
      const { exclude, known } = await opts.planInputs(s);
      const job: SweepJob = {
        job_id: `${s.id}-${t}`,
        site: s.site,
        subnet_id: s.id,
        cidr: s.cidr,
        interval_s: interval,
        issued_at: t,
        exclude,
        known,
        max_sweep_prefix: opts.maxSweepPrefix,
      };
      try {
        if (!streamsReady.has(s.site)) {
          await ensureJobStream(opts.jsm, s.site, opts.replicas);
          streamsReady.add(s.site);
        }
        await opts.js.publish(jobSubject(s.site), JSON.stringify(job), { msgID: job.job_id });
        report.published.push(job);
      } catch (err) {
        // The site's scanners fall back to their own schedule when no job comes.
        log.warn("publishing a sweep job failed", { subnet: s.cidr, error: String(err) });
      }
    }
    return report;
  };

  return {
    keepLease,
    tick() {
      running ??= doTick().finally(() => (running = null));
      return running;
    },
    isLeader: () => lease !== null,
    async stop() {
      stopping.abort();
      await running?.catch(() => {});
      if (lease) await opts.leases.release(lease);
      lease = null;
    },
  };
}
