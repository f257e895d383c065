// Entry point: config → stores → migrations → HTTP (+ scheduler, collector) → clean shutdown.
import { loadConfig } from "@/services/config/config.ts";
import { migrate, openDb, openKv } from "@/services/store/mod.ts";
import { ensureDefaultAdmin } from "@/services/auth/mod.ts";
import { createApp } from "@/app.ts";
import { createDeps, type Deps } from "@/services/services.ts";
import { log, setLogLevel } from "@/services/logger.ts";
import { VERSION } from "@/web/version.ts";
import { startBackground } from "@/services/background.ts";
import { failInterruptedTasks } from "@/services/tasks/mod.ts";
import { validateNmapConfig } from "@/services/portscans/mod.ts";

export async function start() {
  const cfg = loadConfig();
  validateNmapConfig(cfg); // a refused NMAP_ARGS stops start-up before anything opens
  setLogLevel(cfg.LOG_LEVEL);
  const db = await openDb(cfg);
  const applied = await migrate(db);
  if (applied.length) log.info("migrations applied", { applied });
  const kv = await openKv(cfg.KV_PATH);
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
  const app = createApp(deps);
  const background = await startBackground(deps);
  const server = Deno.serve(
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

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    log.info("shutting down");
    await server.shutdown();
    await background.stop(); // flushes buffered writes before the stores close
    kv.close();
    await db.close();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  return { server, stop };
}

if (import.meta.main) {
  try {
    await start();
  } catch (e) {
    console.error(`pingfold: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
