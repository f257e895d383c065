// /api/v1/services: which services the current port snapshots show, and on which hosts.
import { pageResponse } from "@/web/api_paging.ts";
import { createRoute, z } from "@hono/zod-openapi";
import {
  cursorOf,
  limitQuery,
  ServiceLocationSchema,
  ServiceSummarySchema,
} from "@/web/port_schemas.ts";
import {
  listServices,
  serviceLocations,
  validLocationCursor,
  validServiceCursor,
} from "@/services/portscans/mod.ts";
import { apiRouter } from "@/web/api_router.ts";
import { errorResponses, intParam, safeString, security } from "@/web/api_schemas.ts";

const api = apiRouter();
const tags = ["ports"];

api.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags,
    summary: "Services on open ports, most widespread first",
    description: "One item per service name nmap reported on a currently open port, with how " +
      "many hosts run it, on which port numbers, and which products. Names are verbatim " +
      '("" = unidentified). GET /api/v1/services/hosts lists where each runs.',
    security,
    request: { query: z.object({ limit: limitQuery(100), cursor: cursorOf(validServiceCursor) }) },
    responses: {
      200: pageResponse(ServiceSummarySchema, "Services"),
      ...errorResponses,
    },
  }),
  async (c) => {
    const q = c.req.valid("query");
    return c.json(await listServices(c.get("deps").db, q), 200);
  },
);

api.openapi(
  createRoute({
    method: "get",
    path: "/hosts",
    tags,
    summary: "Where services run: open ports with their host, in address order",
    security,
    request: {
      query: z.object({
        service: safeString().max(256).optional().openapi({
          description: "Exact service name (an empty value selects unidentified services)",
          example: "ssh",
        }),
        port: intParam(0, 65535).optional(),
        proto: z.enum(["tcp", "udp", "sctp", "ip"]).optional(),
        limit: limitQuery(100),
        cursor: cursorOf(validLocationCursor),
      }),
    },
    responses: {
      200: pageResponse(ServiceLocationSchema, "Locations"),
      ...errorResponses,
    },
  }),
  async (c) => {
    const q = c.req.valid("query");
    return c.json(await serviceLocations(c.get("deps").db, q), 200);
  },
);

export default api;
