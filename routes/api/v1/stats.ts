// /api/v1/stats: hosts, alive now, scan counts, top open ports and top services.
import { createRoute, z } from "@hono/zod-openapi";
import { StatsSchema } from "@/web/port_schemas.ts";
import { loadStats } from "@/services/dashboard/mod.ts";
import { apiRouter } from "@/web/api_router.ts";
import { errorResponses, intParam, jsonResponse, security } from "@/web/api_schemas.ts";

const api = apiRouter();

api.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: ["stats"],
    summary: "Inventory and scan statistics for the dashboard",
    description: "`alive` comes from the live state; `*_24h` counts the last 24 hours; top " +
      "lists count hosts with the port or service open in their current snapshot.",
    security,
    request: {
      query: z.object({ top: intParam(1, 100).default(10) }),
    },
    responses: { 200: jsonResponse(StatsSchema, "Statistics"), ...errorResponses },
  }),
  async (c) => c.json(await loadStats(c.get("deps"), { top: c.req.valid("query").top }), 200),
);

export default api;
