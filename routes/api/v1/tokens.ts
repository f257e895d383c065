// /api/v1/tokens: API tokens for scripts; the secret is shown once and stored hashed.
import { listResponse, wholeList } from "@/web/api_paging.ts";
import { createRoute, z } from "@hono/zod-openapi";
import {
  errorResponses,
  IdParam,
  jsonBody,
  jsonResponse,
  safeString,
  security,
} from "@/web/api_schemas.ts";
import { createApiToken, listApiTokens, revokeApiToken } from "@/services/auth/mod.ts";
import { apiRouter } from "@/web/api_router.ts";

const api = apiRouter();

const TokenSchema = z.object({
  id: z.number().int(),
  name: safeString(),
  prefix: safeString(),
  user_id: z.number().int(),
  created_at: safeString(),
  last_used_at: safeString().nullable(),
  revoked_at: safeString().nullable(),
}).openapi("ApiToken");

const iso = (d: unknown) => (d instanceof Date ? d.toISOString() : d == null ? null : String(d));

api.openapi(
  createRoute({
    method: "post",
    path: "/",
    tags: ["tokens"],
    summary: "Create an API token for the caller (the token is returned only here)",
    security,
    request: { body: jsonBody(z.object({ name: safeString().trim().min(1).max(100) })) },
    responses: {
      201: jsonResponse(
        z.object({ id: z.number(), name: safeString(), prefix: safeString(), token: safeString() }),
        "Created",
      ),
      ...errorResponses,
    },
  }),
  async (c) => {
    const { name } = c.req.valid("json");
    const t = await createApiToken(c.get("deps").db, { userId: c.get("user")!.id, name });
    return c.json({ id: t.id, name, prefix: t.prefix, token: t.token }, 201);
  },
);

api.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: ["tokens"],
    summary: "List tokens (admins see everyone's)",
    security,
    responses: {
      200: listResponse(TokenSchema, "Tokens"),
      ...errorResponses,
    },
  }),
  async (c) => {
    const u = c.get("user")!;
    const rows = await listApiTokens(c.get("deps").db, u.role === "admin" ? undefined : u.id);
    const items = rows.map((r) => ({
      id: r.id,
      name: r.name,
      prefix: r.prefix,
      user_id: r.user_id,
      created_at: iso(r.created_at)!,
      last_used_at: iso(r.last_used_at),
      revoked_at: iso(r.revoked_at),
    }));
    return c.json(wholeList(items), 200);
  },
);

api.openapi(
  createRoute({
    method: "delete",
    path: "/{id}",
    tags: ["tokens"],
    summary: "Revoke a token",
    security,
    request: { params: IdParam },
    responses: { 204: { description: "Revoked" }, ...errorResponses },
  }),
  async (c) => {
    const u = c.get("user")!;
    await revokeApiToken(c.get("deps").db, c.req.valid("param").id, {
      byUserId: u.id,
      isAdmin: u.role === "admin",
    });
    return c.body(null, 204);
  },
);

export default api;
