// One sweep end to end: plan → probe (within the global cap) → apply → enrich → record the run.
import { AppError, notFound } from "@/services/errors.ts";
import type { Db, StateStore } from "@/services/store/mod.ts";
import type { ApplyOutcome } from "./apply_results.ts";
import { StreamedApply } from "./streamed_apply.ts";
import type { CommandRunner, LiveHub, ProbeBudget } from "@/services/jobs/mod.ts";
import { insertEvents, type NewEvent } from "./history_repo.ts";
import {
  getKnownHost,
  getSweepSubnet,
  type KnownHost,
  knownHostsIn,
  parseCidr,
  setHostnames,
  setMacVendor,
  type SweepSubnet,
  unscannedWithin,
} from "@/services/ipam/mod.ts";
import type { Neighbor } from "./neighbors.ts";
import { type OuiTable, vendorOf } from "./oui_vendor.ts";
import type { PtrLookup } from "./ptr.ts";
import type { SnmpPoller } from "@/services/snmp/mod.ts";
import { type ArpAnswer, type ArpSweep, mergeArpAnswers } from "@/services/arp/mod.ts";
import { insertRun, type RunTrigger, type ScanRun } from "./run_log_repo.ts";
import { assertInScope, inScope, parseScanScope, type ScanScope } from "./scan_scope.ts";
import { planSweep } from "./sweep_plan.ts";
import { sweep, type SweepResult } from "./sweeper.ts";
import type { TcpDial } from "./tcp_probe.ts";
import type { AlertSink } from "@/services/alerts/mod.ts";

/** Shortest gap between two "answered so far" progress notes of one sweep. */
const PROGRESS_EVERY_MS = 250;

/** Probe settings from config (PING_TIMEOUT_MS, PING_RETRIES, MAX_SWEEP_PREFIX). */
export interface SweepTunables {
  timeoutMs: number;
  retries: number;
  maxSweepPrefix: number;
  /** fping -i (ms between packets); the sweeper's default (1) unless set. */
  intervalMs?: number;
  tcpPorts?: number[];
  tcpRecheckLimit?: number;
}

/** Everything a sweep touches, passed in so tests can point it at a lab or fakes. */
export interface DiscoveryEnv {
  db: Db;
  kv: StateStore;
  /** Wall clock, ms since the epoch (history timestamps, run times). */
  now: () => number;
  runner: CommandRunner;
  tunables: SweepTunables;
  budget: ProbeBudget;
  live: LiveHub | null;
  /** Reverse DNS; null when PTR_LOOKUP_ENABLED is off. */
  ptr: PtrLookup | null;
  /** SNMP names for alive hosts with SNMP settings (it does nothing when SNMP_ENABLED is off). */
  snmp?: SnmpPoller | null;
  /** The optional active ARP pass for subnets on a local interface (ARP_SCAN_ENABLED). */
  arp?: ArpSweep | null;
  /** The kernel neighbour table; null to skip MAC discovery. */
  neighbors: (() => Promise<Map<string, Neighbor>>) | null;
  oui: () => Promise<OuiTable>;
  /** Names this process in run rows and leases. */
  instance: string;
  /** The scan scope in force (read per sweep, so a change in Settings applies at once). */
  scope: () => Promise<ScanScope>;
  dial?: TcpDial;
  /** Alert rules see the same events and verdicts the history gets (null: no alerting). */
  alerts?: AlertSink | null;
}

export interface RunOptions {
  trigger: RunTrigger;
  signal?: AbortSignal;
  taskId?: string | null;
  progress?: (fraction: number, note?: string) => Promise<void>;
}

/** At most this many uncached reverse lookups per sweep; the rest follow in later sweeps. */
const PTR_QUERIES_PER_RUN = 256;
const PTR_CONCURRENCY = 8;

