// /api/v1/hosts/{id}/timeline: everything that happened to one host, newest first, paged.
import { createRoute, z } from "@hono/zod-openapi";
import { hostTimeline, TIMELINE_LIMIT_MAX } from "@/services/dashboard/mod.ts";
import { apiRouter } from "@/web/api_router.ts";
import { errorResponses, intParam, jsonResponse, safeString, security } from "@/web/api_schemas.ts";
import { TimelinePageSchema } from "@/web/host_story_schemas.ts";
import { pathIdParam } from "../../_inventory_schemas.ts";

const api = apiRouter();

api.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: ["hosts"],
    summary: "A host's timeline: first seen, edits, up/down and port changes, indicators, " +
      "actions run (newest first)",
    security,
    request: {
      params: z.object({ id: pathIdParam("id") }),
      query: z.object({
        limit: intParam(1, TIMELINE_LIMIT_MAX).optional().openapi({ example: 50 }),
        cursor: safeString().max(64).optional().openapi({
          description: "next_cursor of the previous page",
        }),
      }),
    },
    responses: { 200: jsonResponse(TimelinePageSchema, "Timeline page"), ...errorResponses },
  }),
  async (c) => {
    const q = c.req.valid("query");
    return c.json(
      await hostTimeline(c.get("deps").db, c.req.valid("param").id, {
        limit: q.limit,
        cursor: q.cursor,
      }),
      200,
    );
  },
);

export default api;
