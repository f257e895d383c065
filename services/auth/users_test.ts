import assert from "node:assert/strict";
import { dbTest } from "@/tests/support/test_db.ts";
import { AppError } from "@/services/errors.ts";
import { needsRehash, verifyPassword } from "./password.ts";
import {
  authenticate,
  createUser,
  deleteUser,
  DUMMY_PASSWORD_HASH,
  ensureDefaultAdmin,
  findUserByUsername,
  getUser,
  listUsers,
  setPassword,
  setRole,
} from "./users.ts";

async function rejectsWith(p: Promise<unknown>, status: number, code: string): Promise<string> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof AppError, `expected AppError, got ${e}`);
    assert.equal(`${e.status} ${e.code}`, `${status} ${code}`, e.message);
    return e.message;
  }
  assert.fail(`expected AppError ${status} ${code}, but it resolved`);
}

dbTest("createUser stores a hashed password and returns the public fields", async (db) => {
  const user = await createUser(db, {
    username: "alice",
    password: "alice-pass-123",
    role: "editor",
  });
  assert.equal(user.username, "alice");
  assert.equal(user.role, "editor");
  assert.equal(user.must_change_password, false);
  assert.ok(Number.isInteger(user.id));
  assert.match(user.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal("password_hash" in user, false);
  const stored = await findUserByUsername(db, "alice");
  assert.ok(stored);
  assert.match(stored.password_hash, /^\$argon2id\$/);
  assert.equal(await verifyPassword("alice-pass-123", stored.password_hash), true);
  assert.deepEqual(await getUser(db, user.id), user);
});

dbTest(
  "createUser refuses duplicates (any case), bad names, bad roles, weak passwords",
  async (db) => {
    await createUser(db, { username: "bob", password: "bob-password-1", role: "viewer" });
    await rejectsWith(
      createUser(db, { username: "bob", password: "another-pass-1", role: "viewer" }),
      409,
      "username_taken",
    );
    await rejectsWith(
      createUser(db, { username: "BOB", password: "another-pass-1", role: "viewer" }),
      409,
      "username_taken",
    );
    const msg = await rejectsWith(
      createUser(db, { username: "bad name", password: "another-pass-1", role: "viewer" }),
      422,
      "invalid_username",
    );
    assert.match(msg, /"bad name".*1-64 characters/);
    await rejectsWith(
      createUser(db, { username: "x".repeat(65), password: "another-pass-1", role: "viewer" }),
      422,
      "invalid_username",
    );
    await rejectsWith(
      // deno-lint-ignore no-explicit-any
      createUser(db, { username: "carol", password: "another-pass-1", role: "root" as any }),
      422,
      "invalid_role",
    );
    await rejectsWith(
      createUser(db, { username: "carol", password: "short", role: "viewer" }),
      422,
      "weak_password",
    );
    assert.deepEqual((await listUsers(db)).map((u) => u.username), ["bob"]);
  },
);

dbTest("lookups are case-insensitive and listUsers sorts by name", async (db) => {
  await createUser(db, { username: "Zed", password: "zed-password-1", role: "viewer" });
  await createUser(db, { username: "amy", password: "amy-password-1", role: "admin" });
  assert.equal((await findUserByUsername(db, "zed"))?.username, "Zed");
  assert.equal(await findUserByUsername(db, "nobody"), null);
  assert.equal(await findUserByUsername(db, "not valid!"), null);
  assert.equal(await getUser(db, 999_999), null);
  assert.deepEqual((await listUsers(db)).map((u) => u.username), ["amy", "Zed"]);
});

dbTest("authenticate returns the user only for the right password", async (db) => {
  const created = await createUser(db, {
    username: "dave",
    password: "dave-password-1",
    role: "viewer",
  });
  assert.deepEqual(await authenticate(db, "dave", "dave-password-1"), created);
  assert.deepEqual(await authenticate(db, "DAVE", "dave-password-1"), created);
  assert.equal(await authenticate(db, "dave", "dave-password-2"), null);
  assert.equal(await authenticate(db, "dave", ""), null);
  assert.equal(await authenticate(db, "dave", "x".repeat(5000)), null);
  assert.equal(await authenticate(db, "ghost", "dave-password-1"), null);
  assert.equal(await authenticate(db, "", ""), null);
});

Deno.test("the dummy hash costs the same as a real one, so unknown users are not faster", async () => {
  // Timing itself is not asserted (flaky); equal parameters are what make the work equal.
  assert.equal(needsRehash(DUMMY_PASSWORD_HASH), false);
  assert.equal(await verifyPassword("", DUMMY_PASSWORD_HASH), false);
});

dbTest("authenticate upgrades a hash made with older parameters", async (db) => {
  const user = await createUser(db, {
    username: "erin",
    password: "erin-password",
    role: "viewer",
  });
  // A valid argon2id hash of "password" made by argon2-cffi with other parameters.
  const old =
    "$argon2id$v=19$m=32768,t=16,p=2$Rfy6J41W9idBU+n/8sZc6Q$i3QYYPtoogIAw78I2qqlUQ8vjzUXGG1V6QsBOq2NIp4";
  await db.query("update app_user set password_hash = $2 where id = $1", [user.id, old]);
  assert.ok(await authenticate(db, "erin", "password"));
  const after = (await findUserByUsername(db, "erin"))!.password_hash;
  assert.notEqual(after, old);
  assert.equal(needsRehash(after), false);
  assert.equal(await verifyPassword("password", after), true);
});

dbTest("setPassword checks the rules, replaces the hash and sets must_change", async (db) => {
  const u = await createUser(db, {
    username: "frank",
    password: "frank-password",
    role: "editor",
    mustChangePassword: true,
  });
  assert.equal(u.must_change_password, true);
  await rejectsWith(setPassword(db, u.id, "frank"), 422, "weak_password");
  await rejectsWith(setPassword(db, u.id, "Frank"), 422, "weak_password");
  const changed = await setPassword(db, u.id, "new-secret-99");
  assert.equal(changed.must_change_password, false);
  assert.equal(await authenticate(db, "frank", "frank-password"), null);
  assert.equal((await authenticate(db, "frank", "new-secret-99"))?.id, u.id);
  const forced = await setPassword(db, u.id, "temp-secret-99", { mustChange: true });
  assert.equal(forced.must_change_password, true);
  await rejectsWith(setPassword(db, 424242, "new-secret-99"), 404, "not_found");
});

dbTest("setRole and deleteUser never remove the last admin", async (db) => {
  const admin = await createUser(db, {
    username: "root",
    password: "root-password",
    role: "admin",
  });
  const ed = await createUser(db, { username: "ed", password: "ed-password-1", role: "editor" });
  await rejectsWith(setRole(db, admin.id, "viewer"), 409, "last_admin");
  await rejectsWith(deleteUser(db, admin.id), 409, "last_admin");
  await rejectsWith(setRole(db, ed.id, "boss" as never), 422, "invalid_role");
  assert.equal((await setRole(db, ed.id, "admin")).role, "admin");
  assert.equal((await setRole(db, admin.id, "viewer")).role, "viewer");
  await rejectsWith(deleteUser(db, ed.id), 409, "last_admin");
  assert.equal((await deleteUser(db, admin.id)).username, "root");
  assert.equal(await getUser(db, admin.id), null);
  await rejectsWith(deleteUser(db, admin.id), 404, "not_found");
  await rejectsWith(setRole(db, admin.id, "editor"), 404, "not_found");
});

dbTest("two admins demoted at once: one wins, one admin remains", async (db) => {
  const a = await createUser(db, { username: "a1", password: "a1-password", role: "admin" });
  const b = await createUser(db, { username: "b1", password: "b1-password", role: "admin" });
  const results = await Promise.allSettled([
    setRole(db, a.id, "viewer"),
    setRole(db, b.id, "viewer"),
  ]);
  assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
  const [{ n }] = await db.query<{ n: number }>(
    "select count(*)::int as n from app_user where role = 'admin'",
  );
  assert.equal(n, 1);
});

dbTest("ensureDefaultAdmin creates admin/admin once, to be changed at first login", async (db) => {
  const first = await ensureDefaultAdmin(db);
  assert.deepEqual(first, { created: true, username: "admin", mustChangePassword: true });
  const admin = await authenticate(db, "admin", "admin");
  assert.ok(admin);
  assert.equal(admin.role, "admin");
  assert.equal(admin.must_change_password, true);
  assert.equal((await ensureDefaultAdmin(db)).created, false);
  assert.equal((await listUsers(db)).length, 1);
});

dbTest("ensureDefaultAdmin uses ADMIN_PASSWORD when given, and checks it", async (db) => {
  await rejectsWith(ensureDefaultAdmin(db, "admin"), 422, "weak_password");
  assert.equal((await listUsers(db)).length, 0);
  const r = await ensureDefaultAdmin(db, "a-strong-admin-pw");
  assert.deepEqual(r, { created: true, username: "admin", mustChangePassword: false });
  assert.equal((await authenticate(db, "admin", "a-strong-admin-pw"))?.must_change_password, false);
  assert.equal(await authenticate(db, "admin", "admin"), null);
});

dbTest("ensureDefaultAdmin does nothing when any user exists", async (db) => {
  await createUser(db, { username: "owner", password: "owner-password", role: "admin" });
  assert.equal((await ensureDefaultAdmin(db)).created, false);
  assert.deepEqual((await listUsers(db)).map((u) => u.username), ["owner"]);
});

dbTest("ensureDefaultAdmin racing with itself creates exactly one admin", async (db) => {
  const results = await Promise.all([ensureDefaultAdmin(db), ensureDefaultAdmin(db)]);
  assert.equal(results.filter((r) => r.created).length, 1);
  assert.equal((await listUsers(db)).length, 1);
});
