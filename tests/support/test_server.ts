// A real Pingfold HTTP server on a random loopback port, for browser and load tests.
import { openKvStateStore } from "@/services/store/mod.ts";
import { createApp } from "@/app.ts";
import { parseConfig } from "@/services/config/config.ts";
import { ensureDefaultAdmin } from "@/services/auth/mod.ts";
import { createDeps, type Deps } from "@/services/services.ts";
import { VERSION } from "@/web/version.ts";
import { startBackground } from "@/services/background.ts";
import { setLogLevel } from "@/services/logger.ts";
import { TEST_SCAN_SCOPE } from "./test_scope.ts";
import { type Engine, openTestDb } from "./test_db.ts";

export interface TestServer {
  url: string;
  deps: Deps;
  engine: Engine;
  stop(): Promise<void>;
}

/**
 * Starts the app like main.ts does, on a fresh database. With no ADMIN_PASSWORD in `env`
 * the admin starts on admin/admin and must change it, exactly as on a first install.
 * `background: true` also starts the scheduler and collectors (DISABLE_SCHEDULER=0).
 */
export async function startTestServer(
  engine: Engine,
  env: Record<string, string> = {},
  opts: { background?: boolean } = {},
): Promise<TestServer> {
  const { db, dispose } = await openTestDb(engine);
  const kv = await openKvStateStore(":memory:");
  const cfg = parseConfig({
    DISABLE_SCHEDULER: "1",
    LOG_LEVEL: "error",
    // A background NetFlow collector in tests listens on loopback only, on a random port.
    NETFLOW_BIND_HOST: "127.0.0.1",
    NETFLOW_BIND_PORT: "0",
    // Tests probe loopback and the lab ranges: the scope says so explicitly.
    SCAN_SCOPE: TEST_SCAN_SCOPE,
    ...env,
  });
  setLogLevel(cfg.LOG_LEVEL);
  await ensureDefaultAdmin(db, cfg.ADMIN_PASSWORD);
  const deps: Deps = createDeps({ cfg, db, kv, now: Date.now, version: VERSION });
  const app = createApp(deps);
  const background = opts.background ? await startBackground(deps) : { stop: async () => {} };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, app.fetch);
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    deps,
    engine,
    async stop() {
      await server.shutdown();
      await background.stop();
      kv.close();
      await dispose();
    },
  };
}
