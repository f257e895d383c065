// One operations instance per app: ad-hoc checks as sync answers or tracked tasks, action runs
// under their own concurrency cap, and per-user+target rate limits.
import { createRateLimiter, type RateLimiter } from "@/services/auth/mod.ts";
import type { Config } from "@/services/config/config.ts";
import { AppError } from "@/services/errors.ts";
import type { Db, StateStore } from "@/services/store/mod.ts";
import { createTaskRunner, type TaskRunner } from "@/services/tasks/mod.ts";
import {
  type AdhocEnv,
  adhocPrefix,
  pingAddress,
  portscanAddress,
  portscanRequest,
} from "./adhoc_checks.ts";
import type { ActionEnv } from "./action_runs.ts";
import { type CommandRunner, readScanScope, runCommand, type TcpDial } from "./probes.ts";
import type { ScanResult } from "./scan_results.ts";
import { sweepPrefix } from "./adhoc_checks.ts";

export interface OperationsSettings {
  dataDir: string;
  actionsDir: string;
  actionMaxConcurrent: number;
  actionOutputMaxBytes: number;
  adhocRatePerMinute: number;
  pingTimeoutMs: number;
  pingRetries: number;
  maxSweepPrefix: number;
  nmapTimeoutMs: number;
}

/** The operations settings of a configuration. */
export function operationsSettings(cfg: Config): OperationsSettings {
  return {
    dataDir: cfg.DATA_DIR,
    actionsDir: cfg.ACTIONS_DIR,
    actionMaxConcurrent: cfg.ACTION_MAX_CONCURRENT,
    actionOutputMaxBytes: cfg.ACTION_OUTPUT_MAX_BYTES,
    adhocRatePerMinute: cfg.ADHOC_RATE_PER_MINUTE,
    pingTimeoutMs: cfg.PING_TIMEOUT_MS,
    pingRetries: cfg.PING_RETRIES,
    maxSweepPrefix: cfg.MAX_SWEEP_PREFIX,
    nmapTimeoutMs: cfg.NMAP_TIMEOUT_SECONDS * 1000,
  };
}

export interface Operations {
  adhoc: AdhocEnv;
  actions: ActionEnv;
  /** Tasks of sweeps and asynchronous port scans (the app's shared runner). */
  tasks: TaskRunner;
  limiter: RateLimiter;
  ratePerMinute: number;
}

export interface OperationsDeps {
  db: Db;
  kv: StateStore;
  now: () => number;
  settings: OperationsSettings;
  /** The app's shared task runner. */
  tasks: TaskRunner;
  runner?: CommandRunner;
  isRoot?: boolean;
  dial?: TcpDial;
  /** PATH actions see (default /usr/local/bin:/usr/bin:/bin). */
  actionPath?: string;
  /** SCAN_SCOPE as config split it; the admin's setting in SQL wins (see readScanScope). */
  envScope?: readonly string[];
}

export function createOperations(d: OperationsDeps): Operations {
  const s = d.settings;
  return {
    adhoc: {
      db: d.db,
      runner: d.runner ?? runCommand,
      now: d.now,
      pingTimeoutMs: s.pingTimeoutMs,
      pingRetries: s.pingRetries,
      maxSweepPrefix: s.maxSweepPrefix,
      nmapTimeoutMs: s.nmapTimeoutMs,
      isRoot: d.isRoot ?? Deno.uid?.() === 0,
      scope: () => readScanScope(d.db, d.envScope),
      ...(d.dial && { dial: d.dial }),
    },
    actions: {
      db: d.db,
      tasks: createTaskRunner(d.db, { maxConcurrent: s.actionMaxConcurrent }),
      actionsDir: s.actionsDir,
      workDir: `${s.dataDir.replace(/\/$/, "")}/action-work`,
      maxOutputBytes: s.actionOutputMaxBytes,
      path: d.actionPath ?? "/usr/local/bin:/usr/bin:/bin",
    },
    tasks: d.tasks,
    limiter: createRateLimiter(d.kv, {
      prefix: "adhoc",
      max: s.adhocRatePerMinute,
      windowMs: 60_000,
      now: d.now,
    }),
    ratePerMinute: s.adhocRatePerMinute,
  };
}

/** 429 after ADHOC_RATE_PER_MINUTE requests of one user for one target in a minute. */
export async function limitRate(ops: Operations, user: string | null, target: string) {
  const hit = await ops.limiter.hit(`${user ?? "-"}:${target}`);
  if (!hit.allowed) {
    throw new AppError(
      429,
      "rate_limited",
      `too many requests for ${target}; at most ${ops.ratePerMinute} per minute, try again in ` +
        `${hit.retryAfterSeconds} s`,
      { retry_after: hit.retryAfterSeconds },
    );
  }
}

export async function requestPing(
  ops: Operations,
  target: string,
  user: string | null,
): Promise<ScanResult> {
  await limitRate(ops, user, `ping:${target}`);
  return await pingAddress(ops.adhoc, target, { username: user });
}

/** Queues a sweep of a prefix (or an address's /24); the same prefix while open is one task. */
export async function requestSweep(
  ops: Operations,
  target: string,
  user: string | null,
  opts: { tcpRecheck?: boolean } = {},
): Promise<{ task_id: string; target: string; deduped: boolean }> {
  const cidr = adhocPrefix(target, ops.adhoc.maxSweepPrefix, await ops.adhoc.scope());
  await limitRate(ops, user, `sweep:${cidr.cidr}`);
  const task = await ops.tasks.submit(
    {
      kind: "adhoc_sweep",
      target: cidr.cidr,
      createdBy: user,
      dedupeKey: `adhoc_sweep:${cidr.cidr}`,
    },
    async (ctx) => {
      const r = await sweepPrefix(ops.adhoc, cidr, { username: user, taskId: ctx.id }, {
        signal: ctx.signal,
        progress: ctx.progress,
        tcpRecheck: opts.tcpRecheck,
      });
      return { scan_id: r.id, ...r.summary, alive: undefined, status: r.status };
    },
  );
  return { task_id: task.id, target: cidr.cidr, deduped: task.deduped };
}

export async function requestPortscanSync(
  ops: Operations,
  target: string,
  ports: string | undefined,
  user: string | null,
): Promise<ScanResult> {
  const req = portscanRequest(target, ports, "sync", await ops.adhoc.scope());
  await limitRate(ops, user, `portscan:${req.ip}`);
  return await portscanAddress(ops.adhoc, req, "sync", { username: user });
}

export async function requestPortscanAsync(
  ops: Operations,
  target: string,
  ports: string | undefined,
  user: string | null,
): Promise<{ task_id: string; target: string; deduped: boolean }> {
  const req = portscanRequest(target, ports, "async", await ops.adhoc.scope());
  await limitRate(ops, user, `portscan:${req.ip}`);
  const task = await ops.tasks.submit(
    {
      kind: "adhoc_portscan",
      target: req.ip,
      createdBy: user,
      dedupeKey: `adhoc_portscan:${req.ip}:${req.ports.spec}`,
    },
    async (ctx) => {
      const r = await portscanAddress(ops.adhoc, req, "async", { username: user, taskId: ctx.id }, {
        signal: ctx.signal,
        progress: ctx.progress,
      });
      return { scan_id: r.id, status: r.status, open_ports: r.open_ports, summary: r.summary };
    },
  );
  return { task_id: task.id, target: req.ip, deduped: task.deduped };
}
