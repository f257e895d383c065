// /api/v1/scanner/portscans: the port-scan run log (one row per host per scan), newest first.
import { pageResponse } from "@/web/api_paging.ts";
import { createRoute, z } from "@hono/zod-openapi";
import { cursorOf, limitQuery, PortScanSchema } from "@/web/port_schemas.ts";
import { listPortScans } from "@/services/portscans/mod.ts";
import { apiRouter } from "@/web/api_router.ts";
import { errorResponses, idParam, security } from "@/web/api_schemas.ts";

const api = apiRouter();

api.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: ["scanner"],
    summary: "Port scans, newest first (scheduled and manual, with args, outcome and errors)",
    description: "Hosts scanned by one nmap run share `batch_id`. Page with `cursor` = the " +
      "previous page's `next_cursor`.",
    security,
    request: {
      query: z.object({
        limit: limitQuery(100),
        cursor: cursorOf((c) => /^\d{1,15}$/.test(c)),
        host_id: idParam().optional(),
        status: z.enum(["succeeded", "failed", "aborted"]).optional(),
        trigger: z.enum(["schedule", "manual"]).optional(),
      }),
    },
    responses: {
      200: pageResponse(PortScanSchema, "Port scans"),
      ...errorResponses,
    },
  }),
  async (c) => {
    const q = c.req.valid("query");
    return c.json(
      await listPortScans(c.get("deps").db, {
        limit: q.limit,
        beforeId: q.cursor ? Number(q.cursor) : undefined,
        hostId: q.host_id,
        status: q.status,
        trigger: q.trigger,
      }),
      200,
    );
  },
);

export default api;
