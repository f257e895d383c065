// Wires discovery into an app instance: one env per process, "scan now" tasks, rate limits, roll-up.
import type { AuthUser, RateLimiter } from "@/services/auth/mod.ts";
import { AppError, notFound } from "@/services/errors.ts";
import type { Deps } from "@/services/services.ts";
import {
  createLiveHub,
  createProbeBudget,
  createRequestLimiter,
  leaseKey,
  limitRequest,
  type LiveHub,
  runCommand,
  withLease,
} from "@/services/jobs/mod.ts";
import { getKnownHost, getSweepSubnet } from "@/services/ipam/mod.ts";
import { readNeighbors } from "./neighbors.ts";
import { loadOuiTable } from "./oui_vendor.ts";
import { createPtrLookup, systemPtrResolver } from "./ptr.ts";
import { rollUp, type RollupResult } from "./rollup.ts";
import { assertInScope, inScope } from "./scan_scope.ts";
import { readScanScope } from "./scan_scope_repo.ts";
import { planSweep } from "./sweep_plan.ts";
import { type DiscoveryEnv, pingHost, sweepSubnet } from "./sweep_service.ts";
import type { ScanRun } from "./run_log_repo.ts";
import { createArpSweep } from "@/services/arp/mod.ts";
import { createSnmpPoller, netSnmpSessionFactory, type SnmpPoller } from "@/services/snmp/mod.ts";

export interface Discovery {
  env: DiscoveryEnv;
  live: LiveHub;
  /** "Scan now" clicks per user and target. */
  scanNowLimiter: RateLimiter;
  /** Roll-up settings (HISTORY_RAW_DAYS). */
  rawDays: number;
  /** SNMP names: polled after sweeps (when SNMP_ENABLED) and on demand. */
  snmp: SnmpPoller;
}

/** A manual sweep waits this long for a scheduled one of the same subnet to finish. */
const LEASE_WAIT_MS = 10 * 60_000;
const LEASE_TTL_MS = 5 * 60_000;

/** Builds the discovery wiring for `deps`; tests pass overrides (a lab runner, a fake resolver). */
export function createDiscovery(deps: Deps, overrides: Partial<DiscoveryEnv> = {}): Discovery {
  const cfg = deps.cfg;
  const live = overrides.live ?? createLiveHub(deps.kv);
  // SNMP and ARP ask the scope in force per batch, like sweeps (env.scope, overridable in tests).
  const scopeCheck = async () => {
    const scope = await env.scope();
    return (ip: string) => inScope(ip, scope);
  };
  const snmp = overrides.snmp ?? createSnmpPoller({
    db: deps.db,
    now: deps.now,
    factory: netSnmpSessionFactory,
    timeoutMs: cfg.SNMP_TIMEOUT_MS,
    retries: cfg.SNMP_RETRIES,
    concurrency: cfg.SNMP_CONCURRENCY,
    intervalMs: cfg.SNMP_POLL_INTERVAL_MINUTES * 60_000,
    enabled: cfg.SNMP_ENABLED,
    scope: scopeCheck,
  });
  const env: DiscoveryEnv = {
    db: deps.db,
    kv: deps.kv,
    now: deps.now,
    runner: runCommand,
    tunables: {
      timeoutMs: cfg.PING_TIMEOUT_MS,
      retries: cfg.PING_RETRIES,
      maxSweepPrefix: cfg.MAX_SWEEP_PREFIX,
    },
    budget: createProbeBudget(cfg.PING_WORKERS),
    ptr: cfg.PTR_LOOKUP_ENABLED
      ? createPtrLookup({ kv: deps.kv, resolve: systemPtrResolver, now: deps.now })
      : null,
    neighbors: () => readNeighbors(runCommand),
    arp: cfg.ARP_SCAN_ENABLED
      ? createArpSweep({
        runner: runCommand,
        timeoutMs: cfg.ARP_SCAN_TIMEOUT_MS,
        retries: cfg.ARP_SCAN_RETRIES,
        scope: scopeCheck,
      })
      : null,
    oui: loadOuiTable,
    instance: crypto.randomUUID(),
    scope: () => readScanScope(deps.db, cfg.SCAN_SCOPE),
    alerts: deps.services.alerts,
    ...overrides,
    live,
    snmp,
  };
  const discovery: Discovery = {
    env,
    live,
    scanNowLimiter: createRequestLimiter(deps.kv, "scan_now", deps.now),
    rawDays: cfg.HISTORY_RAW_DAYS,
    snmp,
  };
  deps.services.sweeps = discovery;
  return discovery;
}

/**
 * The check IPAM runs when a subnet's scanning ends up on (create, edit, new cidr): a 422
 * `outside_scan_scope` unless the whole subnet is inside the scan scope.
 */
export async function scanEnableCheck(deps: Deps): Promise<(cidr: string) => void> {
  const scope = await deps.services.sweeps.env.scope();
  return (cidr) => assertInScope(cidr, scope, "subnet");
}

