// /api/v1/alerts/rules: which events (kinds + filters) go to which targets.
import { createRoute } from "@hono/zod-openapi";
import { createRule, deleteRule, getRule, listRules, updateRule } from "@/services/alerts/mod.ts";
import { apiRouter } from "@/web/api_router.ts";
import { listResponse, wholeList } from "@/web/api_paging.ts";
import { errorResponses, IdParam, jsonBody, jsonResponse, security } from "@/web/api_schemas.ts";
import { RuleCreate, RulePatch, RuleSchema } from "./_schemas.ts";

const api = apiRouter();
const tags = ["alerts"];

api.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags,
    summary: "List alert rules",
    security,
    responses: {
      200: listResponse(RuleSchema, "Rules"),
      ...errorResponses,
    },
  }),
  async (c) => c.json(wholeList(await listRules(c.get("deps").db)), 200),
);

api.openapi(
  createRoute({
    method: "post",
    path: "/",
    tags,
    summary: "Create a rule",
    description: "Filters (`subnet_id` with its child subnets, `tag` of the host or its subnet, " +
      "`host_id`, `server_id`) must all hold; unset filters match anything.",
    security,
    request: { body: jsonBody(RuleCreate) },
    responses: { 201: jsonResponse(RuleSchema, "Created"), ...errorResponses },
  }),
  async (c) => c.json(await createRule(c.get("deps").db, c.req.valid("json")), 201),
);

api.openapi(
  createRoute({
    method: "get",
    path: "/{id}",
    tags,
    summary: "One rule",
    security,
    request: { params: IdParam },
    responses: { 200: jsonResponse(RuleSchema, "Rule"), ...errorResponses },
  }),
  async (c) => c.json(await getRule(c.get("deps").db, c.req.valid("param").id), 200),
);

api.openapi(
  createRoute({
    method: "patch",
    path: "/{id}",
    tags,
    summary: "Change a rule",
    security,
    request: { params: IdParam, body: jsonBody(RulePatch) },
    responses: { 200: jsonResponse(RuleSchema, "Updated"), ...errorResponses },
  }),
  async (c) =>
    c.json(
      await updateRule(c.get("deps").db, c.req.valid("param").id, c.req.valid("json")),
      200,
    ),
);

api.openapi(
  createRoute({
    method: "delete",
    path: "/{id}",
    tags,
    summary: "Delete a rule",
    security,
    request: { params: IdParam },
    responses: { 204: { description: "Deleted" }, ...errorResponses },
  }),
  async (c) => {
    await deleteRule(c.get("deps").db, c.req.valid("param").id);
    return c.body(null, 204);
  },
);

export default api;
