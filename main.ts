// Entry point: config → stores → migrations → HTTP (+ scheduler, collector) → clean shutdown.
// ROLE picks the parts this process runs; scaled out (NATS_URL) they talk through NATS.
import {
  type Config,
  hasRole,
  isClustered,
  parseConfig,
  readEnv,
  type Role,
  unknownSettings,
} from "@/services/config/config.ts";
import { type ClusterRuntime, roleHealth, startCluster } from "@/services/cluster/mod.ts";
import { serveRoleHealth } from "@/web/role_health_server.ts";
import {
  connectNats,
  enableReadMemo,
  liveStateChanged,
  migrate,
  NatsCredentialsError,
  natsSettingsOf,
  openDb,
  openKv,
  openStateStore,
} from "@/services/store/mod.ts";
import type { NatsConnection } from "@nats-io/transport-node";
import { ensureDefaultAdmin } from "@/services/auth/mod.ts";
import { createApp } from "@/app.ts";
import { createDeps, type Deps } from "@/services/services.ts";
import { log, setLogLevel } from "@/services/logger.ts";
import { VERSION } from "@/web/version.ts";
import { startBackground } from "@/services/background.ts";
import { failInterruptedTasks } from "@/services/tasks/mod.ts";
import { validateNmapConfig } from "@/services/portscans/mod.ts";
import { enableHostStateCache } from "@/services/ipam/mod.ts";
import { startMemoryTrim } from "@/services/memory_trim.ts";

export async function start() {
  const env = readEnv();
  const cfg = parseConfig(env);
  validateNmapConfig(cfg); // a refused NMAP_ARGS stops start-up before anything opens
  setLogLevel(cfg.LOG_LEVEL);
  log.debug("settings in force", {
    engine: cfg.DATABASE_URL ? "postgres" : "pglite",
    scheduler: !cfg.DISABLE_SCHEDULER,
    sweep_interval_minutes: cfg.SCAN_SWEEP_INTERVAL_MINUTES,
    icmp_interval_seconds: cfg.SCAN_ICMP_INTERVAL_SECONDS,
    nmap_scheduler: cfg.ENABLE_NMAP_SCHEDULER,
    nmap_interval_minutes: cfg.SCAN_NMAP_INTERVAL_MINUTES,
    netflow: cfg.NETFLOW_ENABLED,
  });
  for (const name of unknownSettings(env)) {
    log.warn(`${name} is not a Pingfold setting and is ignored (see the README's configuration)`, {
      setting: name,
    });
  }
  // Scaled out, one NATS connection serves the state store and the job and result streams.
  const nc = isClustered(cfg) ? await connectCluster(cfg) : null;
  if (nc && cfg.ROLE.every((r) => EDGE_ROLES.includes(r))) return await startEdge(cfg, nc);
  const db = await openDb(cfg);
  const applied = await migrate(db);
  if (applied.length) log.info("migrations applied", { applied });
  const kv = await openStateStore(cfg, nc ? { nc } : {});
  // Host state is read by every page and API list: one shared scan per HOST_STATE_CACHE_MS.
  enableHostStateCache(kv, { maxAgeMs: cfg.HOST_STATE_CACHE_MS });
  const interrupted = await failInterruptedTasks(db);
  if (interrupted) log.warn("tasks interrupted by the last stop marked failed", { interrupted });
  const admin = await ensureDefaultAdmin(db, cfg.ADMIN_PASSWORD);
  if (admin.created) {
    log.warn(
      cfg.ADMIN_PASSWORD
        ? "created user admin with ADMIN_PASSWORD"
        : "created user admin with password admin; you must change it at first login",
    );
  }
  const deps: Deps = createDeps({ cfg, db, kv, now: Date.now, version: VERSION });
  // Identical reads (dashboard data, host-list pages, token owners) share one per READ_CACHE_MS.
  enableReadMemo(db, { maxAgeMs: cfg.READ_CACHE_MS });
  // A live change (a flip here, or through NATS in another process) makes memoized reads of live
  // state stale at once (refreshed in the background while their old result serves, see
  // read_memo.ts): subscribed before any SSE stream, so a page that re-reads on the event gets
  // the refresh that the event started.
  deps.services.sweeps.live.subscribe(() => liveStateChanged(db));
  const app = hasRole(cfg, "web") ? createApp(deps) : null;
  const background = await startBackground(deps);
  const spool = nc && hasRole(cfg, "scanner") ? await openKv(spoolPath(cfg)) : null;
  const cluster: ClusterRuntime | null = nc
    ? await startCluster({ cfg, nc, deps, spool, now: Date.now })
    : null;
  const server = !app ? null : Deno.serve(
    {
      hostname: cfg.HOST,
      port: cfg.PORT,
      onListen: ({ hostname, port }) =>
        log.info("listening", {
          url: `http://${hostname}:${port}/`,
          engine: db.engine,
          version: VERSION,
        }),
    },
    app.fetch,
  );
  if (!server) log.info("started", { roles: cfg.ROLE, site: cfg.SITE, version: VERSION });
  // Without the web UI, GET /health alone, so every role can be watched (see serveRoleHealth).
  const healthServer = server || !cluster ? null : serveRoleHealth({
    hostname: cfg.HOST,
    port: cfg.PORT,
    report: () =>
      roleHealth({
        roles: cfg.ROLE,
        site: cfg.SITE,
        version: VERSION,
        cluster,
        db,
        kv,
        extras: deps.services.healthExtras,
      }),
  });

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    log.info("shutting down");
    await server?.shutdown();
    await healthServer?.shutdown();
    await cluster?.stop();
    await background.stop(); // flushes buffered writes before the stores close
    await kv.close();
    spool?.close();
    await nc?.drain().catch(() => {});
    await db.close();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  // After start-up (migrations, a first PGlite start): what they freed goes back at once.
  startMemoryTrim(cfg.MEMORY_TRIM_SECONDS * 1000);
  return { server, stop };
}

