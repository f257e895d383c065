// Who is calling: a session cookie or a bearer token; plus the gates that follow from it.
import type { MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { authenticateToken, getSession, getSessionUser } from "@/services/auth/mod.ts";
import { AppError, forbidden, unauthorized } from "@/services/errors.ts";
import type { AppEnv } from "./env.ts";
import { sessionCookieName } from "./session_cookie.ts";

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Paths anyone may reach without logging in. */
const PUBLIC = [
  /^\/login$/,
  /^\/health$/,
  /^\/static\//,
  /^\/_build\//,
  /^\/api\/v1\/auth\/login$/,
  /^\/openapi\.json$/,
  /^\/docs$/,
  /^\/favicon\.ico$/,
];
/** Paths a user who must change the default password may still use. */
const PASSWORD_CHANGE_ALLOWED = [
  /^\/account\/password$/,
  /^\/logout$/,
  /^\/api\/v1\/auth\//,
  ...PUBLIC,
];
/** Mutations every role may make (about their own account). */
const SELF_SERVICE = [
  /^\/account\/password$/,
  /^\/logout$/,
  /^\/api\/v1\/auth\//,
  /^\/api\/v1\/tokens(\/\d+)?$/,
  /^\/settings\/tokens(\/\d+\/revoke)?$/,
];

const matches = (list: RegExp[], path: string) => list.some((r) => r.test(path));
const isApi = (path: string) => path.startsWith("/api/");

export function identify(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const { db, kv, cfg, now } = c.get("deps");
    c.set("user", null);
    c.set("sessionId", null);
    c.set("csrfToken", null);
    c.set("authVia", null);
    const bearer = c.req.header("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
    if (bearer) {
      const user = await authenticateToken(db, bearer);
      if (!user) throw unauthorized("invalid or revoked API token");
      c.set("user", user);
      c.set("authVia", "token");
      return next();
    }
    const sid = getCookie(c, sessionCookieName(c));
    if (sid) {
      const session = await getSession(kv, sid, {
        now: now(),
        idleMs: cfg.SESSION_IDLE_MINUTES * 60_000,
      });
      const found = session ? await getSessionUser(db, session.userId) : null;
      const user = found?.disabled ? null : found; // a disabled user's sessions end at once
      if (session && user) {
        c.set("user", user);
        c.set("sessionId", sid);
        c.set("csrfToken", session.csrfToken);
        c.set("authVia", "session");
      }
    }
    return next();
  };
}

export function requireLogin(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const path = c.req.path;
    if (matches(PUBLIC, path)) return await next();
    const user = c.get("user");
    if (!user) {
      if (isApi(path)) throw unauthorized("log in or send Authorization: Bearer <token>");
      const nextUrl = encodeURIComponent(path + (new URL(c.req.url).search));
      return c.redirect(`/login?next=${nextUrl}`, 303);
    }
    if (user.must_change_password && !matches(PASSWORD_CHANGE_ALLOWED, path)) {
      if (isApi(path)) {
        throw new AppError(
          403,
          "password_change_required",
          "change the default password first (POST /api/v1/auth/password)",
        );
      }
      return c.redirect("/account/password", 303);
    }
    if (UNSAFE.has(c.req.method) && user.role === "viewer" && !matches(SELF_SERVICE, path)) {
      throw forbidden("viewers can read but not change anything");
    }
    return await next();
  };
}

/** Cookie-authenticated mutations must carry the session's CSRF token; bearer calls are exempt. */
export function csrfProtection(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!UNSAFE.has(c.req.method) || c.get("authVia") !== "session") return next();
    const expected = c.get("csrfToken");
    let sent = c.req.header("x-csrf-token");
    const type = c.req.header("content-type") ?? "";
    if (
      !sent && (type.startsWith("application/x-www-form-urlencoded") ||
        type.startsWith("multipart/form-data"))
    ) {
      const form = await c.req.parseBody();
      sent = typeof form._csrf === "string" ? form._csrf : undefined;
    }
    if (!expected || !sent || !timingSafeEqual(sent, expected)) {
      throw new AppError(403, "csrf_failed", "missing or invalid CSRF token; reload the page");
    }
    return next();
  };
}

export function timingSafeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}
