// /api/v1/users carries `disabled` on both engines: listed, set and cleared with PATCH; a disabled
// user's session and API token stop working; an admin cannot disable themselves.
import assert from "node:assert/strict";
import { appTest } from "@/tests/support/test_app.ts";

appTest("users API: disabled is listed, PATCHed both ways, and locks the user out", async (t) => {
  const made = await t.call("POST", "/api/v1/users", {
    json: {
      username: "dora",
      password: "dora-first-password-1",
      role: "editor",
      must_change_password: false,
    },
  });
  assert.equal(made.status, 201);
  const dora = await made.json();
  assert.equal(dora.disabled, false);

  const session = await t.login("dora", "dora-first-password-1");
  const tokenRes = await t.call("POST", "/api/v1/tokens", { as: session, json: { name: "cli" } });
  assert.equal(tokenRes.status, 201);
  const { token } = await tokenRes.json();
  const bearer = { authorization: `Bearer ${token}` };
  assert.equal((await t.call("GET", "/api/v1/subnets", { as: null, headers: bearer })).status, 200);

  const off = await t.call("PATCH", `/api/v1/users/${dora.id}`, { json: { disabled: true } });
  assert.equal(off.status, 200);
  assert.equal((await off.json()).disabled, true);
  const listed = await (await t.call("GET", "/api/v1/users")).json();
  assert.equal(listed.items.find((u: { id: number }) => u.id === dora.id).disabled, true);
  assert.equal(
    listed.items.find((u: { username: string }) => u.username === "admin").disabled,
    false,
  );

  assert.equal((await t.call("GET", "/api/v1/subnets", { as: session })).status, 401);
  assert.equal((await t.call("GET", "/api/v1/subnets", { as: null, headers: bearer })).status, 401);
  await assert.rejects(t.login("dora", "dora-first-password-1"), /login failed: 401/);

  const on = await t.call("PATCH", `/api/v1/users/${dora.id}`, { json: { disabled: false } });
  assert.equal((await on.json()).disabled, false);
  await t.login("dora", "dora-first-password-1");
  assert.equal((await t.call("GET", "/api/v1/subnets", { as: null, headers: bearer })).status, 200);

  const me = listed.items.find((u: { username: string }) => u.username === "admin");
  const self = await t.call("PATCH", `/api/v1/users/${me.id}`, { json: { disabled: true } });
  assert.equal(self.status, 409);
  assert.equal((await self.json()).error.code, "self_disable");
  const bad = await t.call("PATCH", `/api/v1/users/${dora.id}`, { json: { disabled: "yes" } });
  assert.equal(bad.status, 422);
});
