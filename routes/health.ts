// GET /health: is the app able to reach its SQL database and its KV store?
import type { AppContext } from "@/web/env.ts";
import { VERSION } from "@/web/version.ts";
import { pingDb } from "@/services/store/mod.ts";

async function check(probe: () => Promise<unknown>, timeoutMs = 2000): Promise<string> {
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => setTimeout(() => reject(new Error("timed out")), timeoutMs)),
    ]);
    return "ok";
  } catch (e) {
    return `error: ${(e as Error).message}`.slice(0, 200);
  }
}

export async function GET(c: AppContext) {
  const { db, kv, services } = c.get("deps");
  const [dbState, kvState] = await Promise.all([
    check(() => pingDb(db)),
    check(() => kv.get(["health"])),
  ]);
  const ok = dbState === "ok" && kvState === "ok";
  const extra = services.healthExtras ? await services.healthExtras() : {};
  return c.json(
    { status: ok ? "ok" : "degraded", db: dbState, kv: kvState, version: VERSION, ...extra },
    ok ? 200 : 503,
  );
}
