// The one HTTP listener of a process without the web UI: GET /health on HOST:PORT, nothing else,
// so container health checks and operators can watch scanners, schedulers, ingest and collectors.
import { log } from "@/services/logger.ts";
import type { RoleHealth } from "@/services/cluster/mod.ts";

/**
 * Serves `report` at GET /health. A port already taken (two roles on one host, both on the
 * default PORT) is logged and the role runs on without a listener: its work matters more.
 */
export function serveRoleHealth(o: {
  hostname: string;
  port: number;
  report: () => Promise<RoleHealth>;
}): Deno.HttpServer | null {
  const json = (body: unknown, status: number) =>
    new Response(JSON.stringify(body), {
      status,
      headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" },
    });
  const handler = async (req: Request) => {
    const { pathname } = new URL(req.url);
    if (pathname !== "/health") {
      return json(
        { error: { code: "not_found", message: "only GET /health is served here" } },
        404,
      );
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      return json({ error: { code: "method_not_allowed", message: "use GET /health" } }, 405);
    }
    const r = await o.report();
    return json(r.body, r.ok ? 200 : 503);
  };
  try {
    return Deno.serve({
      hostname: o.hostname,
      port: o.port,
      onListen: ({ hostname, port }) =>
        log.info("health check listening", { url: `http://${hostname}:${port}/health` }),
    }, handler);
  } catch (e) {
    log.error("health check not served: set PORT to a free port for this role", {
      host: o.hostname,
      port: o.port,
      error: (e as Error).message,
    });
    return null;
  }
}
