// /api/v1/hosts/{id}/traffic: one host's NetFlow traffic (peers, ports, series, split).
import { createRoute, z } from "@hono/zod-openapi";
import { hostTraffic, parseWindow } from "@/services/netflow/mod.ts";
import { requireHost } from "@/services/ipam/mod.ts";
import { apiRouter } from "@/web/api_router.ts";
import { errorResponses, intParam, jsonResponse, security } from "@/web/api_schemas.ts";
import { HostTrafficSchema } from "@/web/host_story_schemas.ts";
import { WindowQuery } from "@/web/netflow_schemas.ts";
import { pathIdParam } from "../../_inventory_schemas.ts";

const api = apiRouter();

api.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: ["hosts", "netflow"],
    summary: "A host's traffic from NetFlow: top peers and ports, bytes over time, " +
      "internal/external split",
    security,
    request: {
      params: z.object({ id: pathIdParam("id") }),
      query: z.object({
        ...WindowQuery,
        limit: intParam(1, 100).optional().openapi({ example: 10 }),
      }),
    },
    responses: { 200: jsonResponse(HostTrafficSchema, "Traffic of the host"), ...errorResponses },
  }),
  async (c) => {
    const { db, now } = c.get("deps");
    const q = c.req.valid("query");
    const host = await requireHost(db, c.req.valid("param").id);
    const w = parseWindow(q, now());
    return c.json(await hostTraffic(db, host.ip, w, q.limit ?? 10), 200);
  },
);

export default api;
