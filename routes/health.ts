// GET /health: is the app able to reach its SQL database and its KV store? It answers within a
// second under any load (services/store/health_probe.ts); a role process without the web UI
// answers the same path from web/role_health_server.ts.
import type { AppContext } from "@/web/env.ts";
import { VERSION } from "@/web/version.ts";
import { dbHealth, kvHealth } from "@/services/store/mod.ts";

export async function GET(c: AppContext) {
  const { db, kv, services } = c.get("deps");
  const [dbState, kvState] = await Promise.all([dbHealth(db), kvHealth(kv)]);
  const ok = dbState === "ok" && kvState === "ok";
  const extra = services.healthExtras ? await services.healthExtras() : {};
  return c.json(
    { status: ok ? "ok" : "degraded", db: dbState, kv: kvState, version: VERSION, ...extra },
    ok ? 200 : 503,
  );
}
