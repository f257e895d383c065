import assert from "node:assert/strict";
import { dbTest } from "@/tests/support/test_db.ts";
import { AppError } from "@/services/errors.ts";
import { sha256Hex } from "./secure_random.ts";
import { createUser, deleteUser } from "./users.ts";
import {
  authenticateToken,
  createApiToken,
  listApiTokens,
  looksLikeApiToken,
  revokeApiToken,
} from "./tokens.ts";

async function status(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "ok";
  } catch (e) {
    assert.ok(e instanceof AppError, String(e));
    return `${e.status} ${e.code}`;
  }
}

dbTest("createApiToken returns the token once and stores only its SHA-256", async (db) => {
  const u = await createUser(db, { username: "ci", password: "ci-password-1", role: "editor" });
  const t = await createApiToken(db, { userId: u.id, name: "  backup script  " });
  assert.match(t.token, /^pf_[A-Za-z0-9_-]{43}$/);
  assert.equal(t.prefix, t.token.slice(0, 10));
  assert.equal(looksLikeApiToken(t.token), true);
  const [row] = await db.query<Record<string, unknown>>("select * from api_token where id = $1", [
    t.id,
  ]);
  assert.equal(row.token_hash, await sha256Hex(t.token));
  assert.equal(row.name, "backup script");
  assert.ok(!JSON.stringify(row).includes(t.token.slice(10)), "clear token must not be stored");
  const again = await createApiToken(db, { userId: u.id, name: "backup script" });
  assert.notEqual(again.token, t.token);
});

dbTest("createApiToken checks the name and the user", async (db) => {
  const u = await createUser(db, { username: "ci", password: "ci-password-1", role: "editor" });
  assert.equal(
    await status(createApiToken(db, { userId: u.id, name: "   " })),
    "422 invalid_token_name",
  );
  assert.equal(
    await status(createApiToken(db, { userId: u.id, name: "x".repeat(101) })),
    "422 invalid_token_name",
  );
  assert.equal(await status(createApiToken(db, { userId: 987654, name: "x" })), "404 not_found");
});

dbTest("authenticateToken finds the owner; wrong, malformed or revoked tokens fail", async (db) => {
  const u = await createUser(db, { username: "bot", password: "bot-password-1", role: "viewer" });
  const t = await createApiToken(db, { userId: u.id, name: "ro" });
  const who = await authenticateToken(db, t.token);
  assert.deepEqual(who && { id: who.id, username: who.username, role: who.role }, {
    id: u.id,
    username: "bot",
    role: "viewer",
  });
  const flipped = t.token.slice(0, -1) + (t.token.endsWith("A") ? "B" : "A");
  assert.equal(await authenticateToken(db, flipped), null);
  assert.equal(await authenticateToken(db, ""), null);
  assert.equal(await authenticateToken(db, "pf_short"), null);
  assert.equal(await authenticateToken(db, t.token + " "), null);
  await revokeApiToken(db, t.id, { byUserId: u.id, isAdmin: false });
  assert.equal(await authenticateToken(db, t.token), null);
});

dbTest("last_used_at is written at most once a minute", async (db) => {
  const u = await createUser(db, { username: "bot", password: "bot-password-1", role: "viewer" });
  const t = await createApiToken(db, { userId: u.id, name: "poller" });
  const lastUsed = async () => (await listApiTokens(db, u.id))[0].last_used_at;
  assert.equal(await lastUsed(), null);
  const t0 = Date.UTC(2030, 5, 1, 12, 0, 0);
  await authenticateToken(db, t.token, { now: t0 });
  assert.equal(await lastUsed(), new Date(t0).toISOString());
  await authenticateToken(db, t.token, { now: t0 + 59_999 });
  assert.equal(await lastUsed(), new Date(t0).toISOString());
  await authenticateToken(db, t.token, { now: new Date(t0 + 60_000) });
  assert.equal(await lastUsed(), new Date(t0 + 60_000).toISOString());
});

dbTest("listApiTokens lists all or one user's tokens, never the hash", async (db) => {
  const a = await createUser(db, { username: "ann", password: "ann-password", role: "editor" });
  const b = await createUser(db, { username: "ben", password: "ben-password", role: "editor" });
  const ta = await createApiToken(db, { userId: a.id, name: "a-token" });
  const tb = await createApiToken(db, { userId: b.id, name: "b-token" });
  const all = await listApiTokens(db);
  assert.deepEqual(all.map((t) => [t.id, t.username, t.name, t.prefix]), [
    [ta.id, "ann", "a-token", ta.prefix],
    [tb.id, "ben", "b-token", tb.prefix],
  ]);
  assert.deepEqual(Object.keys(all[0]).sort(), [
    "created_at",
    "id",
    "last_used_at",
    "name",
    "prefix",
    "revoked_at",
    "user_id",
    "username",
  ]);
  assert.match(all[0].created_at, /Z$/);
  assert.deepEqual((await listApiTokens(db, b.id)).map((t) => t.id), [tb.id]);
});

dbTest("revokeApiToken: owner or admin only; others get 404", async (db) => {
  const a = await createUser(db, { username: "ann", password: "ann-password", role: "editor" });
  const b = await createUser(db, { username: "ben", password: "ben-password", role: "editor" });
  const boss = await createUser(db, { username: "boss", password: "boss-password", role: "admin" });
  const t1 = await createApiToken(db, { userId: a.id, name: "one" });
  const t2 = await createApiToken(db, { userId: a.id, name: "two" });

  assert.equal(
    await status(revokeApiToken(db, t1.id, { byUserId: b.id, isAdmin: false })),
    "404 not_found",
  );
  assert.ok(await authenticateToken(db, t1.token), "a failed revoke leaves the token working");
  assert.equal(await status(revokeApiToken(db, t1.id, { byUserId: a.id, isAdmin: false })), "ok");
  assert.equal(await status(revokeApiToken(db, t1.id, { byUserId: a.id, isAdmin: false })), "ok");
  assert.equal(await status(revokeApiToken(db, t2.id, { byUserId: boss.id, isAdmin: true })), "ok");
  assert.equal(
    await status(revokeApiToken(db, 99999, { byUserId: boss.id, isAdmin: true })),
    "404 not_found",
  );
  assert.equal(
    await status(revokeApiToken(db, 1.5, { byUserId: boss.id, isAdmin: true })),
    "404 not_found",
  );
  const listed = await listApiTokens(db, a.id);
  assert.ok(listed.every((t) => t.revoked_at !== null));
});

dbTest("deleting a user removes their tokens", async (db) => {
  await createUser(db, { username: "boss", password: "boss-password", role: "admin" });
  const u = await createUser(db, { username: "tmp", password: "tmp-password", role: "viewer" });
  const t = await createApiToken(db, { userId: u.id, name: "x" });
  await deleteUser(db, u.id);
  assert.equal(await authenticateToken(db, t.token), null);
  assert.deepEqual(await listApiTokens(db), []);
});