/** Sweeps one subnet now (the caller holds its lease) and returns the recorded run. */
export async function sweepSubnet(
  env: DiscoveryEnv,
  subnetOrId: number | SweepSubnet,
  opts: RunOptions,
): Promise<ScanRun> {
  const subnet = typeof subnetOrId === "number"
    ? await getSweepSubnet(env.db, subnetOrId)
    : subnetOrId;
  if (!subnet) throw notFound(`subnet ${subnetOrId}`);
  assertInScope(subnet.cidr, await env.scope(), "subnet");
  const startedAt = env.now();
  // Child subnets with scanning off are never probed, not even by a sweep of their parent.
  const exclude = await unscannedWithin(env.db, subnet.cidr);
  const holes = parseScanScope(exclude);
  // An IPv4 plan covers every address whatever is inventoried, so fping starts while the known
  // hosts load (they matter once answers are stored); IPv6 sweeps only known hosts: wait for them.
  const known = knownHostsIn(env.db, subnet.cidr).then((list) =>
    new Map(list.filter((h) => !inScope(h.ip, holes)).map((h) => [h.ip, h]))
  );
  known.catch(() => {}); // awaited later, where a failure is reported; never an unhandled rejection
  const v6 = parseCidr(subnet.cidr).family === 6;
  const plan = planSweep(subnet.cidr, v6 ? (await known).keys() : [], {
    maxSweepPrefix: env.tunables.maxSweepPrefix,
    exclude,
  });
  const skipped = plan.excluded.length
    ? ` (skipping ${plan.excluded.length} child subnets with scanning off)`
    : "";
  await opts.progress?.(0.05, `sweeping ${plan.count} addresses of ${plan.cidr}${skipped}`);
  return await runSweep(env, {
    kind: "subnet",
    subnetId: subnet.id,
    hostId: null,
    target: plan.cidr,
    targets: plan.targets,
    count: plan.count,
    known,
    discover: true,
    startedAt,
  }, opts);
}

/** Pings one host now and returns the recorded run. */
export async function pingHost(
  env: DiscoveryEnv,
  hostId: number,
  opts: RunOptions,
): Promise<ScanRun> {
  const host = await getKnownHost(env.db, hostId);
  if (!host) throw notFound(`host ${hostId}`);
  assertInScope(host.ip, await env.scope(), "host");
  return await runSweep(env, {
    kind: "host",
    subnetId: host.subnet_id,
    hostId: host.id,
    target: host.ip,
    targets: [host.ip],
    count: 1,
    known: Promise.resolve(new Map([[host.ip, host]])),
    discover: false,
    startedAt: env.now(),
  }, opts);
}

/** What one check of known hosts stored (the known-host cycle's summary of it). */
export interface HostCheckOutcome {
  status: "succeeded" | "failed" | "aborted";
  /** The method that probed (fping, ping or tcp); null when nothing ran. */
  method: string | null;
  targets: number;
  up: number;
  down: number;
  flips: number;
  errors: string[];
}

/**
 * Pings inventoried hosts now (the known-host cycle) and stores their verdicts as a sweep does:
 * state, status history, events, live changes, alerts. Unlike a sweep it discovers no one, skips
 * the enrichment (MAC, reverse DNS, SNMP: the full sweeps keep doing that) and writes no run-log
 * row (one a minute would bury the sweeps there); the caller keeps its own summary.
 */
export async function checkKnownHosts(
  env: DiscoveryEnv,
  hosts: readonly KnownHost[],
  opts: { signal?: AbortSignal } = {},
): Promise<HostCheckOutcome> {
  const scope = await env.scope();
  const inside = new Map(hosts.filter((h) => inScope(h.ip, scope)).map((h) => [h.ip, h]));
  const empty = { method: null, targets: 0, up: 0, down: 0, flips: 0, errors: [] };
  if (inside.size === 0) return { status: "succeeded", ...empty };
  const p = await probeAndStore(env, {
    kind: "host",
    subnetId: null,
    hostId: null,
    target: `${inside.size} known hosts`,
    targets: [...inside.keys()],
    count: inside.size,
    known: Promise.resolve(inside),
    discover: false,
    startedAt: env.now(),
  }, { trigger: "schedule", ...(opts.signal && { signal: opts.signal }) });
  return {
    status: p.status,
    method: p.res?.method ?? null,
    targets: inside.size,
    up: p.outcome?.up ?? 0,
    down: p.outcome?.down ?? 0,
    flips: p.outcome?.flips.length ?? 0,
    errors: [...(p.res?.errors ?? []), ...(p.status === "succeeded" ? [] : p.errors)],
  };
}

interface SweepJob {
  kind: "subnet" | "host";
  subnetId: number | null;
  hostId: number | null;
  target: string;
  targets: Iterable<string>;
  count: number;
  /** Inventoried hosts among the targets, by address (loading while fping already runs). */
  known: Promise<Map<string, KnownHost>>;
  discover: boolean;
  startedAt: number;
}

/** What probing and storing one job came to, before enrichment and the run row. */
type Probed =
  | {
    status: "succeeded";
    res: SweepResult;
    outcome: ApplyOutcome;
    arp: Map<string, ArpAnswer> | null;
  }
  | { status: "aborted"; res: SweepResult | null; outcome: ApplyOutcome; errors: string[] }
  | {
    status: "failed";
    res: SweepResult | null;
    outcome: ApplyOutcome | null;
    errors: string[];
    error: unknown;
  };

