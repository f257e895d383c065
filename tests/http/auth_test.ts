// Authentication and authorization through HTTP: sessions, CSRF, tokens, throttling, roles.
import assert from "node:assert/strict";
import { appTest, cookieFrom } from "@/tests/support/test_app.ts";
import { createUser } from "@/services/auth/mod.ts";

appTest(
  "JSON login sets an HttpOnly SameSite=Lax cookie and a new session each time",
  async (t) => {
    const res = await t.app.request("/api/v1/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: "correct-horse-battery" }),
    });
    assert.equal(res.status, 200);
    const raw = res.headers.getSetCookie().find((c) => c.startsWith("pf_session="))!;
    assert.match(raw, /HttpOnly/i);
    assert.match(raw, /SameSite=Lax/i);
    const again = await t.login();
    assert.notEqual(cookieFrom(res), again.cookie, "session id rotates on login");
    const me = await t.call("GET", "/api/v1/auth/me", { as: again });
    assert.equal((await me.json()).username, "admin");
  },
);

appTest("wrong password is 401 and throttling answers 429 with Retry-After", async (t) => {
  const attempt = (password: string) =>
    t.app.request("/api/v1/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password }),
    });
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) statuses.push((await attempt("wrong")).status);
  assert.deepEqual(statuses, [401, 401, 401, 401, 401]);
  const limited = await attempt("correct-horse-battery");
  assert.equal(limited.status, 429);
  assert.ok(Number(limited.headers.get("retry-after")) > 0);
  assert.equal((await limited.json()).error.code, "too_many_attempts");
  // After the window the right password works again.
  t.clock.now += 16 * 60_000;
  assert.equal((await attempt("correct-horse-battery")).status, 200);
});

appTest("throttling also applies per client address across accounts", async (t) => {
  // The admin login made while setting up the test app was the address's first attempt.
  const statuses: number[] = [];
  for (let i = 0; i < 20; i++) {
    const res = await t.app.request("/api/v1/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: `nobody${i}`, password: "x" }),
    });
    statuses.push(res.status);
  }
  assert.equal(statuses.filter((s) => s === 401).length, 19);
  assert.equal(statuses.at(-1), 429);
});

appTest("cookie-authenticated mutations need the CSRF token; bearer tokens do not", async (t) => {
  const noToken = await t.call("POST", "/api/v1/tokens", {
    json: { name: "x" },
    headers: { "x-csrf-token": "" },
  });
  assert.equal(noToken.status, 403);
  assert.equal((await noToken.json()).error.code, "csrf_failed");
  const wrong = await t.call("POST", "/api/v1/tokens", {
    json: { name: "x" },
    headers: { "x-csrf-token": "forged" },
  });
  assert.equal(wrong.status, 403);
  const ok = await t.call("POST", "/api/v1/tokens", { json: { name: "script" } });
  assert.equal(ok.status, 201);
  const { token, id } = await ok.json();
  assert.match(token, /^pf_/);

  const bearer = { authorization: `Bearer ${token}` };
  const viaToken = await t.call("POST", "/api/v1/tokens", {
    as: null,
    json: { name: "from-token" },
    headers: bearer,
  });
  assert.equal(viaToken.status, 201);
  const listed = await (await t.call("GET", "/api/v1/tokens", { as: null, headers: bearer }))
    .json();
  assert.equal(listed.items.length, 2);
  assert.ok(listed.items.every((i: Record<string, unknown>) => !("token_hash" in i)));
  const [row] = await t.db.query<{ token_hash: string }>(
    "select token_hash from api_token where id = $1",
    [id],
  );
  assert.notEqual(row.token_hash, token, "stored hashed");

  assert.equal((await t.call("DELETE", `/api/v1/tokens/${id}`)).status, 204);
  const revoked = await t.call("GET", "/api/v1/auth/me", { as: null, headers: bearer });
  assert.equal(revoked.status, 401);
});

appTest("the login form needs its CSRF cookie and field", async (t) => {
  const form = new URLSearchParams({ username: "admin", password: "correct-horse-battery" });
  const noCsrf = await t.app.request("/login", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: form,
  });
  assert.equal(noCsrf.status, 403);
  const get = await t.app.request("/login");
  const cookie = cookieFrom(get, "pf_login_csrf");
  const token = (await get.text()).match(/name="_csrf" value="([^"]+)"/)![1];
  form.set("_csrf", token);
  const ok = await t.app.request("/login", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie },
    body: form,
  });
  assert.equal(ok.status, 303);
  assert.equal(ok.headers.get("location"), "/");
  assert.ok(cookieFrom(ok));
});

appTest("logout ends the session on the server", async (t) => {
  const s = await t.login();
  assert.equal((await t.call("POST", "/api/v1/auth/logout", { as: s })).status, 204);
  assert.equal((await t.call("GET", "/api/v1/auth/me", { as: s })).status, 401);
});

appTest("idle sessions expire", async (t) => {
  const s = await t.login();
  t.clock.now += 13 * 3_600_000;
  assert.equal((await t.call("GET", "/api/v1/auth/me", { as: s })).status, 401);
});

appTest("viewers can read but not change; admins manage users", async (t) => {
  const created = await t.call("POST", "/api/v1/users", {
    json: {
      username: "vera",
      password: "viewer-password-1",
      role: "viewer",
      must_change_password: false,
    },
  });
  assert.equal(created.status, 201);
  const vera = await t.login("vera", "viewer-password-1");
  assert.equal((await t.call("GET", "/api/v1/tokens", { as: vera })).status, 200);
  const denied = await t.call("POST", "/api/v1/users", {
    as: vera,
    json: { username: "x", password: "another-password", role: "admin" },
  });
  assert.equal(denied.status, 403);
  const dup = await t.call("POST", "/api/v1/users", {
    json: { username: "vera", password: "viewer-password-1", role: "viewer" },
  });
  assert.equal(dup.status, 409);
});

appTest("a user on the default password must change it before anything else", async (t) => {
  await createUser(t.db, {
    username: "fresh",
    password: "temporary-pass-1",
    role: "editor",
    mustChangePassword: true,
  });
  const s = await t.login("fresh", "temporary-pass-1");
  const blocked = await t.call("GET", "/api/v1/tokens", { as: s });
  assert.equal(blocked.status, 403);
  assert.equal((await blocked.json()).error.code, "password_change_required");
  const page = await t.call("GET", "/", { as: s });
  assert.equal(page.status, 303);
  assert.equal(page.headers.get("location"), "/account/password");
  const weak = await t.call("POST", "/api/v1/auth/password", {
    as: s,
    json: { current_password: "temporary-pass-1", new_password: "short" },
  });
  assert.equal(weak.status, 422);
  const changed = await t.call("POST", "/api/v1/auth/password", {
    as: s,
    json: { current_password: "temporary-pass-1", new_password: "a-far-better-one" },
  });
  assert.equal(changed.status, 204);
  assert.equal((await t.call("GET", "/api/v1/tokens", { as: s })).status, 200);
});

appTest("logins and mutations land in the audit log", async (t) => {
  await t.call("POST", "/api/v1/tokens", { json: { name: "audited" } });
  const rows = await t.db.query<{ action: string; username: string }>(
    "select action, username from audit_log order by id",
  );
  const actions = rows.map((r) => r.action);
  assert.ok(actions.includes("login"));
  assert.ok(actions.includes("POST /api/v1/tokens"));
});
