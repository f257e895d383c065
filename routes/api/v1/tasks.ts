// /api/v1/tasks: the state of long-running work started elsewhere (202 responses point here).
import { listResponse, wholeList } from "@/web/api_paging.ts";
import { createRoute, z } from "@hono/zod-openapi";
import { AppError } from "@/services/errors.ts";
import { markQueuedRunCancelled } from "@/services/operations/mod.ts";
import { apiRouter } from "@/web/api_router.ts";
import { errorResponses, intParam, jsonResponse, safeString, security } from "@/web/api_schemas.ts";

const api = apiRouter();

export const TaskSchema = z.object({
  id: safeString(),
  kind: safeString(),
  status: z.enum(["queued", "running", "succeeded", "failed"]),
  progress: z.number(),
  note: safeString().nullable(),
  target: safeString().nullable(),
  result: z.unknown(),
  error: safeString().nullable(),
  created_by: safeString().nullable(),
  created_at: safeString(),
  started_at: safeString().nullable(),
  finished_at: safeString().nullable(),
}).openapi("Task");

api.openapi(
  createRoute({
    method: "get",
    path: "/{id}",
    tags: ["tasks"],
    summary: "State, progress and result of one task",
    security,
    request: {
      params: z.object({ id: safeString().openapi({ param: { name: "id", in: "path" } }) }),
    },
    responses: { 200: jsonResponse(TaskSchema, "The task"), ...errorResponses },
  }),
  async (c) => c.json(await c.get("deps").services.tasks.get(c.req.valid("param").id), 200),
);

api.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: ["tasks"],
    summary: "Recent tasks, newest first",
    security,
    request: {
      query: z.object({
        kind: safeString().max(50).optional(),
        status: z.enum(["queued", "running", "succeeded", "failed"]).optional(),
        limit: intParam(1, 1000).default(100),
      }),
    },
    responses: {
      200: listResponse(TaskSchema, "Tasks"),
      ...errorResponses,
    },
  }),
  async (c) => {
    const q = c.req.valid("query");
    return c.json(wholeList(await c.get("deps").services.tasks.list(q)), 200);
  },
);

api.openapi(
  createRoute({
    method: "post",
    path: "/{id}/cancel",
    tags: ["tasks"],
    summary: "Cancel a queued or running task of this instance (409 when it is not open)",
    security,
    request: {
      params: z.object({ id: safeString().openapi({ param: { name: "id", in: "path" } }) }),
    },
    responses: { 200: jsonResponse(TaskSchema, "The task"), ...errorResponses },
  }),
  async (c) => {
    const deps = c.get("deps");
    const { id } = c.req.valid("param");
    const task = await deps.services.tasks.get(id); // 404 first
    const by = c.get("user")?.username ?? null;
    // Action runs have their own runner; any runner cancels any open task of this process.
    if (!(await deps.services.tasks.cancel(id, by))) {
      throw new AppError(409, "not_running", `task ${id} is ${task.status}, not queued or running`);
    }
    if (task.kind === "action_run") await markQueuedRunCancelled(deps.db, id);
    return c.json(await deps.services.tasks.get(id), 200);
  },
);

export default api;
