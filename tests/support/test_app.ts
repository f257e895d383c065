// An in-process Pingfold per test and engine: real DB, in-memory KV, helpers to log in and call the API.
import { openKvStateStore } from "@/services/store/mod.ts";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { createApp } from "@/app.ts";
import { parseConfig } from "@/services/config/config.ts";
import { ensureDefaultAdmin } from "@/services/auth/mod.ts";
import type { AppEnv } from "@/web/env.ts";
import { createDeps, type Deps } from "@/services/services.ts";
import { setLogLevel } from "@/services/logger.ts";
import { VERSION } from "@/web/version.ts";
import type { Db, StateStore } from "@/services/store/mod.ts";
import { TEST_SCAN_SCOPE } from "./test_scope.ts";
import { type Engine, ENGINES, openTestDb } from "./test_db.ts";

setLogLevel("error");

export const TEST_ADMIN_PASSWORD = "correct-horse-battery";

export interface Session {
  cookie: string;
  csrf: string;
}

export interface TestApp {
  app: OpenAPIHono<AppEnv>;
  deps: Deps;
  db: Db;
  kv: StateStore;
  engine: Engine;
  clock: { now: number };
  /** Logs in through the JSON API and returns the cookie and CSRF token. */
  login(username?: string, password?: string): Promise<Session>;
  /** Calls the app as a logged-in admin (session + CSRF) unless `as` says otherwise. */
  call(
    method: string,
    path: string,
    opts?: {
      json?: unknown;
      body?: BodyInit;
      headers?: Record<string, string>;
      as?: Session | null;
    },
  ): Promise<Response>;
  admin: Session;
}

export function cookieFrom(res: Response, name = "pf_session"): string {
  const all = res.headers.getSetCookie();
  const found = all.find((c) => c.startsWith(`${name}=`));
  if (!found) throw new Error(`no ${name} cookie in ${JSON.stringify(all)}`);
  return found.split(";")[0];
}

export async function makeTestApp(
  engine: Engine,
  env: Record<string, string> = {},
): Promise<{ t: TestApp; dispose: () => Promise<void> }> {
  const { db, dispose } = await openTestDb(engine);
  const kv = await openKvStateStore(":memory:");
  const cfg = parseConfig({
    DISABLE_SCHEDULER: "1",
    ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    // Tests probe loopback and the lab ranges: the scope says so explicitly.
    SCAN_SCOPE: TEST_SCAN_SCOPE,
    ...env,
  });
  const clock = { now: Date.now() };
  const deps: Deps = createDeps({ cfg, db, kv, now: () => clock.now, version: VERSION });
  await ensureDefaultAdmin(db, cfg.ADMIN_PASSWORD);
  const app = createApp(deps);

  const login = async (username = "admin", password = TEST_ADMIN_PASSWORD) => {
    const res = await app.request("/api/v1/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username, password }),
    });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
    const body = await res.json();
    return { cookie: cookieFrom(res), csrf: body.csrf_token as string };
  };
  const admin = await login();
  const t: TestApp = {
    app,
    deps,
    db,
    kv,
    engine,
    clock,
    login,
    admin,
    async call(method, path, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      const who = opts.as === undefined ? admin : opts.as;
      if (who) {
        headers.cookie = who.cookie;
        headers["x-csrf-token"] ??= who.csrf;
      }
      let body = opts.body;
      if (opts.json !== undefined) {
        body = JSON.stringify(opts.json);
        headers["content-type"] ??= "application/json";
      }
      return await app.request(path, { method, headers, body });
    },
  };
  return {
    t,
    dispose: async () => {
      // Tasks a test started (a sweep's follow-up work) finish before their stores close, bounded.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        deps.services.tasks.drain().catch(() => {}),
        new Promise((r) => (timer = setTimeout(r, 15_000))),
      ]);
      clearTimeout(timer);
      try {
        kv.close();
      } catch { /* a test may have closed it on purpose */ }
      await dispose();
    },
  };
}

/** Registers `name [engine]` for each engine, each with its own fresh app. */
export function appTest(
  name: string,
  fn: (t: TestApp) => Promise<void>,
  env: Record<string, string> = {},
) {
  for (const engine of ENGINES) {
    Deno.test({
      name: `${name} [${engine}]`,
      sanitizeOps: false,
      sanitizeResources: false,
      async fn() {
        const { t, dispose } = await makeTestApp(engine, env);
        try {
          await fn(t);
        } finally {
          await dispose();
        }
      },
    });
  }
}
