// /api/v1/organizations: companies, customers, departments (CRUD; delete refuses while servers
// reference one unless ?detach=true).
import { createRoute, z } from "@hono/zod-openapi";
import {
  createOrganization,
  deleteOrganization,
  listOrganizations,
  OrganizationInputSchema,
  OrganizationPatchSchema,
  requireOrganization,
  updateOrganization,
} from "@/services/inventory/mod.ts";
import { DEFAULT_PAGE_LIMIT, keysetPage, pageResponse } from "@/web/api_paging.ts";
import { apiRouter } from "@/web/api_router.ts";
import {
  errorResponses,
  IdParam,
  intParam,
  jsonBody,
  jsonResponse,
  security,
} from "@/web/api_schemas.ts";
import { boolQuery, isTrue, queryText } from "@/web/ipam_schemas.ts";
import { idCursor, OrganizationSchema } from "./_inventory_schemas.ts";

const api = apiRouter();
const tags = ["inventory"];

api.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags,
    summary: "List organizations",
    security,
    request: {
      query: z.object({
        q: queryText(200).optional(),
        tag: queryText(64).optional(),
        limit: intParam(1, 1000).default(DEFAULT_PAGE_LIMIT),
        cursor: idCursor,
      }),
    },
    responses: { 200: pageResponse(OrganizationSchema, "Organizations"), ...errorResponses },
  }),
  async (c) => {
    const q = c.req.valid("query");
    const rows = await listOrganizations(c.get("deps").db, {
      q: q.q,
      tag: q.tag,
      limit: q.limit,
      after: q.cursor ? Number(q.cursor) : undefined,
    });
    return c.json(keysetPage(rows, q.limit, (o) => String(o.id)), 200);
  },
);

api.openapi(
  createRoute({
    method: "post",
    path: "/",
    tags,
    summary: "Create an organization (409 when the name or code exists, case-insensitively)",
    security,
    request: { body: jsonBody(OrganizationInputSchema) },
    responses: { 201: jsonResponse(OrganizationSchema, "Created"), ...errorResponses },
  }),
  async (c) => c.json(await createOrganization(c.get("deps").db, c.req.valid("json")), 201),
);

api.openapi(
  createRoute({
    method: "get",
    path: "/{id}",
    tags,
    summary: "One organization",
    security,
    request: { params: IdParam },
    responses: { 200: jsonResponse(OrganizationSchema, "The organization"), ...errorResponses },
  }),
  async (c) => c.json(await requireOrganization(c.get("deps").db, c.req.valid("param").id), 200),
);

api.openapi(
  createRoute({
    method: "patch",
    path: "/{id}",
    tags,
    summary: "Change an organization",
    security,
    request: { params: IdParam, body: jsonBody(OrganizationPatchSchema) },
    responses: { 200: jsonResponse(OrganizationSchema, "Changed"), ...errorResponses },
  }),
  async (c) =>
    c.json(
      await updateOrganization(c.get("deps").db, c.req.valid("param").id, c.req.valid("json")),
      200,
    ),
);

api.openapi(
  createRoute({
    method: "delete",
    path: "/{id}",
    tags,
    summary: "Delete an organization (409 while it has servers, unless detach=true)",
    security,
    request: {
      params: IdParam,
      query: z.object({ detach: boolQuery("Keep its servers, without an organization") }),
    },
    responses: {
      200: jsonResponse(
        z.object({ id: z.number().int(), detached_servers: z.number().int() }),
        "Deleted",
      ),
      ...errorResponses,
    },
  }),
  async (c) =>
    c.json(
      await deleteOrganization(c.get("deps").db, c.req.valid("param").id, {
        detach: isTrue(c.req.valid("query").detach),
      }),
      200,
    ),
);

export default api;
