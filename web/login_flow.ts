// Logging in and out, shared by the form and the JSON API: throttling, rotation, audit.
import type { Context } from "hono";
import {
  audit,
  authenticate,
  createRateLimiter,
  createSession,
  destroySession,
} from "@/services/auth/mod.ts";
import { AppError } from "@/services/errors.ts";
import type { AppEnv, AuthUser } from "./env.ts";
import { clearSessionCookie, setSessionCookie } from "./session_cookie.ts";

function limiters(c: Context<AppEnv>) {
  const { kv, cfg, now } = c.get("deps");
  const windowMs = cfg.LOGIN_WINDOW_SECONDS * 1000;
  return {
    account: createRateLimiter(kv, {
      prefix: "login_account",
      max: cfg.LOGIN_MAX_ATTEMPTS,
      windowMs,
      now,
    }),
    // A client address may try a few accounts, but not spray many.
    client: createRateLimiter(kv, {
      prefix: "login_client",
      max: cfg.LOGIN_MAX_ATTEMPTS * 4,
      windowMs,
      now,
    }),
  };
}

function tooMany(retryAfterSeconds: number): AppError {
  return new AppError(
    429,
    "too_many_attempts",
    `too many login attempts; try again in ${retryAfterSeconds} s`,
    { retry_after: retryAfterSeconds },
  );
}

/** Checks credentials, starts a fresh session (new id) and sets the cookie. */
export async function logIn(
  c: Context<AppEnv>,
  username: string,
  password: string,
): Promise<AuthUser & { csrfToken: string }> {
  const { db, kv, cfg, now } = c.get("deps");
  const ip = c.get("clientIp");
  const name = username.trim().slice(0, 64).toLowerCase();
  const limit = limiters(c);
  const byClient = await limit.client.hit(ip);
  if (!byClient.allowed) throw tooMany(byClient.retryAfterSeconds);
  const byAccount = await limit.account.hit(name);
  if (!byAccount.allowed) throw tooMany(byAccount.retryAfterSeconds);

  const user = await authenticate(db, username.trim(), password);
  if (!user) {
    await audit(db, { username: name, action: "login_failed", clientIp: ip });
    throw new AppError(401, "invalid_credentials", "wrong username or password");
  }
  await limit.account.reset(name);
  const old = c.get("sessionId");
  if (old) await destroySession(kv, old);
  const session = await createSession(kv, {
    userId: user.id,
    now: now(),
    ttlMs: cfg.SESSION_TTL_HOURS * 3_600_000,
    idleMs: cfg.SESSION_IDLE_MINUTES * 60_000,
  });
  setSessionCookie(c, session.id, cfg.SESSION_TTL_HOURS * 3600);
  await audit(db, { username: user.username, action: "login", clientIp: ip });
  return { ...user, csrfToken: session.csrfToken };
}

export async function logOut(c: Context<AppEnv>) {
  const { kv } = c.get("deps");
  const sid = c.get("sessionId");
  if (sid) await destroySession(kv, sid);
  clearSessionCookie(c);
}
