// Port-scans a batch of hosts with one nmap run and stores one snapshot per host (run record,
// current ports, change events), then tells live listeners.
import { AppError } from "@/services/errors.ts";
import type { Db, StateStore } from "@/services/store/mod.ts";
import type { CommandRunner, LiveHub, ProbeBudget } from "@/services/jobs/mod.ts";
import { type NmapRunInfo, probedKey, readNmapRunInfo } from "./nmap_coverage.ts";
import type { PortChange, PortObservation } from "./port_diff.ts";
import { insertPortScan, type PortScan, type PortScanTrigger } from "./port_repo.ts";
import { storeHostSnapshot } from "./port_snapshot.ts";
import { portscan, type PortscanResult } from "./portscan.ts";
import { inScope, outOfScopeError, type ScanScope } from "@/services/sweeps/mod.ts";
import type { AlertSink } from "@/services/alerts/mod.ts";

/** Everything a port scan touches, passed in so tests can use a lab or a scripted runner. */
export interface PortscanEnv {
  db: Db;
  kv: StateStore;
  /** Wall clock, ms since the epoch. */
  now: () => number;
  runner: CommandRunner;
  live: LiveHub | null;
  /** Names this process in run rows and leases. */
  instance: string;
  /** Options of scheduled scans (NMAP_ARGS, validated, or the default). */
  args: string[];
  isRoot: boolean;
  /** One nmap run's deadline (NMAP_TIMEOUT_SECONDS). */
  timeoutMs: number;
  /** Hosts per nmap run. */
  batchSize: number;
  /** nmap processes running at once on this instance (NMAP_MAX_CONCURRENT). */
  slots: ProbeBudget;
  /** The scan scope in force; hosts outside it are never handed to nmap. */
  scope: () => Promise<ScanScope>;
  /** Port changes go to alert rules in the transaction that stores them. */
  alerts?: AlertSink | null;
}

/** A host to scan, as the scheduler and the API hand it over. */
export interface ScanTarget {
  id: number;
  ip: string;
  subnet_id: number | null;
}

export interface ScanOptions {
  trigger: PortScanTrigger;
  /** Validated options for this scan; env.args when absent. */
  args?: string[];
  taskId?: string | null;
  signal?: AbortSignal;
  progress?: (fraction: number, note?: string) => Promise<void>;
}

export interface HostScanOutcome {
  target: ScanTarget;
  scan: PortScan;
  /** Port changes this scan found (empty for failed scans and baselines). */
  changes: PortChange[];
  baseline: boolean;
}

interface RunSeen {
  targets: Set<string>;
  info: NmapRunInfo;
}

/**
 * Scans `hosts` (one nmap run per env.batchSize hosts, within the instance's nmap slots) and
 * records one port_scan row per host whatever happens. A host nmap did not report, gave up on
 * (--host-timeout) or found down keeps its current ports: only a completed scan replaces them.
 * Invalid options or a missing nmap are recorded for every host, then rethrown.
 */
