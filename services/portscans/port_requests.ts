// Wires port scanning into an app instance (env, nmap slots, rate limit) and serves "scan ports
// now": options checked at request time (422), then a tracked task under the host's KV lease.
import type { StateKey } from "@/services/store/mod.ts";
import type { AuthUser, RateLimiter } from "@/services/auth/mod.ts";
import { AppError, notFound } from "@/services/errors.ts";
import type { Deps } from "@/services/services.ts";
import { getKnownHost } from "@/services/ipam/mod.ts";
import {
  createProbeBudget,
  createRequestLimiter,
  leaseKey,
  limitRequest,
  withLease,
} from "@/services/jobs/mod.ts";
import { isRoot, parseNmapArgs } from "./nmap_args.ts";
import { validateNmapConfig } from "./nmap_config.ts";
import { assertInScope } from "@/services/sweeps/mod.ts";
import {
  type HostScanOutcome,
  type PortscanEnv,
  scanHosts,
  type ScanOptions,
  type ScanTarget,
} from "./portscan_service.ts";

export interface Ports {
  env: PortscanEnv;
  /** "Scan ports now" per user and host. */
  limiter: RateLimiter;
  /** SCAN_NMAP_INTERVAL_MINUTES in ms. */
  intervalMs: number;
  /** ± fraction of the interval (SCAN_JITTER, shared with sweeps). */
  jitter: number;
}

/** Hosts per nmap run: enough to let nmap parallelize, few enough to finish within the timeout. */
export const NMAP_BATCH_SIZE = 16;
/** A manual scan waits this long for a scheduled scan of the same host to finish. */
const LEASE_WAIT_MS = 15 * 60_000;
export const PORTSCAN_LEASE_TTL_MS = 5 * 60_000;

export const portscanLeaseKey = (hostId: number): StateKey => leaseKey("portscan", hostId);

/** Builds the port-scan wiring for `deps`; tests pass overrides (a lab runner, other args). */
export function createPorts(deps: Deps, overrides: Partial<PortscanEnv> = {}): Ports {
  const cfg = deps.cfg;
  const d = deps.services.sweeps;
  const root = overrides.isRoot ?? isRoot();
  const env: PortscanEnv = {
    db: deps.db,
    kv: deps.kv,
    now: deps.now,
    runner: d.env.runner,
    live: d.live,
    instance: d.env.instance,
    args: overrides.args ?? validateNmapConfig(cfg, { root }),
    isRoot: root,
    timeoutMs: cfg.NMAP_TIMEOUT_SECONDS * 1000,
    batchSize: NMAP_BATCH_SIZE,
    slots: createProbeBudget(cfg.NMAP_MAX_CONCURRENT),
    scope: d.env.scope,
    alerts: d.env.alerts ?? null,
    ...overrides,
  };
  const ports: Ports = {
    env,
    limiter: createRequestLimiter(deps.kv, "portscan_now", deps.now),
    intervalMs: cfg.SCAN_NMAP_INTERVAL_MINUTES * 60_000,
    jitter: cfg.SCAN_JITTER,
  };
  deps.services.ports = ports;
  return ports;
}

/**
 * Runs `fn` holding the host's port-scan lease, waiting (bounded) while a scheduled scan of the
 * host runs on any instance, and renewing the lease meanwhile.
 */
export async function withHostLease<T>(
  env: PortscanEnv,
  hostId: number,
  fn: () => Promise<T>,
  opts: { waitMs?: number; pollMs?: number } = {},
): Promise<T> {
  return await withLease(
    {
      kv: env.kv,
      key: portscanLeaseKey(hostId),
      owner: env.instance,
      ttlMs: PORTSCAN_LEASE_TTL_MS,
      now: env.now,
      waitMs: opts.waitMs ?? LEASE_WAIT_MS,
      pollMs: opts.pollMs ?? 1000,
      busy: () =>
        new AppError(
          409,
          "portscan_in_progress",
          `host ${hostId} is being port-scanned by another instance; try again when it finishes`,
        ),
    },
    fn,
  );
}

/** Scans one host now under its lease; the outcome of a failed scan becomes an AppError. */
export async function scanHostNow(
  env: PortscanEnv,
  target: ScanTarget,
  opts: ScanOptions,
): Promise<HostScanOutcome> {
  const [outcome] = await withHostLease(env, target.id, () => scanHosts(env, [target], opts));
  if (!outcome) throw notFound(`host ${target.id}`);
  if (outcome.scan.status !== "succeeded") {
    throw new AppError(502, "portscan_failed", outcome.scan.error ?? "port scan failed", {
      scan_id: outcome.scan.id,
    });
  }
  return outcome;
}

/**
 * POST /hosts/{id}/portscan: checks `rawArgs` against the allowlist (422 invalid_nmap_args), rate
 * limits (429), then queues a task. The same host with the same options while queued or running
 * returns the existing task.
 */
export async function requestHostPortscan(
  deps: Deps,
  hostId: number,
  user: AuthUser,
  rawArgs?: string | string[],
): Promise<{ task_id: string; deduped: boolean }> {
  const ports = deps.services.ports;
  const host = await getKnownHost(deps.db, hostId);
  if (!host) throw notFound(`host ${hostId}`);
  assertInScope(host.ip, await ports.env.scope(), "host");
  const args = rawArgs === undefined ? ports.env.args : parseNmapArgs(rawArgs, {
    isRoot: ports.env.isRoot,
  });
  if (args.length === 0) {
    throw new AppError(
      422,
      "invalid_nmap_args",
      "no nmap options given; leave `args` out to use the configured NMAP_ARGS",
    );
  }
  await limitRequest(
    ports.limiter,
    `${user.id}:host:${hostId}`,
    `port scan requests for host ${hostId}`,
  );
  const target: ScanTarget = { id: host.id, ip: host.ip, subnet_id: host.subnet_id };
  const task = await deps.services.tasks.submit(
    {
      kind: "portscan_host",
      target: host.ip,
      createdBy: user.username,
      dedupeKey: `portscan_host:${hostId}:${args.join(" ")}`,
    },
    async (ctx) =>
      summary(
        await scanHostNow(ports.env, target, {
          trigger: "manual",
          args,
          taskId: ctx.id,
          progress: ctx.progress,
        }),
      ),
  );
  return { task_id: task.id, deduped: task.deduped };
}

/** What a port-scan task returns as its result (GET /api/v1/tasks/{id}). */
function summary(o: HostScanOutcome) {
  return {
    scan_id: o.scan.id,
    host_id: o.target.id,
    target: o.target.ip,
    status: o.scan.status,
    args: o.scan.args,
    open_ports: o.scan.open_ports,
    baseline: o.baseline,
    changes: o.changes.map((c) => ({ kind: c.kind, port: c.port, proto: c.proto })),
    duration_ms: o.scan.duration_ms,
  };
}
