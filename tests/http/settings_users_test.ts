// Users managed from Settings through its forms, on both engines: create, role, reset, disable.
import assert from "node:assert/strict";
import { appTest } from "@/tests/support/test_app.ts";

const form = (fields: Record<string, string>) => ({
  body: new URLSearchParams(fields),
  headers: { "content-type": "application/x-www-form-urlencoded", "x-csrf-token": "" },
});

appTest("an admin creates, promotes, resets and disables a user in Settings", async (t) => {
  const post = (fields: Record<string, string>) =>
    t.call("POST", "/settings/users", form({ ...fields, _csrf: t.admin.csrf }));
  const created = await post({
    _action: "create",
    username: "bob",
    password: "bob-first-password-1",
    role: "viewer",
  });
  assert.equal(created.status, 200);
  assert.match(await created.text(), /User bob created as viewer/);
  const [{ id }] = await t.db.query<{ id: number }>(
    "select id from app_user where username = 'bob'",
  );

  const role = await post({ _action: "role", user_id: String(id), role: "editor" });
  assert.match(await role.text(), /bob is now editor/);

  const bob = await t.login("bob", "bob-first-password-1");
  const reset = await post({
    _action: "password",
    user_id: String(id),
    password: "bob-reset-pass-22",
  });
  assert.match(await reset.text(), /Password reset/);
  const old = await t.call("GET", "/api/v1/auth/me", { as: bob });
  assert.equal(old.status, 401, "a reset ends the user's sessions");
  const bob2 = await t.login("bob", "bob-reset-pass-22");

  const token = await t.call("POST", "/api/v1/tokens", { json: { name: "bob script" }, as: bob2 });
  const { token: secret } = await token.json();
  const disabled = await post({ _action: "disable", user_id: String(id) });
  assert.match(await disabled.text(), /bob is disabled and logged out/);
  assert.equal((await t.call("GET", "/api/v1/auth/me", { as: bob2 })).status, 401);
  await assert.rejects(t.login("bob", "bob-reset-pass-22"), /login failed: 401/);
  const viaToken = await t.call("GET", "/api/v1/auth/me", {
    as: null,
    headers: { authorization: `Bearer ${secret}` },
  });
  assert.equal(viaToken.status, 401, "a disabled user's tokens stop working");

  const self = await post({ _action: "disable", user_id: "1" });
  assert.equal(self.status, 409);
  assert.match(await self.text(), /you cannot disable yourself/);
  await post({ _action: "enable", user_id: String(id) });
  await t.login("bob", "bob-reset-pass-22");

  const viewer = await t.login("bob", "bob-reset-pass-22");
  const refused = await t.call("POST", "/settings/users", {
    ...form({ _action: "create", username: "eve", password: "x-password-123", role: "admin" }),
    as: viewer,
  });
  assert.ok(refused.status >= 300, String(refused.status)); // forced password change, or 403
  const eve = await t.db.query("select 1 from app_user where username = 'eve'");
  assert.equal(eve.length, 0, "only admins manage users");
});
