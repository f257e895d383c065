// /api/v1/auth: JSON login for scripts and the SPA-less islands, logout, me, password change.
import { createRoute, z } from "@hono/zod-openapi";
import { apiRouter } from "@/web/api_router.ts";
import {
  errorResponses,
  ErrorSchema,
  jsonBody,
  jsonResponse,
  rateLimitedResponse,
  safeString,
  security,
  UserSchema,
} from "@/web/api_schemas.ts";
import { logIn, logOut } from "@/web/login_flow.ts";
import { changeOwnPassword } from "@/web/password_change.ts";

const api = apiRouter();

const LoginBody = z.object({
  username: safeString().min(1).max(64),
  password: safeString().min(1).max(256),
}).openapi("LoginRequest");

api.openapi(
  createRoute({
    method: "post",
    path: "/login",
    tags: ["auth"],
    summary: "Log in; sets the session cookie and returns the CSRF token for later mutations",
    request: { body: jsonBody(LoginBody) },
    responses: {
      200: jsonResponse(z.object({ user: UserSchema, csrf_token: safeString() }), "Logged in"),
      401: jsonResponse(ErrorSchema, "Wrong username or password (`invalid_credentials`)"),
      ...errorResponses,
      ...rateLimitedResponse,
    },
  }),
  async (c) => {
    const { username, password } = c.req.valid("json");
    const { csrfToken, ...user } = await logIn(c, username, password);
    return c.json({
      user: {
        id: user.id,
        username: user.username,
        role: user.role,
        must_change_password: user.must_change_password,
        // Disabled users cannot log in or hold a session, so the caller is never disabled.
        disabled: false,
      },
      csrf_token: csrfToken,
    }, 200);
  },
);

api.openapi(
  createRoute({
    method: "post",
    path: "/logout",
    tags: ["auth"],
    summary: "End the current session",
    security,
    responses: { 204: { description: "Logged out" }, ...errorResponses },
  }),
  async (c) => {
    await logOut(c);
    return c.body(null, 204);
  },
);

api.openapi(
  createRoute({
    method: "get",
    path: "/me",
    tags: ["auth"],
    summary: "Who am I",
    security,
    responses: { 200: jsonResponse(UserSchema, "The calling user"), ...errorResponses },
  }),
  (c) => {
    const u = c.get("user")!;
    return c.json({
      id: u.id,
      username: u.username,
      role: u.role,
      must_change_password: u.must_change_password,
      disabled: false,
    }, 200);
  },
);

api.openapi(
  createRoute({
    method: "post",
    path: "/password",
    tags: ["auth"],
    summary: "Change the caller's password (required first when still on the default)",
    security,
    request: {
      body: jsonBody(z.object({
        current_password: safeString().min(1).max(256),
        new_password: safeString().min(1).max(256),
      })),
    },
    responses: { 204: { description: "Changed" }, ...errorResponses },
  }),
  async (c) => {
    const body = c.req.valid("json");
    await changeOwnPassword(c, body.current_password, body.new_password);
    return c.body(null, 204);
  },
);

export default api;
