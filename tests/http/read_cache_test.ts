// With the process caches on (as main.ts runs them), a write through the app shows on the very
// next read: the dashboard lists a new subnet, a revoked token is refused, a host-state write of
// this process's discovery shows in the hosts API at once; the dashboard's rendered page, kept
// per result of its read model, is each viewer's own.
import assert from "node:assert/strict";
import { appTest } from "@/tests/support/test_app.ts";
import { enableReadMemo } from "@/services/store/mod.ts";
import { enableHostStateCache } from "@/services/ipam/mod.ts";
import { writeObservations } from "@/services/sweeps/mod.ts";
import { createUser } from "@/services/auth/mod.ts";

const HOUR = 3_600_000;

appTest("read caches: writes through the app show on the next read", async (t) => {
  // Long windows, so only forgetting on writes (not expiry) can make these pass.
  enableReadMemo(t.db, { maxAgeMs: HOUR });
  enableHostStateCache(t.kv, { maxAgeMs: HOUR });

  const before = await (await t.call("GET", "/")).text();
  assert.match(before, /data-testid="totals">0 subnets/);
  const created = await t.call("POST", "/api/v1/subnets", { json: { cidr: "198.51.100.0/24" } });
  assert.equal(created.status, 201);
  const after = await (await t.call("GET", "/")).text();
  assert.match(after, /data-testid="totals">1 subnets?/);
  assert.match(after, /198\.51\.100\.0\/24/);

  const tok = await t.call("POST", "/api/v1/tokens", { json: { name: "cached" } });
  assert.equal(tok.status, 201);
  const { id, token } = await tok.json();
  const bearer = { headers: { authorization: `Bearer ${token}` }, as: null };
  assert.equal((await t.call("GET", "/api/v1/hosts", bearer)).status, 200);
  assert.equal((await t.call("DELETE", `/api/v1/tokens/${id}`)).status, 204);
  assert.equal((await t.call("GET", "/api/v1/hosts", bearer)).status, 401);

  const host = await t.call("POST", "/api/v1/hosts", { json: { ip: "198.51.100.7" } });
  assert.equal(host.status, 201);
  const status = async () =>
    (await (await t.call("GET", "/api/v1/hosts")).json()).items.map((h: { status: string }) =>
      h.status
    );
  assert.deepEqual(await status(), ["unknown"]);
  await writeObservations(
    t.kv,
    [{ ip: "198.51.100.7", up: true, latencyMs: 1, method: "fping" }],
    1,
  );
  assert.deepEqual(await status(), ["up"], "the writer's transition is in the cache at once");
});

appTest(
  "the dashboard's page cache: each viewer gets its own CSRF token and role, writes show",
  async (t) => {
    enableReadMemo(t.db, { maxAgeMs: HOUR });
    const first = await (await t.call("GET", "/")).text();
    const again = await (await t.call("GET", "/")).text();
    assert.equal(again, first, "the same viewer and URL get the same page");
    const tokenOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    assert.ok(tokenOf(first), "the page carries the session's CSRF token");
    assert.ok(!first.includes('value="csrf'), "no placeholder left in the page");

    // A second session of another user, a viewer: its own token, and no editing controls.
    await createUser(t.db, { username: "vera", password: "viewer-password-1", role: "viewer" });
    const viewer = await t.login("vera", "viewer-password-1");
    const seen = await (await t.call("GET", "/", { as: viewer })).text();
    assert.notEqual(tokenOf(seen), tokenOf(first));
    assert.ok(first.includes('data-testid="add-subnet"'));
    assert.ok(!seen.includes('data-testid="add-subnet"'), "a viewer's page has no Add a subnet");

    // A form posted with the token taken from the cached page is accepted.
    const posted = await t.call("POST", "/", {
      body: new URLSearchParams({
        cidr: "203.0.113.0/24",
        name: "cached page",
        _csrf: tokenOf(again)!,
      }),
      headers: { "content-type": "application/x-www-form-urlencoded", "x-csrf-token": "" },
    });
    assert.equal(posted.status, 303);
    const after = await (await t.call("GET", "/")).text();
    assert.match(after, /203\.0\.113\.0\/24/, "the write shows on the next read");
  },
);

appTest("with the read memo on, disabling a user ends their open session at once", async (t) => {
  enableReadMemo(t.db, { maxAgeMs: HOUR });
  const dora = await createUser(t.db, {
    username: "dora",
    password: "dora-password-12",
    role: "editor",
  });
  const session = await t.login("dora", "dora-password-12");
  assert.equal((await t.call("GET", "/", { as: session })).status, 200);
  const off = await t.call("PATCH", `/api/v1/users/${dora.id}`, { json: { disabled: true } });
  assert.equal(off.status, 200);
  const after = await t.call("GET", "/", { as: session });
  assert.equal(after.status, 303, "the memoized session user was forgotten with the write");
});

appTest("with the read memo on, a subnet page shows a write through the app at once", async (t) => {
  enableReadMemo(t.db, { maxAgeMs: HOUR });
  const created = await t.call("POST", "/api/v1/subnets", { json: { cidr: "198.51.100.0/24" } });
  const { id } = await created.json();
  const before = await (await t.call("GET", `/subnets/${id}`)).text();
  assert.ok(!before.includes("198.51.100.9<"), "no host yet");
  assert.equal(await (await t.call("GET", `/subnets/${id}`)).text(), before, "drawn once");
  const host = await t.call("POST", "/api/v1/hosts", { json: { ip: "198.51.100.9" } });
  assert.equal(host.status, 201);
  const after = await (await t.call("GET", `/subnets/${id}`)).text();
  assert.match(after, /198\.51\.100\.9</, "the new host is in the next page");
});
