import { stateTest } from "@/tests/support/state_engines.ts";
import assert from "node:assert/strict";
import {
  createSession,
  csrfTokenMatches,
  destroySession,
  destroyUserSessions,
  getSession,
  listUserSessionIds,
  TOUCH_INTERVAL_MS,
} from "./sessions.ts";

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.UTC(2030, 0, 1);
const opts = { ttlMs: 8 * HOUR, idleMs: 30 * MIN };

stateTest("createSession stores a random session and its user index", async (kv) => {
  const s = await createSession(kv, { userId: 7, now: T0, ...opts });
  assert.match(s.id, /^[A-Za-z0-9_-]{43}$/);
  assert.match(s.csrfToken, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(s.id, s.csrfToken);
  assert.equal(s.expiresAt.getTime(), T0 + 8 * HOUR);
  const stored = await kv.get(["session", s.id]);
  assert.deepEqual(stored.value, {
    userId: 7,
    csrfToken: s.csrfToken,
    createdAt: T0,
    lastSeenAt: T0,
    absoluteExpiresAt: T0 + 8 * HOUR,
  });
  assert.equal((await kv.get(["user_sessions", 7, s.id])).value, true);
  const again = await createSession(kv, { userId: 7, now: T0, ...opts });
  assert.notEqual(again.id, s.id);
});

stateTest("getSession returns the session and accepts a Date clock", async (kv) => {
  const s = await createSession(kv, { userId: 1, now: new Date(T0), ...opts });
  const got = await getSession(kv, s.id, { now: new Date(T0 + 5000), idleMs: opts.idleMs });
  assert.equal(got?.userId, 1);
  assert.equal(got?.id, s.id);
  assert.equal(got?.csrfToken, s.csrfToken);
  assert.equal(await getSession(kv, "not-a-session", { now: T0, idleMs: opts.idleMs }), null);
  assert.equal(await getSession(kv, "A".repeat(43), { now: T0, idleMs: opts.idleMs }), null);
});

stateTest("lastSeenAt is refreshed at most once a minute", async (kv) => {
  const s = await createSession(kv, { userId: 1, now: T0, ...opts });
  const seen = async (t: number) => {
    await getSession(kv, s.id, { now: t, idleMs: opts.idleMs });
    return (await kv.get<{ lastSeenAt: number }>(["session", s.id])).value?.lastSeenAt;
  };
  assert.equal(await seen(T0 + TOUCH_INTERVAL_MS - 1), T0);
  assert.equal(await seen(T0 + TOUCH_INTERVAL_MS), T0 + TOUCH_INTERVAL_MS);
  assert.equal(await seen(T0 + TOUCH_INTERVAL_MS + 30_000), T0 + TOUCH_INTERVAL_MS);
});

stateTest("activity keeps a session alive past the idle limit, inactivity ends it", async (kv) => {
  const s = await createSession(kv, { userId: 1, now: T0, ...opts });
  // Visits every 20 minutes keep it alive for well over 30 idle minutes in total.
  for (let t = T0 + 20 * MIN; t <= T0 + 2 * HOUR; t += 20 * MIN) {
    assert.ok(await getSession(kv, s.id, { now: t, idleMs: opts.idleMs }), `alive at ${t}`);
  }
  const last = T0 + 2 * HOUR;
  assert.equal(await getSession(kv, s.id, { now: last + 30 * MIN, idleMs: opts.idleMs }), null);
  // Expired sessions are deleted, index included, not just hidden.
  assert.equal((await kv.get(["session", s.id])).value, null);
  assert.deepEqual(await listUserSessionIds(kv, 1), []);
  assert.equal(await getSession(kv, s.id, { now: last + MIN, idleMs: opts.idleMs }), null);
});

stateTest("the absolute lifetime ends a session even while it is in use", async (kv) => {
  const s = await createSession(kv, { userId: 1, now: T0, ttlMs: HOUR, idleMs: 30 * MIN });
  for (let t = T0 + 15 * MIN; t < T0 + HOUR; t += 15 * MIN) {
    assert.ok(await getSession(kv, s.id, { now: t, idleMs: 30 * MIN }));
  }
  assert.equal(await getSession(kv, s.id, { now: T0 + HOUR, idleMs: 30 * MIN }), null);
});

stateTest("destroySession and destroyUserSessions log out", async (kv) => {
  const a = await createSession(kv, { userId: 1, now: T0, ...opts });
  const b = await createSession(kv, { userId: 1, now: T0, ...opts });
  const c = await createSession(kv, { userId: 1, now: T0, ...opts });
  const other = await createSession(kv, { userId: 2, now: T0, ...opts });
  const read = (id: string) => getSession(kv, id, { now: T0 + 1, idleMs: opts.idleMs });

  await destroySession(kv, a.id);
  assert.equal(await read(a.id), null);
  assert.deepEqual((await listUserSessionIds(kv, 1)).sort(), [b.id, c.id].sort());

  assert.equal(await destroyUserSessions(kv, 1, { exceptId: c.id }), 1);
  assert.equal(await read(b.id), null);
  assert.ok(await read(c.id));
  assert.equal(await destroyUserSessions(kv, 1), 1);
  assert.equal(await read(c.id), null);
  assert.ok(await read(other.id), "other users keep their sessions");
  await destroySession(kv, "garbage"); // harmless
});

stateTest("csrfTokenMatches compares the session token exactly", async (kv) => {
  const s = await createSession(kv, { userId: 1, now: T0, ...opts });
  const session = (await getSession(kv, s.id, { now: T0, idleMs: opts.idleMs }))!;
  assert.equal(csrfTokenMatches(session, s.csrfToken), true);
  assert.equal(csrfTokenMatches(session, s.csrfToken.slice(0, -1) + "!"), false);
  assert.equal(csrfTokenMatches(session, ""), false);
  assert.equal(csrfTokenMatches(session, undefined), false);
  assert.equal(csrfTokenMatches(session, s.csrfToken + "x"), false);
});
