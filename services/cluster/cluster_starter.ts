// Starts this process's part of a cluster (NATS_URL set): the leased scheduler (and the port scan
// scheduler, whose batches go to the hosts' sites), the site's scanner (sweeps and port jobs) and
// the ingest of results and flows, and an edge NetFlow collector publishing to JetStream, as ROLE
// asks. Stopped in reverse order; the lease is handed back.
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { type Config, hasRole } from "@/services/config/config.ts";
import type { Deps } from "@/services/services.ts";
import { log } from "@/services/logger.ts";
import { createProbeBudget, runCommand } from "@/services/jobs/mod.ts";
import { knownHostsIn, listScanEnabledSubnets, unscannedWithin } from "@/services/ipam/mod.ts";
import {
  historyJobs,
  inScope,
  knownHostCycleFor,
  parseScanScope,
  startKnownHostTicks,
} from "@/services/sweeps/mod.ts";
import { stateStoreLeases } from "./state_leases.ts";
import { createClusterScheduler } from "./job_scheduler.ts";
import { createResultSpool } from "./result_spool.ts";
import { startScannerAgent } from "./scanner_agent.ts";
import { createJobSweeper } from "./job_sweeper.ts";
import { startIngest } from "./result_ingest.ts";
import { ensureFlowStream, ensureJobStream, ensureResultStream } from "./subjects.ts";
import { addNetflowHealth, startEdgeCollector } from "@/services/netflow/mod.ts";
import { createFlowPublisher } from "./flow_publisher.ts";
import { startFlowIngest } from "./flow_ingest.ts";
import { isRoot, startPortScanScheduler } from "@/services/portscans/mod.ts";
import { createPortDispatch } from "./port_dispatch.ts";
import { createPortAgent } from "./port_agent.ts";

/**
 * Set-up calls retried while JetStream is not ready yet (a fresh cluster elects its leaders for a
 * few seconds); gives up after about a minute with the last error.
 */
async function settingUp<T>(what: string, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1;; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= 60) throw new Error(`NATS: ${what} failed: ${(err as Error).message}`);
      if (attempt === 1) log.info(`NATS: waiting for JetStream (${what})`, { error: String(err) });
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

/** Follows the connection's status: false from a disconnect (or a stale link) to a reconnect. */
function watchLink(nc: NatsConnection, scanner: boolean): () => boolean {
  let up = true;
  (async () => {
    for await (const s of nc.status()) {
      if (s.type === "disconnect" || s.type === "staleConnection") {
        if (up) {
          log.warn(
            scanner
              ? "NATS link down: sweeping on the scanner's own schedule"
              : "NATS link down: waiting for it to return",
            { type: s.type },
          );
        }
        up = false;
      } else if (s.type === "reconnect") {
        if (!up) {
          log.info(scanner ? "NATS link back: delivering spooled results" : "NATS link back");
        }
        up = true;
      }
    }
  })().catch(() => {});
  return () => up && !nc.isClosed();
}

/** What GET /health says about this process's part of the cluster. */
export interface ClusterHealth {
  /** The NATS link: up, down (reconnecting), or closed for good. */
  nats: "connected" | "disconnected" | "closed";
  /** Results waiting in the scanner's local spool for NATS (scanner role only). */
  spool_pending?: number;
  /** An edge collector's state, counters and delivery to JetStream (collector without ingest). */
  netflow?: Record<string, unknown>;
}

/**
 * Scaled out, a collector sends its flows through JetStream unless this process also ingests:
 * then it stores them itself, as on the single box (services/background.ts starts it).
 */
export const publishesFlows = (cfg: Config): boolean =>
  hasRole(cfg, "collector") && !hasRole(cfg, "ingest");

export interface ClusterRuntime {
  health(): Promise<ClusterHealth>;
  stop(): Promise<void>;
}

/**
 * `nc` is the process's NATS connection (the state store shares it). `deps` is null in a
 * scanner-only process (it opens no database); `spool` is this process's own Deno KV, for the
 * scanner's results (null without the scanner role).
 */
