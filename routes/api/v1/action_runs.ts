// /api/v1/action_runs: past and running action runs (live output while running), and cancel.
import { createRoute, z } from "@hono/zod-openapi";
import { cancelRun, getRun, listRuns, RUN_STATUSES } from "@/services/operations/mod.ts";
import { DEFAULT_PAGE_LIMIT, keysetPage, pageResponse } from "@/web/api_paging.ts";
import { apiRouter } from "@/web/api_router.ts";
import {
  errorResponses,
  IdParam,
  idParam,
  intParam,
  jsonResponse,
  security,
} from "@/web/api_schemas.ts";
import { queryText } from "@/web/ipam_schemas.ts";
import { ActionRunSchema, idCursor } from "./_inventory_schemas.ts";

const api = apiRouter();
const tags = ["actions"];

api.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags,
    summary: "Action runs, newest first, with filters",
    security,
    request: {
      query: z.object({
        action_id: idParam().optional(),
        host_id: idParam().optional(),
        username: queryText(100).optional(),
        status: z.enum(RUN_STATUSES).optional(),
        limit: intParam(1, 1000).default(DEFAULT_PAGE_LIMIT),
        cursor: idCursor,
      }),
    },
    responses: { 200: pageResponse(ActionRunSchema, "Runs"), ...errorResponses },
  }),
  async (c) => {
    const q = c.req.valid("query");
    const rows = await listRuns(c.get("deps").db, {
      actionId: q.action_id,
      hostId: q.host_id,
      username: q.username,
      status: q.status,
      limit: q.limit,
      before: q.cursor ? Number(q.cursor) : undefined,
    });
    return c.json(keysetPage(rows, q.limit, (r) => String(r.id)), 200);
  },
);

api.openapi(
  createRoute({
    method: "get",
    path: "/{id}",
    tags,
    summary: "One run: status, exit code, output so far",
    security,
    request: { params: IdParam },
    responses: { 200: jsonResponse(ActionRunSchema, "The run"), ...errorResponses },
  }),
  async (c) => c.json(await getRun(c.get("deps").db, c.req.valid("param").id), 200),
);

api.openapi(
  createRoute({
    method: "post",
    path: "/{id}/cancel",
    tags,
    summary: "Cancel a queued or running run (its process group is killed); 409 when finished",
    security,
    request: { params: IdParam },
    responses: { 200: jsonResponse(ActionRunSchema, "The run"), ...errorResponses },
  }),
  async (c) => {
    const ops = c.get("deps").services.operations;
    return c.json(
      await cancelRun(ops.actions, c.req.valid("param").id, c.get("user")?.username ?? null),
      200,
    );
  },
);

export default api;