/** Connects to NATS_URL, waiting for a server; a refused login names the settings to check. */
async function connectCluster(cfg: Config): Promise<NatsConnection> {
  try {
    return await connectNats({
      ...natsSettingsOf(cfg, `pingfold ${cfg.ROLE.join(",")} ${cfg.SITE}`),
      waitForServer: true,
    });
  } catch (e) {
    if (e instanceof NatsCredentialsError) throw e; // names its setting and file already
    const msg = (e as Error).message;
    const hint = /authori[sz]ation|authentication|permission/i.test(msg)
      ? " (check NATS_USER/NATS_PASSWORD, NATS_CREDS or NATS_NKEY_SEED_FILE)"
      : "";
    throw new Error(`NATS_URL=${cfg.NATS_URL}: ${msg}${hint}`);
  }
}

/**
 * The scanner's own Deno KV (its result spool): KV_PATH, unless the state store already keeps
 * the current state there (STATE_STORE=kv), then a file beside it.
 */
function spoolPath(cfg: Config): string {
  if (cfg.STATE_STORE !== "kv" || cfg.KV_PATH === ":memory:") return cfg.KV_PATH;
  return cfg.KV_PATH.replace(/[^/]*$/, "scanner_spool.sqlite3");
}

/** Roles that need nothing but NATS: their results and flows go through it to the ingest role. */
const EDGE_ROLES: readonly Role[] = ["scanner", "collector"];

/**
 * A scanner and/or collector alone opens no database and serves only GET /health: a remote site
 * reaches only NATS. A scanner's spool is its own Deno KV; a collector's is its disk spool.
 */
async function startEdge(cfg: Config, nc: NatsConnection) {
  const kv = hasRole(cfg, "scanner") ? await openKv(spoolPath(cfg)) : null;
  const cluster = await startCluster({ cfg, nc, deps: null, spool: kv, now: Date.now });
  log.info("started", { roles: cfg.ROLE, site: cfg.SITE, version: VERSION });
  const healthServer = serveRoleHealth({
    hostname: cfg.HOST,
    port: cfg.PORT,
    report: () =>
      roleHealth({ roles: cfg.ROLE, site: cfg.SITE, version: VERSION, cluster, db: null, kv }),
  });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    log.info("shutting down");
    await healthServer?.shutdown();
    await cluster.stop();
    kv?.close();
    await nc.drain().catch(() => {});
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  startMemoryTrim(cfg.MEMORY_TRIM_SECONDS * 1000);
  return { server: null, stop };
}

if (import.meta.main) {
  try {
    await start();
  } catch (e) {
    console.error(`pingfold: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
