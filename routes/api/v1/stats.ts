// /api/v1/stats: hosts, alive now, scan counts, top open ports and top services; plus inventory
// totals (servers, organizations, scan results, indicators, action runs) and a chosen window.
import { createRoute, z } from "@hono/zod-openapi";
import { StatsSchema } from "@/web/port_schemas.ts";
import { loadStats } from "@/services/dashboard/mod.ts";
import { apiRouter } from "@/web/api_router.ts";
import { errorResponses, intParam, jsonResponse, safeString, security } from "@/web/api_schemas.ts";
import { inventoryStats } from "@/services/operations/mod.ts";

const api = apiRouter();

const Top = z.object({
  port: z.number().int(),
  proto: safeString(),
  service: safeString(),
  hosts: z.number().int(),
  observations: z.number().int(),
});
const FullStatsSchema = StatsSchema.extend({
  servers: z.number().int(),
  organizations: z.number().int(),
  scan_results: z.object({
    total: z.number().int(),
    ping: z.number().int(),
    sweep: z.number().int(),
    port_scan: z.number().int(),
  }),
  indicators: z.object({
    ok: z.number().int(),
    warning: z.number().int(),
    critical: z.number().int(),
    unknown: z.number().int(),
  }),
  action_runs: z.object({ total: z.number().int(), failed: z.number().int() }),
  window: z.object({
    name: safeString(),
    since: safeString().nullable(),
    scans: z.number().int(),
    port_observations: z.number().int(),
    top_open_ports: z.array(Top),
    top_services: z.array(Top.pick({ service: true, hosts: true, observations: true })),
  }).openapi({
    description: "Open ports and services observed by scans that started inside the window " +
      "(scheduled and ad-hoc), counted by distinct address",
  }),
}).openapi("FullStats");

api.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: ["stats"],
    summary: "Inventory and scan statistics for the dashboard",
    description: "`alive` comes from the live state; `*_24h` counts the last 24 hours; top " +
      "lists count hosts with the port or service open in their current snapshot; `window` " +
      "(`all`, or e.g. `24h`, `7d`) bounds the `window` block.",
    security,
    request: {
      query: z.object({
        top: intParam(1, 100).default(10),
        window: safeString().max(10).default("all"),
      }),
    },
    responses: { 200: jsonResponse(FullStatsSchema, "Statistics"), ...errorResponses },
  }),
  async (c) => {
    const deps = c.get("deps");
    const q = c.req.valid("query");
    const [base, inv] = await Promise.all([
      loadStats(deps, { top: q.top }),
      inventoryStats(deps.db, { now: deps.now(), window: q.window, top: q.top }),
    ]);
    return c.json({ ...base, ...inv }, 200);
  },
);

export default api;
