// /api/v1/alerts/targets: where deliveries go (webhook, Slack, Discord, Teams, ntfy, e-mail).
import { createRoute } from "@hono/zod-openapi";
import { requireRole } from "@/services/auth/mod.ts";
import {
  createTarget,
  deleteTarget,
  getTarget,
  listTargets,
  redactTarget,
  updateTarget,
} from "@/services/alerts/mod.ts";
import { apiRouter } from "@/web/api_router.ts";
import { listResponse, wholeList } from "@/web/api_paging.ts";
import {
  errorResponses,
  IdParam,
  jsonBody,
  jsonResponse,
  safeString,
  security,
} from "@/web/api_schemas.ts";
import { DeliverySchema, TargetCreate, TargetPatch, TargetSchema } from "./_schemas.ts";

const api = apiRouter();
const tags = ["alerts"];

api.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags,
    summary: "List alert targets",
    security,
    responses: {
      200: listResponse(TargetSchema, "Targets"),
      ...errorResponses,
    },
  }),
  async (c) => {
    const items = (await listTargets(c.get("deps").db)).map((t) =>
      redactTarget(t, c.get("user")?.role === "admin")
    );
    return c.json(wholeList(items), 200);
  },
);

api.openapi(
  createRoute({
    method: "post",
    path: "/",
    tags,
    summary: "Create a target (admin)",
    description: "Without `secret`, one is generated and returned once in `secret`.",
    security,
    request: { body: jsonBody(TargetCreate) },
    responses: {
      201: jsonResponse(
        TargetSchema.extend({ secret: safeString().optional() }),
        "Created (secret only when generated)",
      ),
      ...errorResponses,
    },
  }),
  async (c) => {
    requireRole(c.get("user"), "admin");
    const deps = c.get("deps");
    const { target, generatedSecret } = await createTarget(
      deps.db,
      c.req.valid("json"),
      deps.services.alerts.settings.policy,
    );
    return c.json(generatedSecret ? { ...target, secret: generatedSecret } : target, 201);
  },
);

api.openapi(
  createRoute({
    method: "get",
    path: "/{id}",
    tags,
    summary: "One target",
    security,
    request: { params: IdParam },
    responses: { 200: jsonResponse(TargetSchema, "Target"), ...errorResponses },
  }),
  async (c) => {
    const t = await getTarget(c.get("deps").db, c.req.valid("param").id);
    return c.json(redactTarget(t, c.get("user")?.role === "admin"), 200);
  },
);

api.openapi(
  createRoute({
    method: "patch",
    path: "/{id}",
    tags,
    summary: "Change a target (admin); a new `secret` replaces the old one",
    security,
    request: { params: IdParam, body: jsonBody(TargetPatch) },
    responses: { 200: jsonResponse(TargetSchema, "Updated"), ...errorResponses },
  }),
  async (c) => {
    requireRole(c.get("user"), "admin");
    const deps = c.get("deps");
    const t = await updateTarget(
      deps.db,
      c.req.valid("param").id,
      c.req.valid("json"),
      deps.services.alerts.settings.policy,
    );
    return c.json(t, 200);
  },
);

api.openapi(
  createRoute({
    method: "delete",
    path: "/{id}",
    tags,
    summary: "Delete a target (admin); its deliveries go with it",
    security,
    request: { params: IdParam },
    responses: { 204: { description: "Deleted" }, ...errorResponses },
  }),
  async (c) => {
    requireRole(c.get("user"), "admin");
    await deleteTarget(c.get("deps").db, c.req.valid("param").id);
    return c.body(null, 204);
  },
);

api.openapi(
  createRoute({
    method: "post",
    path: "/{id}/test",
    tags,
    summary: 'Send a test delivery (kind "test") now',
    description: "Queues a delivery like any other (signed, retried, logged); poll " +
      "GET /api/v1/alerts/deliveries?target_id= for its outcome.",
    security,
    request: { params: IdParam },
    responses: { 202: jsonResponse(DeliverySchema, "Queued"), ...errorResponses },
  }),
  async (c) => {
    requireRole(c.get("user"), "editor");
    const d = await c.get("deps").services.alerts.sendTest(c.req.valid("param").id);
    return c.json(d, 202);
  },
);

export default api;
