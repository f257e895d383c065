// /api/v1/alerts/silences: mutes, maintenance windows and quiet hours (events recorded, not sent).
import { createRoute, z } from "@hono/zod-openapi";
import {
  createSilence,
  deleteSilence,
  listSilences,
  SILENCE_KINDS,
} from "@/services/alerts/mod.ts";
import { apiRouter } from "@/web/api_router.ts";
import { listResponse, wholeList } from "@/web/api_paging.ts";
import { errorResponses, IdParam, jsonBody, jsonResponse, security } from "@/web/api_schemas.ts";
import { SilenceCreate, SilenceSchema } from "./_schemas.ts";

const api = apiRouter();
const tags = ["alerts"];

api.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags,
    summary: "Silences that are not over yet",
    security,
    request: { query: z.object({ kind: z.enum(SILENCE_KINDS).optional() }) },
    responses: {
      200: listResponse(SilenceSchema, "Silences"),
      ...errorResponses,
    },
  }),
  async (c) => {
    const { kind } = c.req.valid("query");
    const deps = c.get("deps");
    const items = await listSilences(deps.db, kind ? [kind] : SILENCE_KINDS, deps.now());
    return c.json(wholeList(items), 200);
  },
);

api.openapi(
  createRoute({
    method: "post",
    path: "/",
    tags,
    summary: "Mute a host, subnet or tag until a time, or plan a maintenance window or quiet hours",
    description: "Scope: at most one of `host_id`, `subnet_id` (children included) and `tag`; " +
      "none = everything (not for mutes). While a silence covers an event, the event is " +
      "recorded in the feed but nothing is sent.",
    security,
    request: { body: jsonBody(SilenceCreate) },
    responses: { 201: jsonResponse(SilenceSchema, "Created"), ...errorResponses },
  }),
  async (c) => {
    const deps = c.get("deps");
    return c.json(await createSilence(deps.db, c.req.valid("json"), deps.now()), 201);
  },
);

api.openapi(
  createRoute({
    method: "delete",
    path: "/{id}",
    tags,
    summary: "End a silence now",
    security,
    request: { params: IdParam },
    responses: { 204: { description: "Deleted" }, ...errorResponses },
  }),
  async (c) => {
    await deleteSilence(c.get("deps").db, c.req.valid("param").id, SILENCE_KINDS);
    return c.body(null, 204);
  },
);

export default api;
