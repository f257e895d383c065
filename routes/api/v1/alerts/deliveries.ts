// GET /api/v1/alerts/deliveries: the delivery log (status, attempts, latency, last error).
import { createRoute, z } from "@hono/zod-openapi";
import { listDeliveries } from "@/services/alerts/mod.ts";
import { cursorOf, limitQuery } from "@/web/port_schemas.ts";
import { apiRouter } from "@/web/api_router.ts";
import { errorResponses, idParam, safeString, security } from "@/web/api_schemas.ts";
import { keysetPage, pageResponse } from "@/web/api_paging.ts";
import { DeliverySchema } from "./_schemas.ts";

const api = apiRouter();

api.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: ["alerts"],
    summary: "Deliveries, newest first",
    description: "`queued` rows with attempts > 0 are waiting for a retry (next_attempt_at). " +
      "Page with `cursor` = the previous page's `next_cursor`.",
    security,
    request: {
      query: z.object({
        limit: limitQuery(100),
        cursor: cursorOf((c) => /^\d{1,15}$/.test(c)),
        target_id: idParam().optional(),
        event_id: idParam().optional(),
        status: z.enum(["queued", "sending", "succeeded", "failed"]).optional(),
        kind: safeString().max(40).optional(),
      }),
    },
    responses: { 200: pageResponse(DeliverySchema, "Deliveries"), ...errorResponses },
  }),
  async (c) => {
    const q = c.req.valid("query");
    const rows = await listDeliveries(c.get("deps").db, {
      limit: q.limit + 1,
      beforeId: q.cursor ? Number(q.cursor) : undefined,
      targetId: q.target_id,
      eventId: q.event_id,
      status: q.status,
      kind: q.kind,
    });
    return c.json(keysetPage(rows, q.limit, (d) => String(d.id)), 200);
  },
);

export default api;
