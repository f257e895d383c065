// The known-host cycle: every SCAN_ICMP_INTERVAL_SECONDS the inventoried hosts of scanned subnets
// are pinged between full sweeps, so a known host is checked more often than its subnet is swept.
import type { StateKey, StateStore } from "@/services/store/mod.ts";
import { log } from "@/services/logger.ts";
import { acquireLease, keepLeases, leaseHolder, leaseKey } from "@/services/jobs/mod.ts";
import type { KnownHost, ScannedHost, SweepSubnet } from "@/services/ipam/mod.ts";
import { inScope, parseScanScope, type ScanScope } from "./scan_scope.ts";
import { dueAt, effectiveIntervalS, type ScheduleEntry, scheduleKey } from "./sweep_scheduler.ts";
import type { HostCheckOutcome } from "./sweep_service.ts";

export interface KnownHostCycleOptions {
  kv: StateStore;
  /** Hosts whose most specific subnet has scanning on (read each cycle: edits apply at once). */
  listHosts(): Promise<ScannedHost[]>;
  /** Scan-enabled subnets: a host inside one whose full sweep is running is left to that sweep. */
  listSubnets(): Promise<SweepSubnet[]>;
  scope(): Promise<ScanScope>;
  /** Pings the hosts and stores their verdicts as a sweep does (sweeps/checkKnownHosts). */
  check(hosts: KnownHost[], signal: AbortSignal): Promise<HostCheckOutcome>;
  /** Clock in ms since the epoch. */
  now(): number;
  /** The cycle's period (SCAN_ICMP_INTERVAL_SECONDS). */
  everyS: number;
  /** The sweeps' floor, to read their schedule as the scheduler does (SCAN_ICMP_INTERVAL_SECONDS). */
  minIntervalS: number;
  /** Names this process in the cycle's lease. */
  instance: string;
  /** Only hosts of subnets at this site (scaled out: the scheduler pings its own site); all if unset. */
  site?: string;
  /** Lease time, renewed while a check runs (default 5 minutes). */
  leaseTtlMs?: number;
}

/** The last check of known hosts, shown on the scanner page. */
export interface KnownHostCheck {
  started_at: number;
  finished_at: number;
  every_s: number;
  /** Hosts pinged by the check. */
  hosts: number;
  /** Hosts left out because a full sweep of their subnet runs now, is due, or just ran. */
  left_to_sweeps: number;
  up: number;
  down: number;
  flips: number;
  status: HostCheckOutcome["status"];
  method: string | null;
  errors: string[];
  instance: string;
}

export interface CycleReport {
  /** Why no check ran: the previous one still runs, another instance ran this one, or stopping. */
  skipped: "still_running" | "recent" | "leased" | "stopped" | null;
  check: KnownHostCheck | null;
}

export interface KnownHostCycle {
  /** Checks the known hosts once, unless the previous check still runs (then it logs and skips). */
  tick(): Promise<CycleReport>;
  /** Aborts a running check and waits for it to store what it has. */
  stop(): Promise<void>;
}

/** When the cycle last started (shared by instances, so one interval is checked once). */
const MARK_KEY: StateKey = ["job_last", "known_hosts"];
export const KNOWN_HOST_CHECK_KEY: StateKey = ["known_host_check", "last"];

/** The last finished check of known hosts (any instance), or null before the first. */
export async function lastKnownHostCheck(kv: StateStore): Promise<KnownHostCheck | null> {
  return (await kv.get<KnownHostCheck>(KNOWN_HOST_CHECK_KEY)).value;
}

/**
 * Subnets whose full sweep covers their hosts at this moment: it holds its lease (running here or
 * on another instance), it is due (the scheduler starts it on this tick), or it started less than
 * a cycle ago (its hosts were just checked; scaled out, a scanner may be sweeping it right now).
 */
