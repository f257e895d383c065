// /api/v1/servers: servers with their organization and linked hosts; the detail adds live status,
// open ports and uptime of each address.
import { createRoute, z } from "@hono/zod-openapi";
import {
  createServer,
  deleteServer,
  linkAddress,
  linkHost,
  listServers,
  loadServerDetail,
  ServerInputSchema,
  ServerPatchSchema,
  unlinkHost,
  updateServer,
} from "@/services/inventory/mod.ts";
import { AppError } from "@/services/errors.ts";
import { DEFAULT_PAGE_LIMIT, keysetPage, pageResponse } from "@/web/api_paging.ts";
import { apiRouter } from "@/web/api_router.ts";
import {
  errorResponses,
  IdParam,
  idParam,
  intParam,
  jsonBody,
  jsonResponse,
  safeString,
  security,
} from "@/web/api_schemas.ts";
import { queryText } from "@/web/ipam_schemas.ts";
import {
  DeletedSchema,
  idCursor,
  pathIdParam,
  ServerDetailSchema,
  ServerSchema,
} from "./_inventory_schemas.ts";

const api = apiRouter();
const tags = ["inventory"];

api.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags,
    summary: "List servers",
    security,
    request: {
      query: z.object({
        organization_id: idParam().optional(),
        q: queryText(200).optional(),
        tag: queryText(64).optional(),
        limit: intParam(1, 1000).default(DEFAULT_PAGE_LIMIT),
        cursor: idCursor,
      }),
    },
    responses: { 200: pageResponse(ServerSchema, "Servers"), ...errorResponses },
  }),
  async (c) => {
    const q = c.req.valid("query");
    const rows = await listServers(c.get("deps").db, {
      organizationId: q.organization_id,
      q: q.q,
      tag: q.tag,
      limit: q.limit,
      after: q.cursor ? Number(q.cursor) : undefined,
    });
    return c.json(keysetPage(rows, q.limit, (s) => String(s.id)), 200);
  },
);

api.openapi(
  createRoute({
    method: "post",
    path: "/",
    tags,
    summary: "Create a server; `addresses` links hosts (unknown addresses become hosts)",
    security,
    request: { body: jsonBody(ServerInputSchema) },
    responses: { 201: jsonResponse(ServerSchema, "Created"), ...errorResponses },
  }),
  async (c) => c.json(await createServer(c.get("deps").db, c.req.valid("json")), 201),
);

api.openapi(
  createRoute({
    method: "get",
    path: "/{id}",
    tags,
    summary: "One server with live status, open ports and uptime of its addresses",
    security,
    request: { params: IdParam },
    responses: { 200: jsonResponse(ServerDetailSchema, "The server"), ...errorResponses },
  }),
  async (c) => c.json(await loadServerDetail(c.get("deps"), c.req.valid("param").id), 200),
);

api.openapi(
  createRoute({
    method: "patch",
    path: "/{id}",
    tags,
    summary: "Change a server (`addresses`, when given, replaces the linked set)",
    security,
    request: { params: IdParam, body: jsonBody(ServerPatchSchema) },
    responses: { 200: jsonResponse(ServerSchema, "Changed"), ...errorResponses },
  }),
  async (c) =>
    c.json(await updateServer(c.get("deps").db, c.req.valid("param").id, c.req.valid("json")), 200),
);

api.openapi(
  createRoute({
    method: "delete",
    path: "/{id}",
    tags,
    summary: "Delete a server (its hosts stay, unlinked)",
    security,
    request: { params: IdParam },
    responses: { 200: jsonResponse(DeletedSchema, "Deleted"), ...errorResponses },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await deleteServer(c.get("deps").db, id);
    return c.json({ deleted: true, id }, 200);
  },
);

api.openapi(
  createRoute({
    method: "post",
    path: "/{id}/hosts",
    tags,
    summary: "Link a host by id or address (409 when it belongs to another server)",
    security,
    request: {
      params: IdParam,
      body: jsonBody(
        z.object({
          host_id: z.number().int().positive().optional(),
          ip: safeString().max(64).optional(),
        }),
      ),
    },
    responses: { 200: jsonResponse(ServerSchema, "The server"), ...errorResponses },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const db = c.get("deps").db;
    if (body.host_id) return c.json(await linkHost(db, id, body.host_id), 200);
    if (body.ip) return c.json(await linkAddress(db, id, body.ip), 200);
    throw new AppError(422, "validation_failed", "invalid body: give host_id or ip", {
      field: "host_id",
    });
  },
);

api.openapi(
  createRoute({
    method: "delete",
    path: "/{id}/hosts/{host_id}",
    tags,
    summary: "Unlink a host",
    security,
    request: { params: IdParam.extend({ host_id: pathIdParam("host_id") }) },
    responses: { 200: jsonResponse(ServerSchema, "The server"), ...errorResponses },
  }),
  async (c) => {
    const p = c.req.valid("param");
    return c.json(await unlinkHost(c.get("deps").db, p.id, p.host_id), 200);
  },
);

export default api;