async function runSweep(env: DiscoveryEnv, job: SweepJob, opts: RunOptions): Promise<ScanRun> {
  const record = async (
    status: "succeeded" | "failed" | "aborted",
    res: SweepResult | null,
    outcome: ApplyOutcome | null,
    extra: { errors?: string[]; notes?: string[] } = {},
  ) => {
    const run = await insertRun(env.db, {
      kind: job.kind,
      trigger: opts.trigger,
      subnetId: job.subnetId,
      hostId: job.hostId,
      target: job.target,
      startedAt: job.startedAt,
      finishedAt: env.now(),
      method: res?.method ?? null,
      targets: job.count,
      hostsUp: outcome?.up ?? 0,
      hostsDown: outcome?.down ?? 0,
      hostsNew: outcome?.discovered.length ?? 0,
      flips: outcome?.flips.length ?? 0,
      errors: [...(res?.errors ?? []), ...(extra.errors ?? [])],
      notes: [...(res?.notes ?? []), ...(extra.notes ?? [])],
      status,
      instance: env.instance,
      taskId: opts.taskId ?? null,
    });
    env.live?.publish({
      type: "run",
      run: {
        id: run.id,
        kind: run.kind,
        subnet_id: run.subnet_id,
        host_id: run.host_id,
        target: run.target,
        status: run.status,
        method: run.method,
        hosts_up: run.hosts_up,
        hosts_down: run.hosts_down,
        finished_at: run.finished_at,
      },
    });
    return run;
  };

  const p = await probeAndStore(env, job, opts);
  if (p.status === "aborted") {
    return await record("aborted", p.res, p.outcome, { errors: p.errors });
  }
  if (p.status === "failed") {
    await record("failed", p.res, p.outcome, { errors: p.errors });
    throw p.error;
  }
  const notes = await enrich(env, p.outcome, p.arp).catch((
    err,
  ) => [`enrichment failed: ${errorText(err)}`]);
  return await record("succeeded", p.res, p.outcome, { notes });
}

/**
 * The probe chain (fping → ping → TCP, within the global probe budget) and the storing of its
 * verdicts (state, history, live events, alerts): what a sweep, a "ping now" and the known-host
 * cycle share. A failed probe or store comes back as status "failed" with its error.
 */
async function probeAndStore(env: DiscoveryEnv, job: SweepJob, opts: RunOptions): Promise<Probed> {
  // Hosts that answer are stored while fping still runs; the other verdicts after the sweep.
  const streamed = new StreamedApply(
    { db: env.db, kv: env.kv, live: env.live, alerts: env.alerts },
    { known: job.known, discover: job.discover, now: env.now, expected: job.count },
  );
  let res: SweepResult;
  let arp: Map<string, ArpAnswer> | null = null;
  // Answers arrive while fping runs; "Sweep now" shows how many so far, a few times a second at
  // most (each note is a task write). Addresses that stay silent are known only at the end.
  let answered = 0;
  let lastReport = 0;
  const reportAnswers = () => {
    const t = env.now();
    if (!opts.progress || t - lastReport < PROGRESS_EVERY_MS) return;
    lastReport = t;
    opts.progress(
      0.05 + 0.7 * Math.min(1, answered / Math.max(1, job.count)),
      `sweeping ${job.count} addresses of ${job.target}: ${answered} answered so far`,
    ).catch(() => {});
  };
  try {
    const grant = await env.budget.acquire(job.count, opts.signal);
    try {
      // Unset tunables must stay absent: an explicit undefined would override the sweeper's defaults.
      const { intervalMs, tcpPorts, tcpRecheckLimit } = env.tunables;
      res = await sweep(job.targets, {
        runner: env.runner,
        timeoutMs: env.tunables.timeoutMs,
        retries: env.tunables.retries,
        workers: grant.workers,
        knownHosts: job.known.then((m) => m.keys()),
        ...(intervalMs !== undefined && { intervalMs }),
        ...(tcpPorts !== undefined && { tcpPorts }),
        ...(tcpRecheckLimit !== undefined && { tcpRecheckLimit }),
        ...(opts.signal && { signal: opts.signal }),
        ...(env.dial && { dial: env.dial }),
        onAlive: (hosts) => {
          streamed.add(hosts);
          answered += hosts.length;
          reportAnswers();
        },
      });
      if (env.arp && job.kind === "subnet" && !opts.signal?.aborted) {
        const pass = await env.arp.scan(job.target, job.targets, opts.signal);
        if (pass.iface) {
          const merged = mergeArpAnswers(res.results, pass.found);
          res = {
            ...res,
            results: merged.results,
            errors: [...res.errors, ...pass.errors],
            notes: [
              ...res.notes,
              ...pass.notes,
              `ARP on ${pass.iface}: ${pass.found.size} answered, ${merged.arpOnly} to ARP only`,
            ],
          };
          arp = pass.found;
        }
      }
    } finally {
      grant.release();
    }
  } catch (err) {
    await streamed.flush();
    if (opts.signal?.aborted) {
      return { status: "aborted", res: null, outcome: streamed.outcome(), errors: ["stopped"] };
    }
    return {
      status: "failed",
      res: null,
      outcome: streamed.outcome(),
      errors: [errorText(err)],
      error: err,
    };
  }
  // An aborted sweep reports unprobed hosts as down: storing that would invent outages. Hosts
  // that had answered are real observations and stay stored.
  if (opts.signal?.aborted) {
    await streamed.flush();
    return {
      status: "aborted",
      res,
      outcome: streamed.outcome(),
      errors: ["stopped before the sweep finished; only the answers so far were stored"],
    };
  }
  // "Sweep now" shows this note while results are stored (islands/SweepNow.tsx).
  await opts.progress?.(
    0.8,
    `swept ${job.count} of ${job.count}, ${
      res.results.filter((r) => r.up).length
    } answered; saving`,
  );

  try {
    return { status: "succeeded", res, outcome: await streamed.finish(res.results), arp };
  } catch (err) {
    return {
      status: "failed",
      res,
      outcome: null,
      errors: [`storing results failed: ${errorText(err)}`],
      error: err,
    };
  }
}

