// Host API through HTTP: CRUD, by-ip lookup, derived subnet, orphans, duplicates, status from KV, search.
import assert from "node:assert/strict";
import { appTest, type TestApp } from "@/tests/support/test_app.ts";
import { readStates } from "@/services/sweeps/mod.ts";

async function post(t: TestApp, path: string, json: unknown) {
  const res = await t.call("POST", path, { json });
  return { status: res.status, body: await res.json() };
}

appTest("host CRUD: the subnet is derived, never a row per possible address", async (t) => {
  const s = (await post(t, "/api/v1/subnets", { cidr: "203.0.113.0/24" })).body;
  const created = await post(t, "/api/v1/hosts", {
    ip: "203.0.113.10",
    hostname: "web-01.example.com",
    hostname_override: "web",
    description: "Web <b>front</b>",
    tags: ["prod", "web"],
    notes: "line 1\nline 2",
    mac: "00-00-5E-00-53-10",
  });
  assert.equal(created.status, 201);
  const h = created.body;
  assert.equal(h.subnet_id, s.id);
  assert.equal(h.mac, "00:00:5e:00:53:10");
  assert.equal(h.hostname_override, "web");
  assert.equal(h.status, "unknown");
  assert.equal(h.first_seen_at, null);
  const [{ n }] = await t.db.query<{ n: number }>("select count(*)::int as n from host");
  assert.equal(n, 1, "only the annotated address is stored");

  const byIp = await t.call("GET", "/api/v1/hosts/by-ip/203.0.113.10");
  assert.equal(byIp.status, 200);
  assert.equal((await byIp.json()).id, h.id);
  assert.equal((await t.call("GET", "/api/v1/hosts/by-ip/203.0.113.11")).status, 404);
  const badIp = await t.call("GET", "/api/v1/hosts/by-ip/203.0.113.300");
  assert.equal(badIp.status, 422);
  assert.match((await badIp.json()).error.message, /octet 300 > 255/);

  const patched = await t.call("PATCH", `/api/v1/hosts/${h.id}`, {
    json: { hostname: null, tags: ["prod"] },
  });
  assert.equal(patched.status, 200);
  const p = await patched.json();
  assert.equal(p.hostname, null);
  assert.equal(p.notes, "line 1\nline 2");
  assert.deepEqual(p.tags, ["prod"]);

  assert.equal((await t.call("DELETE", `/api/v1/hosts/${h.id}`)).status, 204);
  assert.equal((await t.call("GET", `/api/v1/hosts/${h.id}`)).status, 404);
  assert.equal((await t.call("DELETE", `/api/v1/hosts/${h.id}`)).status, 404);
});

appTest("outside every subnet is 422 unless allow_orphan; duplicates are 409", async (t) => {
  await post(t, "/api/v1/subnets", { cidr: "2001:db8::/64" });
  const orphan = await post(t, "/api/v1/hosts", { ip: "198.51.100.5" });
  assert.equal(orphan.status, 422);
  assert.equal(orphan.body.error.code, "no_subnet");
  assert.match(orphan.body.error.message, /allow_orphan/);
  const allowed = await post(t, "/api/v1/hosts", { ip: "198.51.100.5", allow_orphan: true });
  assert.equal(allowed.status, 201);
  assert.equal(allowed.body.subnet_id, null);
  const viaQuery = await t.call("POST", "/api/v1/hosts?allow_orphan=true", {
    json: { ip: "198.51.100.6" },
  });
  assert.equal(viaQuery.status, 201);

  const v6 = await post(t, "/api/v1/hosts", { ip: "2001:DB8:0:0::A" });
  assert.equal(v6.status, 201);
  assert.equal(v6.body.ip, "2001:db8::a");
  const dup = await post(t, "/api/v1/hosts", { ip: "2001:db8::a" });
  assert.equal(dup.status, 409);
  assert.equal(dup.body.error.code, "duplicate_host");
  const mapped = await post(t, "/api/v1/hosts", { ip: "::ffff:203.0.113.1" });
  assert.equal(mapped.status, 422);
  assert.match(
    mapped.body.error.message,
    /IPv4-mapped IPv6 address; use the IPv4 form 203\.0\.113\.1/,
  );
  const prefix = await post(t, "/api/v1/hosts", { ip: "2001:db8::1/64" });
  assert.equal(prefix.status, 422);
});

