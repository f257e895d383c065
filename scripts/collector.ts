// CLI: `deno task collector` runs the NetFlow/IPFIX collector alone (no web app): config from the
// environment / .env as for main.ts, flows stored in the same database. Stops on SIGINT/SIGTERM
// after storing every queued record and saving the templates.
import { loadConfig } from "@/services/config/config.ts";
import { collectorOptionsFromConfig, startCollector } from "@/services/netflow/mod.ts";
import { migrate, openDb } from "@/services/store/mod.ts";
import { log, setLogLevel } from "@/services/logger.ts";
import { runCli } from "./cli_support.ts";

const USAGE = `usage: deno task collector

Listens for NetFlow v5/v9 and IPFIX on udp NETFLOW_BIND_HOST:NETFLOW_BIND_PORT (default
HOST:2055, HOST being 127.0.0.1 unless set) and stores flows in the configured database (DATABASE_URL, else PGlite in
DATA_DIR). NETFLOW_ENABLED is ignored here: it only says whether the web app starts a collector.
With PGlite, do not run the web app on the same DATA_DIR at the same time: use PostgreSQL when
the collector runs as a process of its own. See docs/netflow.md for every setting.`;

async function main(): Promise<void> {
  const cfg = loadConfig();
  setLogLevel(cfg.LOG_LEVEL);
  const db = await openDb(cfg);
  try {
    await migrate(db);
    if (!cfg.DATABASE_URL) {
      log.warn("collector on PGlite: do not run the web app on this DATA_DIR at the same time", {
        data_dir: cfg.DATA_DIR,
      });
    }
    // Listen for the signals before starting: a SIGTERM that arrives while the collector starts
    // (it may already log received packets) still stops it cleanly instead of killing the process.
    const done = Promise.withResolvers<void>();
    const stop = () => done.resolve();
    for (const s of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(s, stop);
    const collector = await startCollector({ db, now: Date.now }, collectorOptionsFromConfig(cfg));
    await done.promise;
    log.info("collector stopping");
    await collector.stop();
    for (const s of ["SIGINT", "SIGTERM"] as const) Deno.removeSignalListener(s, stop);
  } finally {
    await db.close();
  }
}

if (import.meta.main) {
  if (Deno.args.includes("--help") || Deno.args.includes("-h")) {
    console.log(USAGE);
    Deno.exit(0);
  }
  await runCli(main);
}
