// One sweep end to end: plan → probe (within the global cap) → apply → enrich → record the run.
import { AppError, notFound } from "@/services/errors.ts";
import type { Db } from "@/services/store/mod.ts";
import { type ApplyOutcome, applyResults } from "./apply_results.ts";
import type { CommandRunner, LiveHub, ProbeBudget } from "@/services/jobs/mod.ts";
import { insertEvents, type NewEvent } from "./history_repo.ts";
import {
  getKnownHost,
  getSweepSubnet,
  type KnownHost,
  knownHostsIn,
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
  kv: Deno.Kv;
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
  const knownList = (await knownHostsIn(env.db, subnet.cidr)).filter((h) => !inScope(h.ip, holes));
  const plan = planSweep(subnet.cidr, knownList.map((h) => h.ip), {
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
    known: new Map(knownList.map((h) => [h.ip, h])),
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
    known: new Map([[host.ip, host]]),
    discover: false,
    startedAt: env.now(),
  }, opts);
}

interface SweepJob {
  kind: "subnet" | "host";
  subnetId: number | null;
  hostId: number | null;
  target: string;
  targets: Iterable<string>;
  count: number;
  known: Map<string, KnownHost>;
  discover: boolean;
  startedAt: number;
}

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

  let res: SweepResult;
  let arp: Map<string, ArpAnswer> | null = null;
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
        knownHosts: job.known.keys(),
        ...(intervalMs !== undefined && { intervalMs }),
        ...(tcpPorts !== undefined && { tcpPorts }),
        ...(tcpRecheckLimit !== undefined && { tcpRecheckLimit }),
        ...(opts.signal && { signal: opts.signal }),
        ...(env.dial && { dial: env.dial }),
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
    if (opts.signal?.aborted) return await record("aborted", null, null, { errors: ["stopped"] });
    await record("failed", null, null, { errors: [errorText(err)] });
    throw err;
  }
  // An aborted sweep reports unprobed hosts as down: storing that would invent outages.
  if (opts.signal?.aborted) {
    return await record("aborted", res, null, {
      errors: ["stopped before the sweep finished; results discarded"],
    });
  }
  await opts.progress?.(0.8, `${res.results.filter((r) => r.up).length} of ${job.count} answered`);

  let outcome: ApplyOutcome;
  try {
    outcome = await applyResults({ db: env.db, kv: env.kv, live: env.live }, {
      results: res.results,
      ts: env.now(),
      known: job.known,
      discover: job.discover,
    });
  } catch (err) {
    await record("failed", res, null, { errors: [`storing results failed: ${errorText(err)}`] });
    throw err;
  }
  const notes = await enrich(env, outcome, arp).catch((
    err,
  ) => [`enrichment failed: ${errorText(err)}`]);
  return await record("succeeded", res, outcome, { notes });
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
