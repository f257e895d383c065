// Logging in and out, shared by the form and the JSON API: throttling, rotation, audit.
//
// Throttling has three parts, so that an attacker cannot lock the real admin out:
// - per (account, client address): strict, LOGIN_MAX_ATTEMPTS attempts per window, then 429;
// - per client address: LOGIN_MAX_ATTEMPTS × 4 attempts across accounts (no spraying);
// - per account: failures from all addresses slow every later attempt down (up to
//   LOGIN_SLOWDOWN_MAX_MS) but never refuse it, so the right password from a clean address works.
import type { Context } from "hono";
import {
  audit,
  authenticate,
  createRateLimiter,
  createSession,
  destroySession,
} from "@/services/auth/mod.ts";
import { AppError } from "@/services/errors.ts";
import { textProblem } from "@/services/input_rules.ts";
import type { AppEnv, AuthUser } from "./env.ts";
import { clearSessionCookie, setSessionCookie } from "./session_cookie.ts";

/** Counted failures per account are capped here; the delay has long reached its cap by then. */
const ACCOUNT_FAILURES_MAX = 1_000_000;
const SLOWDOWN_STEP_MS = 100;

function limiters(c: Context<AppEnv>) {
  const { kv, cfg, now } = c.get("deps");
  const windowMs = cfg.LOGIN_WINDOW_SECONDS * 1000;
  return {
    pair: createRateLimiter(kv, {
      prefix: "login_account_client",
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
    accountFailures: createRateLimiter(kv, {
      prefix: "login_account_failures",
      max: ACCOUNT_FAILURES_MAX,
      windowMs,
      now,
    }),
  };
}

/**
 * How long an attempt on an account waits, given the failures on it in the window: nothing up
 * to `freeFailures`, then doubling from 100 ms, capped at `maxMs`.
 */
export function loginDelayMs(failures: number, freeFailures: number, maxMs: number): number {
  if (failures < freeFailures || maxMs <= 0) return 0;
  const doublings = Math.min(30, failures - freeFailures);
  return Math.min(maxMs, SLOWDOWN_STEP_MS * 2 ** doublings);
}

export function tooMany(retryAfterSeconds: number, what = "login attempts"): AppError {
  return new AppError(
    429,
    "too_many_attempts",
    `too many ${what}; try again in ${retryAfterSeconds} s`,
    { retry_after: retryAfterSeconds },
  );
}

/** Refuses text that cannot be a credential (NUL, lone surrogates) before it reaches the DB. */
function checkCredentialText(username: string, password: string) {
  for (const [field, value] of [["username", username], ["password", password]]) {
    const problem = textProblem(value);
    if (problem) throw new AppError(422, "validation_failed", `${field}: ${problem}`);
  }
}

/** Checks credentials, starts a fresh session (new id) and sets the cookie. */
export async function logIn(
  c: Context<AppEnv>,
  username: string,
  password: string,
): Promise<AuthUser & { csrfToken: string }> {
  const { db, kv, cfg, now } = c.get("deps");
  checkCredentialText(username, password);
  const ip = c.get("clientIp");
  const name = username.trim().slice(0, 64).toLowerCase();
  const pairKey = `${name}\n${ip}`;
  const limit = limiters(c);
  const byClient = await limit.client.hit(ip);
  if (!byClient.allowed) throw tooMany(byClient.retryAfterSeconds);
  const byPair = await limit.pair.hit(pairKey);
  if (!byPair.allowed) throw tooMany(byPair.retryAfterSeconds);
  // Every attempt waits the same, right password or not, so the delay tells nothing.
  const failures = (await limit.accountFailures.peek(name)).count;
  const delay = loginDelayMs(failures, cfg.LOGIN_MAX_ATTEMPTS, cfg.LOGIN_SLOWDOWN_MAX_MS);
  if (delay > 0) await new Promise((r) => setTimeout(r, delay));

  const user = await authenticate(db, username.trim(), password);
  if (!user) {
    await limit.accountFailures.hit(name);
    await audit(db, { username: name, action: "login_failed", clientIp: ip });
    throw new AppError(401, "invalid_credentials", "wrong username or password");
  }
  await limit.pair.reset(pairKey);
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
