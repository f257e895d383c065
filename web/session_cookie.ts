// The session cookie: __Host- prefixed and Secure over HTTPS, always HttpOnly + SameSite=Lax.
import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";

function isHttps(c: Context): boolean {
  // Set by app.ts from the URL or, behind a trusted proxy, its X-Forwarded-Proto.
  return c.get("https") ?? new URL(c.req.url).protocol === "https:";
}

export function sessionCookieName(c: Context): string {
  return isHttps(c) ? "__Host-pf_session" : "pf_session";
}

export function setSessionCookie(c: Context, id: string, maxAgeSeconds: number) {
  setCookie(c, sessionCookieName(c), id, {
    httpOnly: true,
    sameSite: "Lax",
    secure: isHttps(c),
    path: "/",
    maxAge: maxAgeSeconds,
  });
}

export function clearSessionCookie(c: Context) {
  deleteCookie(c, sessionCookieName(c), { path: "/", secure: isHttps(c) });
}
