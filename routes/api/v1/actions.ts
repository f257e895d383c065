// /api/v1/actions: admin-defined executables inside ACTIONS_DIR, and running one on a host as a
// tracked task (202 + task_id; the run's output at /api/v1/action_runs/{id}).
import { createRoute, z } from "@hono/zod-openapi";
import { requireRole } from "@/services/auth/mod.ts";
import {
  ActionInputSchema,
  ActionPatchSchema,
  createAction,
  deleteAction,
  getAction,
  listActions,
  mayRun,
  startRun,
  updateAction,
} from "@/services/operations/mod.ts";
import { apiRouter } from "@/web/api_router.ts";
import { errorResponses, IdParam, jsonBody, jsonResponse, security } from "@/web/api_schemas.ts";
import type { AppContext } from "@/web/env.ts";
import { ActionSchema, DeletedSchema, RunAcceptedSchema } from "./_inventory_schemas.ts";

const api = apiRouter();
const tags = ["actions"];

const admin = (c: AppContext) => requireRole(c.get("user"), "admin");

api.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags,
    summary: "Actions (with `may_run` for the caller)",
    security,
    responses: {
      200: jsonResponse(
        z.object({
          items: z.array(ActionSchema.extend({ may_run: z.boolean() })),
          next_cursor: z.null(),
        }),
        "Actions",
      ),
      ...errorResponses,
    },
  }),
  async (c) => {
    const role = c.get("user")!.role;
    const items = (await listActions(c.get("deps").db)).map((a) => ({
      ...a,
      may_run: mayRun(a, role),
    }));
    return c.json({ items, next_cursor: null }, 200);
  },
);

api.openapi(
  createRoute({
    method: "post",
    path: "/",
    tags,
    summary: "Define an action (admins)",
    description: "`executable` is relative to ACTIONS_DIR; its real path must stay inside it and " +
      "be a regular executable file. `args` are fixed strings with the placeholders {ip} " +
      "{hostname} {server} {organization} only.",
    security,
    request: { body: jsonBody(ActionInputSchema) },
    responses: { 201: jsonResponse(ActionSchema, "Created"), ...errorResponses },
  }),
  async (c) => {
    admin(c);
    const ops = c.get("deps").services.operations;
    return c.json(
      await createAction(c.get("deps").db, ops.actions.actionsDir, c.req.valid("json")),
      201,
    );
  },
);

api.openapi(
  createRoute({
    method: "get",
    path: "/{id}",
    tags,
    summary: "One action",
    security,
    request: { params: IdParam },
    responses: { 200: jsonResponse(ActionSchema, "The action"), ...errorResponses },
  }),
  async (c) => c.json(await getAction(c.get("deps").db, c.req.valid("param").id), 200),
);

api.openapi(
  createRoute({
    method: "patch",
    path: "/{id}",
    tags,
    summary: "Change an action (admins)",
    security,
    request: { params: IdParam, body: jsonBody(ActionPatchSchema) },
    responses: { 200: jsonResponse(ActionSchema, "Changed"), ...errorResponses },
  }),
  async (c) => {
    admin(c);
    const ops = c.get("deps").services.operations;
    return c.json(
      await updateAction(
        c.get("deps").db,
        ops.actions.actionsDir,
        c.req.valid("param").id,
        c.req.valid("json"),
      ),
      200,
    );
  },
);

api.openapi(
  createRoute({
    method: "delete",
    path: "/{id}",
    tags,
    summary: "Delete an action (admins; past runs stay)",
    security,
    request: { params: IdParam },
    responses: { 200: jsonResponse(DeletedSchema, "Deleted"), ...errorResponses },
  }),
  async (c) => {
    admin(c);
    const { id } = c.req.valid("param");
    await deleteAction(c.get("deps").db, id);
    return c.json({ deleted: true, id }, 200);
  },
);

api.openapi(
  createRoute({
    method: "post",
    path: "/{id}/run",
    tags,
    summary: "Run an action on a host (202 + task_id and run_id)",
    description: "Admins run any action, editors those with editors_may_run. A placeholder " +
      'value starting with "-" is refused (422 option_injection). The same action on the same ' +
      "host while queued or running returns that run (deduped).",
    security,
    request: {
      params: IdParam,
      body: jsonBody(z.object({ host_id: z.number().int().positive() })),
    },
    responses: { 202: jsonResponse(RunAcceptedSchema, "Queued"), ...errorResponses },
  }),
  async (c) => {
    const user = c.get("user")!;
    const ops = c.get("deps").services.operations;
    const r = await startRun(
      ops.actions,
      { actionId: c.req.valid("param").id, hostId: c.req.valid("json").host_id },
      { username: user.username, role: user.role, clientIp: c.get("clientIp") },
    );
    return c.json(r, 202);
  },
);

export default api;
