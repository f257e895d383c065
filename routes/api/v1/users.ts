// /api/v1/users: user administration (admins only).
import { listResponse, wholeList } from "@/web/api_paging.ts";
import { createRoute, z } from "@hono/zod-openapi";
import {
  errorResponses,
  IdParam,
  jsonBody,
  jsonResponse,
  safeString,
  security,
  UserSchema,
} from "@/web/api_schemas.ts";
import {
  createUser,
  deleteUser,
  destroyUserSessions,
  listUsers,
  requireRole,
  ROLES,
  setDisabled,
  setPassword,
  setRole,
} from "@/services/auth/mod.ts";
import { AppError } from "@/services/errors.ts";
import { apiRouter } from "@/web/api_router.ts";

const api = apiRouter();
api.use("*", async (c, next) => {
  requireRole(c.get("user")!, "admin");
  await next();
});

const toJson = (
  u: {
    id: number;
    username: string;
    role: "admin" | "editor" | "viewer";
    must_change_password: boolean;
    disabled?: boolean;
  },
) => ({
  id: u.id,
  username: u.username,
  role: u.role,
  must_change_password: u.must_change_password,
  disabled: u.disabled ?? false,
});

api.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: ["users"],
    summary: "List users",
    security,
    responses: {
      200: listResponse(UserSchema, "Users"),
      ...errorResponses,
    },
  }),
  async (c) => c.json(wholeList((await listUsers(c.get("deps").db)).map(toJson)), 200),
);

api.openapi(
  createRoute({
    method: "post",
    path: "/",
    tags: ["users"],
    summary: "Create a user",
    security,
    request: {
      body: jsonBody(z.object({
        username: safeString().min(1).max(64),
        password: safeString().min(1).max(256),
        role: z.enum(ROLES),
        must_change_password: z.boolean().default(true),
      })),
    },
    responses: { 201: jsonResponse(UserSchema, "Created"), ...errorResponses },
  }),
  async (c) => {
    const b = c.req.valid("json");
    const user = await createUser(c.get("deps").db, {
      username: b.username,
      password: b.password,
      role: b.role,
      mustChangePassword: b.must_change_password,
    });
    return c.json(toJson(user), 201);
  },
);

api.openapi(
  createRoute({
    method: "patch",
    path: "/{id}",
    tags: ["users"],
    summary: "Change a user's role, reset their password, or disable or enable them",
    description: "`disabled: true` logs the user out everywhere and stops their API tokens; " +
      "admins cannot disable themselves, nor the last enabled admin (409).",
    security,
    request: {
      params: IdParam,
      body: jsonBody(z.object({
        role: z.enum(ROLES).optional(),
        password: safeString().min(1).max(256).optional(),
        disabled: z.boolean().optional(),
      })),
    },
    responses: { 200: jsonResponse(UserSchema, "Updated"), ...errorResponses },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const b = c.req.valid("json");
    const { db, kv } = c.get("deps");
    if (b.disabled === true && id === c.get("user")!.id) {
      throw new AppError(409, "self_disable", "you cannot disable yourself");
    }
    let user = b.role ? await setRole(db, id, b.role) : undefined;
    if (b.disabled !== undefined) {
      user = await setDisabled(db, id, b.disabled);
      if (user.disabled) await destroyUserSessions(kv, id);
    }
    if (b.password) {
      await setPassword(db, id, b.password, { mustChange: true });
      await destroyUserSessions(kv, id);
    }
    user ??= (await listUsers(db)).find((u) => u.id === id);
    if (!user) return c.json({ error: { code: "not_found", message: "user not found" } }, 404);
    return c.json(
      toJson({ ...user, must_change_password: b.password ? true : user.must_change_password }),
      200,
    );
  },
);

api.openapi(
  createRoute({
    method: "delete",
    path: "/{id}",
    tags: ["users"],
    summary: "Delete a user",
    security,
    request: { params: IdParam },
    responses: { 204: { description: "Deleted" }, ...errorResponses },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const { db, kv } = c.get("deps");
    await deleteUser(db, id);
    await destroyUserSessions(kv, id);
    return c.body(null, 204);
  },
);

export default api;