appTest("status comes from discovery's KV state; list filters and pages by address", async (t) => {
  await post(t, "/api/v1/subnets", { cidr: "203.0.113.0/24" });
  for (const ip of ["203.0.113.1", "203.0.113.2", "203.0.113.10", "203.0.113.100"]) {
    await post(t, "/api/v1/hosts", { ip, tags: ip.endsWith("0") ? ["ten"] : [] });
  }
  await t.kv.set(["host_state", "203.0.113.2"], {
    up: true,
    latency_ms: 2.5,
    since: 1_700_000_000_000,
    last_seen: 1_700_000_060_000,
    method: "icmp",
  });
  const one = await (await t.call("GET", "/api/v1/hosts/by-ip/203.0.113.2")).json();
  assert.equal(one.status, "up");
  assert.equal(one.latency_ms, 2.5);
  assert.equal(one.last_seen_at, new Date(1_700_000_060_000).toISOString());

  const page1 = await (await t.call("GET", "/api/v1/hosts?limit=3")).json();
  assert.deepEqual(page1.items.map((h: { ip: string }) => h.ip), [
    "203.0.113.1",
    "203.0.113.2",
    "203.0.113.10",
  ]);
  assert.equal(page1.next_cursor, "203.0.113.10");
  const page2 = await (await t.call("GET", `/api/v1/hosts?limit=3&cursor=${page1.next_cursor}`))
    .json();
  assert.deepEqual(page2.items.map((h: { ip: string }) => h.ip), ["203.0.113.100"]);
  const tagged = await (await t.call("GET", "/api/v1/hosts?tag=ten")).json();
  assert.equal(tagged.items.length, 2);
  const within = await (await t.call("GET", "/api/v1/hosts?within=203.0.113.0/28")).json();
  assert.equal(within.items.length, 3);
});

appTest(
  "GET /api/v1/search: ip exact/prefix/CIDR, hostname, description, tags, notes, mac",
  async (t) => {
    await post(t, "/api/v1/subnets", { cidr: "203.0.113.0/24", name: "Servers" });
    await post(t, "/api/v1/hosts", {
      ip: "203.0.113.20",
      hostname: "db-01.example.com",
      description: "PostgreSQL primary",
      tags: ["prod", "db"],
      notes: "Failover target: db-02",
      mac: "00:00:5e:00:53:20",
    });
    await post(t, "/api/v1/hosts", { ip: "203.0.113.21", hostname: "db-02.example.com" });
    const search = async (q: string) => {
      const res = await t.call("GET", `/api/v1/search?q=${encodeURIComponent(q)}`);
      assert.equal(res.status, 200, q);
      return await res.json();
    };
    const exact = await search("203.0.113.20");
    assert.equal(exact.kind, "ip");
    assert.deepEqual(exact.hosts.map((h: { ip: string }) => h.ip), ["203.0.113.20"]);
    assert.deepEqual(exact.subnets.map((s: { cidr: string }) => s.cidr), ["203.0.113.0/24"]);
    assert.equal((await search("203.0.113.2")).hosts.length, 2, "prefix when no exact host");
    assert.equal((await search("203.0.113.0/30")).hosts.length, 0);
    assert.equal((await search("203.0.113.16/28")).hosts.length, 2);
    for (
      const q of ["db-01", "PostgreSQL", "tag:db", "Failover", "00-00-5E-00-53-20", "00:00:5e"]
    ) {
      const found = await search(q);
      assert.ok(found.hosts.some((h: { ip: string }) => h.ip === "203.0.113.20"), q);
    }
    assert.ok((await search("servers")).subnets.length === 1);
    const empty = await t.call("GET", "/api/v1/search?q=");
    assert.equal(empty.status, 422);
  },
);

appTest("deleting a host also drops its live state", async (t) => {
  const sub = await t.call("POST", "/api/v1/subnets", { json: { cidr: "198.51.100.0/24" } });
  assert.equal(sub.status, 201);
  const res = await t.call("POST", "/api/v1/hosts", { json: { ip: "198.51.100.7" } });
  const host = await res.json();
  await t.kv.set(["host_state", "198.51.100.7"], {
    up: true,
    latency_ms: 1,
    since: t.clock.now,
    last_seen: t.clock.now,
    method: "fping",
    checked_at: t.clock.now,
  });
  assert.equal((await t.call("DELETE", `/api/v1/hosts/${host.id}`)).status, 204);
  const states = await readStates(t.kv, ["198.51.100.7"]);
  assert.equal(states.get("198.51.100.7"), undefined);
});