export async function scanHosts(
  env: PortscanEnv,
  hosts: readonly ScanTarget[],
  opts: ScanOptions,
): Promise<HostScanOutcome[]> {
  if (hosts.length === 0) return [];
  const scope = await env.scope();
  if (hosts.some((h) => !inScope(h.ip, scope))) {
    // Hosts outside the scan scope get a failed row saying why; nmap never sees them.
    const refused: HostScanOutcome[] = [];
    for (const target of hosts.filter((h) => !inScope(h.ip, scope))) {
      const scan = await recordFailure(
        env,
        target,
        {
          args: opts.args ?? env.args,
          trigger: opts.trigger,
          batchId: crypto.randomUUID(),
          batchSize: 1,
          instance: env.instance,
          taskId: opts.taskId ?? null,
          startedAt: env.now(),
        },
        "failed",
        outOfScopeError(target.ip, scope, "host").message,
      );
      refused.push({ target, scan, changes: [], baseline: false });
    }
    publish(env, refused);
    const inside = hosts.filter((h) => inScope(h.ip, scope));
    return [...refused, ...(await scanHosts(env, inside, opts))];
  }
  const args = opts.args ?? env.args;
  const batchId = crypto.randomUUID();
  const common = {
    args,
    trigger: opts.trigger,
    batchId,
    batchSize: hosts.length,
    instance: env.instance,
    taskId: opts.taskId ?? null,
  };
  const startedAt = env.now();
  const seen: RunSeen[] = [];
  // Reads what the parsed hosts do not carry (coverage, timeouts, probed services) from the XML.
  const runner: CommandRunner = async (cmd, argv, runOpts) => {
    const res = await env.runner(cmd, argv, runOpts);
    const dashes = argv.indexOf("--");
    seen.push({
      targets: new Set(dashes >= 0 ? argv.slice(dashes + 1) : []),
      info: readNmapRunInfo(res.stdout),
    });
    return res;
  };

  const failAll = async (status: "failed" | "aborted", error: string) => {
    const out: HostScanOutcome[] = [];
    for (const target of hosts) {
      out.push({
        target,
        scan: await recordFailure(env, target, { ...common, startedAt }, status, error),
        changes: [],
        baseline: false,
      });
    }
    publish(env, out);
    return out;
  };

  let result: PortscanResult;
  try {
    const slot = await env.slots.acquire(1, opts.signal);
    try {
      await opts.progress?.(0.1, `nmap ${args.join(" ")} on ${hosts.length} hosts`);
      result = await portscan(hosts.map((h) => h.ip), {
        runner,
        args,
        timeoutMs: env.timeoutMs,
        batchSize: env.batchSize,
        isRoot: env.isRoot,
        signal: opts.signal,
      });
    } finally {
      slot.release();
    }
  } catch (err) {
    if (opts.signal?.aborted) return await failAll("aborted", "stopped before nmap finished");
    await failAll("failed", errorText(err));
    throw err;
  }
  await opts.progress?.(0.8, `nmap reported on ${result.hosts.length} of ${hosts.length} hosts`);

  const finishedAt = env.now();
  const batchError = result.errors.join("; ");
  const outcomes: HostScanOutcome[] = [];
  for (const target of hosts) {
    const host = result.hosts.find((h) => h.ip === target.ip);
    const run = seen.find((r) => r.targets.has(target.ip));
    const times = { ...common, startedAt, finishedAt };
    let problem: string | null = null;
    if (!host) {
      problem = opts.signal?.aborted
        ? "stopped before nmap reached this host"
        : batchError || "nmap did not report on this host";
    } else if (run?.info.timedOut.has(target.ip)) {
      problem = "nmap gave up on this host (--host-timeout); its ports were left as they were";
    } else if (host.status !== "up") {
      problem = `nmap found the host ${host.status || "unreachable"}; its ports were left as ` +
        `they were (add -Pn to scan hosts that ignore pings)`;
    }
    if (problem !== null) {
      const status = opts.signal?.aborted && !host ? "aborted" : "failed";
      outcomes.push({
        target,
        scan: await recordFailure(env, target, times, status, problem),
        changes: [],
        baseline: false,
      });
      continue;
    }
    const ports: PortObservation[] = host!.ports.map((p) => ({
      port: p.port,
      proto: p.proto,
      state: p.state,
      service: p.service,
      product: p.product,
      version: p.version,
      probed: run?.info.probed.has(probedKey(target.ip, p.proto, p.port)) ?? false,
    }));
    const stored = await storeHostSnapshot(env.db, {
      hostId: target.id,
      target: target.ip,
      ports,
      coverage: run?.info.coverage ?? null,
      scan: times,
    }, env.alerts);
    if (stored) outcomes.push({ target, ...stored });
  }
  publish(env, outcomes);
  return outcomes;
}

async function recordFailure(
  env: PortscanEnv,
  target: ScanTarget,
  s: {
    args: string[];
    trigger: PortScanTrigger;
    batchId: string;
    batchSize: number;
    instance: string;
    taskId: string | null;
    startedAt: number;
    finishedAt?: number;
  },
  status: "failed" | "aborted",
  error: string,
): Promise<PortScan> {
  return await insertPortScan(env.db, {
    ...s,
    hostId: target.id,
    target: target.ip,
    finishedAt: s.finishedAt ?? env.now(),
    status,
    error: error.slice(0, 2000),
    openPorts: 0,
    changes: 0,
  });
}

/**
 * Finished port scans go out as `run` events (method "nmap", id = the port_scan id), the event
 * type the live stream already carries; the changes themselves are host events in SQL.
 */
function publish(env: PortscanEnv, outcomes: readonly HostScanOutcome[]): void {
  if (!env.live) return;
  for (const o of outcomes) {
    env.live.publish({
      type: "run",
      run: {
        id: o.scan.id,
        kind: "host",
        subnet_id: o.target.subnet_id,
        host_id: o.target.id,
        target: o.target.ip,
        status: o.scan.status,
        method: "nmap",
        hosts_up: o.scan.status === "succeeded" ? 1 : 0,
        hosts_down: 0,
        finished_at: o.scan.finished_at,
      },
    });
  }
}

export function errorText(err: unknown): string {
  return err instanceof AppError ? err.message : String((err as Error)?.message ?? err);
}