export async function startCluster(o: {
  cfg: Config;
  nc: NatsConnection;
  deps: Deps | null;
  spool: Deno.Kv | null;
  now: () => number;
}): Promise<ClusterRuntime> {
  const { cfg, nc, deps } = o;
  const instance = crypto.randomUUID();
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  await settingUp("results stream", () => ensureResultStream(jsm, cfg.NATS_REPLICAS));
  const stops: Array<() => Promise<void>> = [];
  const linkUp = watchLink(nc, hasRole(cfg, "scanner"));
  let spoolPending: (() => Promise<number>) | null = null;
  let netflowHealth: (() => Record<string, unknown>) | null = null;
  if (publishesFlows(cfg) || hasRole(cfg, "ingest")) {
    await settingUp("flows stream", () => ensureFlowStream(jsm, cfg.NATS_REPLICAS));
  }

  // DISABLE_SCHEDULER stops scheduled sweeps here too, as on the single box.
  if (hasRole(cfg, "scheduler") && deps && !cfg.DISABLE_SCHEDULER) {
    const db = deps.db;
    const ttlMs = cfg.SCHEDULER_LEASE_SECONDS * 1000;
    const scheduler = createClusterScheduler({
      js,
      jsm,
      leases: stateStoreLeases(deps.kv, ttlMs),
      state: deps.kv,
      listSubnets: () => listScanEnabledSubnets(db),
      scope: deps.services.sweeps.env.scope,
      planInputs: async (s) => {
        const exclude = await unscannedWithin(db, s.cidr);
        const holes = parseScanScope(exclude);
        const known = (await knownHostsIn(db, s.cidr)).map((h) => h.ip);
        return { exclude, known: holes.length ? known.filter((ip) => !inScope(ip, holes)) : known };
      },
      now: o.now,
      jitter: cfg.SCAN_JITTER,
      minIntervalS: cfg.SCAN_ICMP_INTERVAL_SECONDS,
      maxSweepPrefix: cfg.MAX_SWEEP_PREFIX,
      instance,
      replicas: cfg.NATS_REPLICAS,
      // The active scheduler alone creates history partitions ahead and rolls history up.
      jobs: historyJobs({ db, now: o.now, rawDays: cfg.HISTORY_RAW_DAYS }),
    });
    const keep = () =>
      scheduler.keepLease().catch((err) =>
        log.warn("scheduler lease check failed", { error: String(err) })
      );
    await keep();
    const leaseTimer = setInterval(keep, Math.max(1000, ttlMs / 3));
    // Ticks are frequent so a new leader picks up within a second or two of taking the lease.
    const tickTimer = setInterval(() => {
      scheduler.tick().catch((err) => log.warn("scheduler tick failed", { error: String(err) }));
    }, 1000);
    // Known hosts between sweeps: pinged by the leading scheduler itself, in-process, and only
    // those of its own SITE (scanners take whole-subnet jobs only; see docs/discovery.md).
    const stopCycle = startKnownHostTicks(
      knownHostCycleFor(deps, { site: cfg.SITE }),
      cfg.SCAN_ICMP_INTERVAL_SECONDS,
      () => scheduler.isLeader(),
    );
    stops.push(async () => {
      clearInterval(leaseTimer);
      clearInterval(tickTimer);
      await stopCycle();
      await scheduler.stop();
    });
    // Scheduled port scans run at the hosts' sites, through the sites' job streams and ingest.
    const ports = deps.services.ports.env;
    const portTask = await startPortScanScheduler(deps, {
      runBatch: createPortDispatch({
        js,
        jsm,
        db,
        defaultSite: cfg.SITE,
        replicas: cfg.NATS_REPLICAS,
        args: () => ports.args,
        timeoutMs: ports.timeoutMs,
        now: o.now,
      }),
    });
    if (portTask) stops.push(() => portTask.stop());
  }

  if (hasRole(cfg, "scanner") && o.spool) {
    const kv = o.spool;
    await settingUp("job stream", () => ensureJobStream(jsm, cfg.SITE, cfg.NATS_REPLICAS));
    const spool = createResultSpool(kv, js);
    spool.start(1000);
    spoolPending = () => spool.pending();
    const portAgent = createPortAgent({
      js,
      site: cfg.SITE,
      instance,
      runner: runCommand,
      isRoot: isRoot(),
      slots: createProbeBudget(cfg.NMAP_MAX_CONCURRENT),
      now: o.now,
    });
    const agent = startScannerAgent({
      js,
      linkUp,
      portJobs: portAgent,
      kv,
      spool,
      site: cfg.SITE,
      instance,
      now: o.now,
      sweepJob: createJobSweeper({
        runner: runCommand,
        budget: createProbeBudget(cfg.PING_WORKERS),
        tunables: {
          timeoutMs: cfg.PING_TIMEOUT_MS,
          retries: cfg.PING_RETRIES,
          maxSweepPrefix: cfg.MAX_SWEEP_PREFIX,
        },
      }),
    });
    log.info("scanner waiting for sweep jobs", { site: cfg.SITE });
    stops.push(async () => {
      await agent.stop();
      await portAgent.stop();
      await spool.stop();
    });
  }

  if (publishesFlows(cfg)) {
    const edge = await startEdgeCollector(cfg, createFlowPublisher({ js, site: cfg.SITE }), o.now);
    if (edge) {
      netflowHealth = edge.health;
      // Beside the web role, the UI's /health and exporters page show it too.
      const undo = deps ? addNetflowHealth(deps, edge.health) : () => {};
      if (edge.collector && deps) deps.services.netflow = edge.collector;
      stops.push(async () => {
        await edge.stop();
        undo();
        if (deps?.services.netflow === edge.collector) deps.services.netflow = null;
      });
    }
  }

  if (hasRole(cfg, "ingest") && deps) {
    const flows = startFlowIngest(js, {
      db: deps.db,
      now: o.now,
      // A collector in this process runs retention itself.
      retention: hasRole(cfg, "collector") && cfg.NETFLOW_ENABLED ? null : {
        flowsDays: cfg.NETFLOW_RETENTION_DAYS,
        rollupsDays: cfg.NETFLOW_ROLLUP_RETENTION_DAYS,
      },
    });
    stops.push(() => flows.stop());
    const ingest = startIngest(js, {
      db: deps.db,
      kv: deps.kv,
      live: deps.services.sweeps.live,
      alerts: deps.services.alerts,
      ports: deps.services.ports.env,
    });
    stops.push(() => ingest.stop());
  }

  return {
    async health() {
      const nats = nc.isClosed() ? "closed" : linkUp() ? "connected" : "disconnected";
      return {
        nats,
        ...(spoolPending ? { spool_pending: await spoolPending() } : {}),
        ...(netflowHealth ? { netflow: netflowHealth() } : {}),
      };
    },
    async stop() {
      for (const stop of stops.reverse()) await stop().catch(() => {});
    },
  };
}