/** MAC + vendor from the neighbour table and names from reverse DNS for hosts that answered. */
async function enrich(
  env: DiscoveryEnv,
  outcome: ApplyOutcome,
  arp: Map<string, ArpAnswer> | null,
): Promise<string[]> {
  const notes: string[] = [];
  const upHosts = outcome.transitions.filter((t) => t.next.up).map((t) => outcome.hosts.get(t.ip)!)
    .filter(Boolean);
  if (upHosts.length === 0) return notes;

  if (env.neighbors || arp) {
    const table = env.neighbors ? await env.neighbors() : new Map<string, Neighbor>();
    // ARP answers fill in hosts the kernel never talked to (they dropped every probe).
    for (const a of arp?.values() ?? []) {
      if (!table.has(a.ip)) table.set(a.ip, { ip: a.ip, mac: a.mac, dev: "", state: "ARP" });
    }
    const changed = upHosts.filter((h) => {
      const n = table.get(h.ip);
      return n !== undefined && n.mac !== h.mac;
    });
    if (changed.length > 0) {
      const oui = await env.oui();
      await setMacVendor(
        env.db,
        changed.map((h) => {
          const mac = table.get(h.ip)!.mac;
          return { id: h.id, mac, vendor: vendorOf(mac, oui) };
        }),
      );
      notes.push(`MAC address learned for ${changed.length} hosts`);
    }
  }

  if (env.ptr) {
    const { names, pending } = await env.ptr.lookupMany(upHosts.map((h) => h.ip), {
      maxQueries: PTR_QUERIES_PER_RUN,
      concurrency: PTR_CONCURRENCY,
    });
    const renamed = upHosts.flatMap((h) => {
      const name = names.get(h.ip);
      return name && name !== h.hostname ? [{ id: h.id, hostname: name, from: h.hostname }] : [];
    });
    if (renamed.length > 0) {
      await env.db.tx(async (tx) => {
        await setHostnames(tx, renamed);
        const events: NewEvent[] = renamed.map((r) => ({
          hostId: r.id,
          kind: "hostname_changed",
          detail: { from: r.from, to: r.hostname, source: "ptr" },
        }));
        await insertEvents(tx, new Date(env.now()), events);
      });
      notes.push(`hostname from reverse DNS for ${renamed.length} hosts`);
    }
    if (pending > 0) {
      notes.push(`reverse DNS for ${pending} more hosts follows in later sweeps`);
    }
  }

  if (env.snmp) {
    const s = await env.snmp.pollAfterSweep(upHosts.map((h) => h.id));
    if (s.polled > 0) notes.push(`SNMP read ${s.ok} of ${s.polled} hosts, ${s.renamed} renamed`);
  }
  return notes;
}

function errorText(err: unknown): string {
  return err instanceof AppError ? err.message : String((err as Error)?.message ?? err);
}
