// Login sessions in the state store, shared by every web instance: random ids, idle and absolute
// expiry, per-user index for logout-all.
import type { StateKey, StateStore } from "@/services/store/mod.ts";
import { randomToken } from "./secure_random.ts";
import { timingSafeEqualString } from "./constant_time.ts";

export interface SessionData {
  userId: number;
  csrfToken: string;
  /** Epoch milliseconds. */
  createdAt: number;
  lastSeenAt: number;
  absoluteExpiresAt: number;
}

export interface Session extends SessionData {
  id: string;
}

export type Clock = number | Date;

/** lastSeenAt is written at most this often, so busy pages do not write KV on every request. */
export const TOUCH_INTERVAL_MS = 60_000;

const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;
const sessionKey = (id: string): StateKey => ["session", id];
const indexKey = (userId: number, id: string): StateKey => ["user_sessions", userId, id];

const ms = (now: Clock | undefined) => now === undefined ? Date.now() : Number(now);

// KV deletes expired entries lazily and only guarantees "some time after"; the checks in
// getSession are what enforce expiry. The margin keeps an entry alive across one touch gap.
function kvExpireIn(s: SessionData, now: number, idleMs: number): number {
  return Math.max(1, Math.min(s.absoluteExpiresAt - now, idleMs + TOUCH_INTERVAL_MS));
}

export interface CreateSessionInput {
  userId: number;
  now?: Clock;
  /** Absolute lifetime (SESSION_TTL_HOURS). */
  ttlMs: number;
  /** Allowed inactivity (SESSION_IDLE_MINUTES). */
  idleMs: number;
}

/**
 * Starts a fresh session with a new id (call on every login; destroy the old one, so a
 * planted session id never becomes authenticated). `expiresAt` is the absolute expiry,
 * suitable for the cookie.
 */
export async function createSession(
  kv: StateStore,
  input: CreateSessionInput,
): Promise<{ id: string; csrfToken: string; expiresAt: Date }> {
  const now = ms(input.now);
  const id = randomToken(32);
  const data: SessionData = {
    userId: input.userId,
    csrfToken: randomToken(32),
    createdAt: now,
    lastSeenAt: now,
    absoluteExpiresAt: now + input.ttlMs,
  };
  // The index is written first and must outlive the session, else logout-everywhere could miss a
  // live one (an index entry without its session is harmless: logout-all skips it).
  await kv.set(indexKey(input.userId, id), true, { expireIn: Math.max(1, input.ttlMs) });
  const res = await kv.compareAndSet(sessionKey(id), null, data, {
    expireIn: kvExpireIn(data, now, input.idleMs),
  });
  if (!res.ok) throw new Error("session id collision; this should never happen");
  return { id, csrfToken: data.csrfToken, expiresAt: new Date(data.absoluteExpiresAt) };
}

/**
 * The live session for an id, or null when unknown, idle too long or past its absolute
 * expiry (an expired one is deleted). Refreshes lastSeenAt at most once a minute.
 */
export async function getSession(
  kv: StateStore,
  id: string,
  opts: { now?: Clock; idleMs: number },
): Promise<Session | null> {
  if (!SESSION_ID.test(id)) return null;
  const now = ms(opts.now);
  const entry = await kv.get<SessionData>(sessionKey(id));
  const s = entry.value;
  if (!s) return null;
  if (now >= s.absoluteExpiresAt || now - s.lastSeenAt >= opts.idleMs) {
    await destroySession(kv, id);
    return null;
  }
  if (now - s.lastSeenAt < TOUCH_INTERVAL_MS) return { id, ...s };
  const touched: SessionData = { ...s, lastSeenAt: now };
  // If another request touched or destroyed it meanwhile, its write wins: nothing to retry.
  const res = await kv.compareAndSet(sessionKey(id), entry.versionstamp, touched, {
    expireIn: kvExpireIn(touched, now, opts.idleMs),
  });
  if (res.ok) return { id, ...touched };
  const again = await kv.get<SessionData>(sessionKey(id));
  return again.value ? { id, ...again.value } : null;
}

export async function destroySession(kv: StateStore, id: string): Promise<void> {
  if (!SESSION_ID.test(id)) return;
  const entry = await kv.get<SessionData>(sessionKey(id));
  // The session first: once it is gone the id no longer authenticates, whatever happens next.
  await kv.delete(sessionKey(id));
  if (entry.value) await kv.delete(indexKey(entry.value.userId, id));
}

/**
 * Logs a user out everywhere (password change, role change, deletion). `exceptId` keeps
 * the session making the request. Returns how many sessions were removed.
 */
export async function destroyUserSessions(
  kv: StateStore,
  userId: number,
  opts: { exceptId?: string } = {},
): Promise<number> {
  let removed = 0;
  for await (const entry of kv.list({ prefix: ["user_sessions", userId] })) {
    const id = entry.key[2] as string;
    if (id === opts.exceptId) continue;
    await kv.delete(sessionKey(id));
    await kv.delete(entry.key);
    removed++;
  }
  return removed;
}

/** Ids of a user's sessions that may still be live (for a "signed in on N devices" view). */
export async function listUserSessionIds(kv: StateStore, userId: number): Promise<string[]> {
  const ids: string[] = [];
  for await (const entry of kv.list({ prefix: ["user_sessions", userId] })) {
    ids.push(entry.key[2] as string);
  }
  return ids;
}

/** Constant-time check of a submitted CSRF token against the session's. */
export function csrfTokenMatches(session: Pick<SessionData, "csrfToken">, given: unknown): boolean {
  return typeof given === "string" && given.length > 0 &&
    timingSafeEqualString(session.csrfToken, given);
}