export async function busySubnets(
  kv: StateStore,
  subnets: readonly SweepSubnet[],
  o: { now: number; everyS: number; minIntervalS: number },
): Promise<SweepSubnet[]> {
  const busy: SweepSubnet[] = [];
  for (let i = 0; i < subnets.length; i += 10) {
    const chunk = subnets.slice(i, i + 10);
    const entries = await kv.getMany<ScheduleEntry>(chunk.map((s) => scheduleKey(s.id)));
    for (const [j, s] of chunk.entries()) {
      const entry = entries[j].value;
      const due = dueAt(entry, effectiveIntervalS(s, o.minIntervalS)) <= o.now;
      const recent = entry !== null && o.now - entry.last_started < o.everyS * 1000;
      if (due || recent || await leaseHolder(kv, leaseKey("sweep", s.id), o.now)) busy.push(s);
    }
  }
  return busy;
}

export function createKnownHostCycle(opts: KnownHostCycleOptions): KnownHostCycle {
  const leaseTtlMs = opts.leaseTtlMs ?? 5 * 60_000;
  const stopper = new AbortController();
  let running: { since: number; done: Promise<CycleReport> } | null = null;

  const run = async (t: number): Promise<CycleReport> => {
    // Timers of two instances drift apart; a tenth of slack keeps either from skipping a period.
    const mark = (await opts.kv.get<{ at: number }>(MARK_KEY)).value;
    if (mark && t - mark.at < opts.everyS * 900) return { skipped: "recent", check: null };
    const lease = await acquireLease(
      opts.kv,
      leaseKey("job", "known_hosts"),
      opts.instance,
      leaseTtlMs,
      t,
    );
    if (!lease) return { skipped: "leased", check: null };
    const release = keepLeases([lease], { kv: opts.kv, ttlMs: leaseTtlMs, now: opts.now });
    try {
      await opts.kv.set(MARK_KEY, { at: t });
      const [listed, subnets, scope] = await Promise.all([
        opts.listHosts(),
        opts.listSubnets(),
        opts.scope(),
      ]);
      const eligible = listed.filter((h) =>
        (opts.site === undefined || h.site === opts.site) && inScope(h.scan_cidr, scope) &&
        inScope(h.ip, scope)
      );
      const busy = await busySubnets(opts.kv, subnets, {
        now: t,
        everyS: opts.everyS,
        minIntervalS: opts.minIntervalS,
      });
      // A parent's sweep probes its children's hosts too: any busy subnet holding a host counts.
      const swept = parseScanScope(busy.map((s) => s.cidr));
      const hosts = swept.length ? eligible.filter((h) => !inScope(h.ip, swept)) : eligible;
      const outcome = await opts.check(
        hosts.map(({ id, ip, subnet_id, hostname, mac }) => ({ id, ip, subnet_id, hostname, mac })),
        stopper.signal,
      );
      const check: KnownHostCheck = {
        started_at: t,
        finished_at: opts.now(),
        every_s: opts.everyS,
        hosts: outcome.targets,
        left_to_sweeps: eligible.length - hosts.length,
        up: outcome.up,
        down: outcome.down,
        flips: outcome.flips,
        status: outcome.status,
        method: outcome.method,
        errors: outcome.errors.slice(0, 5).map((e) => e.slice(0, 300)),
        instance: opts.instance,
      };
      await opts.kv.set(KNOWN_HOST_CHECK_KEY, check);
      const fields = {
        hosts: check.hosts,
        up: check.up,
        down: check.down,
        left_to_sweeps: check.left_to_sweeps,
        took_ms: check.finished_at - t,
      };
      if (outcome.status === "failed") {
        log.warn("known-host check failed", { ...fields, errors: check.errors });
      } else log.debug("known hosts checked", fields);
      return { skipped: null, check };
    } finally {
      await release();
    }
  };

  return {
    tick() {
      if (stopper.signal.aborted) return Promise.resolve({ skipped: "stopped", check: null });
      const t = opts.now();
      if (running) {
        // Bounded work: never two checks at once; this period is simply left out.
        log.warn("known-host check skipped: the previous one still runs", {
          every_s: opts.everyS,
          running_for_s: Math.round((t - running.since) / 1000),
          hint: "many known hosts or slow probes; raise SCAN_ICMP_INTERVAL_SECONDS",
        });
        return Promise.resolve({ skipped: "still_running", check: null });
      }
      const done = run(t).finally(() => (running = null));
      running = { since: t, done };
      return done;
    },
    async stop() {
      stopper.abort(new Error("known-host cycle stopping"));
      await running?.done.catch(() => {});
    },
  };
}
