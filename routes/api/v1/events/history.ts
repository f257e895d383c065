// GET /api/v1/events/history: recorded alert events (the events feed), newest first.
import { createRoute, z } from "@hono/zod-openapi";
import { EVENT_KINDS, isEventKind, listEvents } from "@/services/alerts/mod.ts";
import { AppError } from "@/services/errors.ts";
import { cursorOf, limitQuery } from "@/web/port_schemas.ts";
import { apiRouter } from "@/web/api_router.ts";
import { errorResponses, idParam, safeString, security } from "@/web/api_schemas.ts";
import { keysetPage, pageResponse } from "@/web/api_paging.ts";
import { AlertEventSchema } from "../alerts/_schemas.ts";

const api = apiRouter();

const time = (field: string) =>
  safeString().max(40).refine((v) => Number.isFinite(Date.parse(v)), `${field}: expected ISO 8601`)
    .optional();

api.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: ["alerts"],
    summary: "Event history (down, up, new device, ports, indicators, failing scans, exporters)",
    description: "Every event, whether or not a rule sent it. `kind` takes a comma-separated " +
      "list; `subnet_id` includes hosts of child subnets; `since`/`until` are ISO 8601. Live " +
      "events arrive on GET /api/v1/events as `event: alert`.",
    security,
    request: {
      query: z.object({
        limit: limitQuery(100),
        cursor: cursorOf((c) => /^\d{1,15}$/.test(c)),
        kind: safeString().max(300).optional().openapi({ example: "host_down,host_up" }),
        subnet_id: idParam().optional(),
        host_id: idParam().optional(),
        since: time("since"),
        until: time("until"),
      }),
    },
    responses: { 200: pageResponse(AlertEventSchema, "Events"), ...errorResponses },
  }),
  async (c) => {
    const q = c.req.valid("query");
    const kinds = q.kind?.split(",").map((s) => s.trim()).filter(Boolean);
    const bad = kinds?.find((k) => !isEventKind(k));
    if (bad) {
      throw new AppError(
        422,
        "validation_failed",
        `invalid query: kind: unknown kind ${JSON.stringify(bad)}; expected ${
          EVENT_KINDS.join(", ")
        }`,
      );
    }
    const rows = await listEvents(c.get("deps").db, {
      limit: q.limit + 1,
      beforeId: q.cursor ? Number(q.cursor) : undefined,
      kinds: kinds as never,
      subnetId: q.subnet_id,
      hostId: q.host_id,
      since: q.since ? Date.parse(q.since) : undefined,
      until: q.until ? Date.parse(q.until) : undefined,
    });
    return c.json(keysetPage(rows, q.limit, (e) => String(e.id)), 200);
  },
);

export default api;