/** What every subnet write from a route needs: the scope check and the default sweep interval. */
export async function subnetWriteOptions(
  deps: Deps,
): Promise<{ checkScan: (cidr: string) => void; defaultIntervalS: number }> {
  return {
    checkScan: await scanEnableCheck(deps),
    defaultIntervalS: deps.cfg.SCAN_SWEEP_INTERVAL_MINUTES * 60,
  };
}

/**
 * Sweeps a subnet under its KV lease, waiting (bounded) while a scheduled sweep of it runs, so a
 * subnet is never swept twice at once by any instance.
 */
export async function sweepSubnetLeased(
  d: Discovery,
  subnetId: number,
  opts: Parameters<typeof sweepSubnet>[2] & { waitMs?: number; pollMs?: number },
): Promise<ScanRun> {
  const { env } = d;
  return await withLease(
    {
      kv: env.kv,
      key: leaseKey("sweep", subnetId),
      owner: env.instance,
      ttlMs: LEASE_TTL_MS,
      now: env.now,
      waitMs: opts.waitMs ?? LEASE_WAIT_MS,
      pollMs: opts.pollMs ?? 500,
      busy: () =>
        new AppError(
          409,
          "sweep_in_progress",
          `subnet ${subnetId} is being swept by another instance; try again when it finishes`,
        ),
    },
    () => sweepSubnet(env, subnetId, opts),
  );
}

async function limit(d: Discovery, user: AuthUser, target: string): Promise<void> {
  await limitRequest(d.scanNowLimiter, `${user.id}:${target}`, `scan requests for ${target}`);
}

/** POST /subnets/{id}/sweep: queues a sweep (or returns the one already queued or running). */
export async function requestSubnetSweep(
  deps: Deps,
  subnetId: number,
  user: AuthUser,
): Promise<{ task_id: string; deduped: boolean }> {
  const d = deps.services.sweeps;
  const subnet = await getSweepSubnet(deps.db, subnetId);
  if (!subnet) throw notFound(`subnet ${subnetId}`);
  assertInScope(subnet.cidr, await d.env.scope(), "subnet");
  await limit(d, user, `subnet:${subnetId}`);
  // Refuse an oversized subnet now with a 422, not later as a failed task.
  planSweep(subnet.cidr, [], { maxSweepPrefix: d.env.tunables.maxSweepPrefix });
  const task = await deps.services.tasks.submit(
    {
      kind: "sweep_subnet",
      target: subnet.cidr,
      createdBy: user.username,
      dedupeKey: `sweep_subnet:${subnetId}`,
    },
    async (ctx) =>
      summary(
        await sweepSubnetLeased(d, subnetId, {
          trigger: "manual",
          taskId: ctx.id,
          progress: ctx.progress,
        }),
      ),
  );
  return { task_id: task.id, deduped: task.deduped };
}

/** POST /hosts/{id}/ping: queues a ping of one host. */
export async function requestHostPing(
  deps: Deps,
  hostId: number,
  user: AuthUser,
): Promise<{ task_id: string; deduped: boolean }> {
  const d = deps.services.sweeps;
  const host = await getKnownHost(deps.db, hostId);
  if (!host) throw notFound(`host ${hostId}`);
  assertInScope(host.ip, await d.env.scope(), "host");
  await limit(d, user, `host:${hostId}`);
  const task = await deps.services.tasks.submit(
    {
      kind: "ping_host",
      target: host.ip,
      createdBy: user.username,
      dedupeKey: `ping_host:${hostId}`,
    },
    async (ctx) => summary(await pingHost(d.env, hostId, { trigger: "manual", taskId: ctx.id })),
  );
  return { task_id: task.id, deduped: task.deduped };
}

/** Rolls history up now, under the same lease the daily job takes. */
export async function runRollup(d: Discovery): Promise<RollupResult> {
  const { env } = d;
  return await withLease(
    {
      kv: env.kv,
      key: leaseKey("job", "rollup"),
      owner: env.instance,
      ttlMs: LEASE_TTL_MS,
      now: env.now,
      waitMs: 0,
      pollMs: 0,
      busy: () =>
        new AppError(409, "rollup_in_progress", "a roll-up is already running; try again later"),
    },
    () => rollUp(env.db, { now: env.now(), rawDays: d.rawDays }),
  );
}

/** POST /scanner/rollup: queues a roll-up task. */
export async function requestRollup(deps: Deps, user: AuthUser): Promise<{ task_id: string }> {
  const d = deps.services.sweeps;
  const task = await deps.services.tasks.submit(
    { kind: "rollup", target: "history", createdBy: user.username, dedupeKey: "rollup" },
    () => runRollup(d),
  );
  return { task_id: task.id };
}

/** What a sweep task returns as its result (GET /api/v1/tasks/{id}). */
function summary(run: ScanRun) {
  return {
    run_id: run.id,
    target: run.target,
    status: run.status,
    method: run.method,
    targets: run.targets,
    hosts_up: run.hosts_up,
    hosts_down: run.hosts_down,
    hosts_new: run.hosts_new,
    flips: run.flips,
    duration_ms: run.duration_ms,
    errors: run.errors,
  };
}
