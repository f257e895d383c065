// Subnet API through HTTP: CRUD, precise CIDR errors, canonical IPv6, duplicates, nesting, delete choices.
import assert from "node:assert/strict";
import { appTest, type TestApp } from "@/tests/support/test_app.ts";

async function post(t: TestApp, path: string, json: unknown) {
  const res = await t.call("POST", path, { json });
  return { status: res.status, body: await res.json() };
}

appTest("POST/GET/PATCH/DELETE /api/v1/subnets round trip, IPv4 and IPv6", async (t) => {
  const created = await post(t, "/api/v1/subnets", {
    cidr: "198.51.100.0/24",
    name: "Servers",
    vlan: 10,
    tags: ["prod", "prod", " dc1 "],
    location: "DC-1",
    scan_enabled: true,
    scan_interval_s: 600,
  });
  assert.equal(created.status, 201);
  const s = created.body;
  assert.equal(s.cidr, "198.51.100.0/24");
  assert.deepEqual(s.tags, ["prod", "dc1"]);
  assert.equal(s.scan_enabled, true);
  assert.equal(s.scan_interval_s, 600);
  assert.deepEqual(s.utilization, {
    size: "256",
    usable: "254",
    used: "0",
    alive: "0",
    free: "254",
    percent_used: 0,
  });

  const v6 = await post(t, "/api/v1/subnets", { cidr: "2001:0DB8:0000:0010:0000::/64" });
  assert.equal(v6.status, 201);
  assert.equal(v6.body.cidr, "2001:db8:0:10::/64", "canonical IPv6 stored");
  assert.equal(v6.body.utilization.free, "18446744073709551615");

  const one = await t.call("GET", `/api/v1/subnets/${s.id}`);
  assert.equal(one.status, 200);
  assert.equal((await one.json()).name, "Servers");

  const patched = await t.call("PATCH", `/api/v1/subnets/${s.id}`, {
    json: { name: "Servers A", vlan: null, scan_enabled: false },
  });
  assert.equal(patched.status, 200);
  const p = await patched.json();
  assert.equal(p.name, "Servers A");
  assert.equal(p.vlan, null);
  assert.equal(p.location, "DC-1", "absent fields unchanged");

  const list = await (await t.call("GET", "/api/v1/subnets")).json();
  assert.deepEqual(list.items.map((x: { cidr: string }) => x.cidr), [
    "198.51.100.0/24",
    "2001:db8:0:10::/64",
  ]);
  assert.equal(list.next_cursor, null);

  const del = await t.call("DELETE", `/api/v1/subnets/${s.id}`);
  assert.equal(del.status, 200);
  assert.equal((await del.json()).deleted_subnets, 1);
  assert.equal((await t.call("GET", `/api/v1/subnets/${s.id}`)).status, 404);
});

appTest("CIDR errors are precise 422s; host bits name the network or normalize", async (t) => {
  const octet = await post(t, "/api/v1/subnets", { cidr: "10.0.0.300/24" });
  assert.equal(octet.status, 422);
  assert.equal(octet.body.error.code, "invalid_cidr");
  assert.equal(octet.body.error.message, 'invalid CIDR "10.0.0.300/24": octet 300 > 255');

  const hostBits = await post(t, "/api/v1/subnets", { cidr: "10.0.0.5/24" });
  assert.equal(hostBits.status, 422);
  assert.match(hostBits.body.error.message, /host bits set; the network is 10\.0\.0\.0\/24/);
  assert.deepEqual(hostBits.body.error.details, { network: "10.0.0.0/24" });

  const normalized = await post(t, "/api/v1/subnets", { cidr: "10.0.0.5/24", normalize: true });
  assert.equal(normalized.status, 201);
  assert.equal(normalized.body.cidr, "10.0.0.0/24");

  for (
    const [cidr, reason] of [
      ["10.0.0.0/0", /\/0 covers the whole address space/],
      ["::/0", /\/0/],
      ["10.0.0.0/33", /prefix \/33 > 32/],
      ["10.0.0.0", /missing prefix length/],
      ["", /empty/],
      ["::ffff:10.0.0.0/120", /IPv4-mapped/],
      ["2001:db8::/129", /prefix \/129 > 128/],
      ["１０.0.0.0/24", /non-ASCII/],
      ["<script>/24", /not|invalid/],
    ] as const
  ) {
    const res = await post(t, "/api/v1/subnets", { cidr });
    assert.equal(res.status, 422, `${JSON.stringify(cidr)} → ${JSON.stringify(res.body)}`);
    assert.match(res.body.error.message, reason);
  }
  const badVlan = await post(t, "/api/v1/subnets", { cidr: "198.51.100.0/24", vlan: 5000 });
  assert.equal(badVlan.status, 422);
  assert.equal(badVlan.body.error.code, "validation_failed");
  assert.match(badVlan.body.error.message, /vlan must be 1-4094/);
  const wrongType = await post(t, "/api/v1/subnets", { cidr: 42 });
  assert.equal(wrongType.status, 422);
  const list = await (await t.call("GET", "/api/v1/subnets")).json();
  assert.equal(list.items.length, 1, "only the normalized subnet exists");
});

appTest("duplicates are 409 (also across spellings); nesting sets parent_id", async (t) => {
  const outer = await post(t, "/api/v1/subnets", { cidr: "2001:db8::/48" });
  const dup = await post(t, "/api/v1/subnets", { cidr: "2001:DB8:0::/48" });
  assert.equal(dup.status, 409);
  assert.equal(dup.body.error.code, "duplicate_subnet");
  assert.deepEqual(dup.body.error.details, { id: outer.body.id });
  const inner = await post(t, "/api/v1/subnets", { cidr: "2001:db8:0:10::/64" });
  assert.equal(inner.body.parent_id, outer.body.id);
  const list = await (await t.call("GET", "/api/v1/subnets")).json();
  assert.deepEqual(list.items.map((s: { depth: number }) => s.depth), [0, 1]);
  const movedTo = await t.call("PATCH", `/api/v1/subnets/${inner.body.id}`, {
    json: { cidr: "2001:db8::/48" },
  });
  assert.equal(movedTo.status, 409);
});

appTest("deleting a parent with children or hosts is 409 until a cascade is chosen", async (t) => {
  const outer = (await post(t, "/api/v1/subnets", { cidr: "127.0.2.0/24" })).body;
  await post(t, "/api/v1/subnets", { cidr: "127.0.2.128/25" });
  await post(t, "/api/v1/hosts", { ip: "127.0.2.10" });
  const refused = await t.call("DELETE", `/api/v1/subnets/${outer.id}`);
  assert.equal(refused.status, 409);
  const err = (await refused.json()).error;
  assert.equal(err.code, "subnet_not_empty");
  assert.deepEqual(err.details, { children: 1, hosts: 1, choices: ["orphan", "hosts", "all"] });
  const bad = await t.call("DELETE", `/api/v1/subnets/${outer.id}?cascade=everything`);
  assert.equal(bad.status, 422);
  const ok = await t.call("DELETE", `/api/v1/subnets/${outer.id}?cascade=orphan`);
  assert.equal(ok.status, 200);
  assert.deepEqual(await ok.json(), {
    deleted_subnets: 1,
    deleted_hosts: 0,
    reparented_subnets: 1,
    reassigned_hosts: 1,
  });
  const host = await (await t.call("GET", "/api/v1/hosts/by-ip/127.0.2.10")).json();
  assert.equal(host.subnet_id, null, "kept as an orphan");
});

appTest("list paging with limit and cursor; filters by text, tag and family", async (t) => {
  for (const cidr of ["127.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/64"]) {
    await post(t, "/api/v1/subnets", { cidr, tags: cidr.includes(":") ? ["v6"] : ["v4"] });
  }
  const first = await (await t.call("GET", "/api/v1/subnets?limit=2")).json();
  assert.deepEqual(first.items.map((s: { cidr: string }) => s.cidr), [
    "127.0.2.0/24",
    "198.51.100.0/24",
  ]);
  assert.equal(first.next_cursor, "198.51.100.0/24");
  const second = await (await t.call(
    "GET",
    `/api/v1/subnets?limit=2&cursor=${encodeURIComponent(first.next_cursor)}`,
  )).json();
  assert.deepEqual(second.items.map((s: { cidr: string }) => s.cidr), [
    "203.0.113.0/24",
    "2001:db8::/64",
  ]);
  assert.equal(second.next_cursor, null);
  const v6 = await (await t.call("GET", "/api/v1/subnets?family=6")).json();
  assert.equal(v6.items.length, 1);
  const tagged = await (await t.call("GET", "/api/v1/subnets?tag=v4&q=198.51")).json();
  assert.deepEqual(tagged.items.map((s: { cidr: string }) => s.cidr), ["198.51.100.0/24"]);
  const tooMany = await t.call("GET", "/api/v1/subnets?limit=5000");
  assert.equal(tooMany.status, 422);
});

appTest("viewers read subnets but cannot change them; everything needs login", async (t) => {
  assert.equal((await t.call("GET", "/api/v1/subnets", { as: null })).status, 401);
  const res = await t.call("POST", "/api/v1/users", {
    json: {
      username: "vera",
      password: "viewer-password-1",
      role: "viewer",
      must_change_password: false,
    },
  });
  assert.equal(res.status, 201);
  const vera = await t.login("vera", "viewer-password-1");
  assert.equal((await t.call("GET", "/api/v1/subnets", { as: vera })).status, 200);
  const denied = await t.call("POST", "/api/v1/subnets", {
    as: vera,
    json: { cidr: "127.0.2.0/24" },
  });
  assert.equal(denied.status, 403);
});

appTest("the IPAM endpoints are documented in openapi.json", async (t) => {
  const doc = await (await t.call("GET", "/openapi.json", { as: null })).json();
  for (
    const path of [
      "/api/v1/subnets",
      "/api/v1/subnets/{id}",
      "/api/v1/subnets/{id}/addresses",
      "/api/v1/subnets/{id}/next-free",
      "/api/v1/hosts",
      "/api/v1/hosts/{id}",
      "/api/v1/hosts/by-ip/{ip}",
      "/api/v1/search",
      "/api/v1/import/hosts",
      "/api/v1/import/subnets",
      "/api/v1/export/hosts.csv",
      "/api/v1/export/subnets.csv",
    ]
  ) {
    assert.ok(doc.paths[path], `${path} documented`);
  }
  const del = doc.paths["/api/v1/subnets/{id}"].delete;
  assert.match(del.description, /cascade/);
  assert.ok(del.parameters.some((p: { name: string }) => p.name === "cascade"));
});

appTest(
  "a new cidr never silently orphans hosts: 409 with the count, or orphans says what to do",
  async (t) => {
    const parent = (await post(t, "/api/v1/subnets", { cidr: "10.0.0.0/8" })).body;
    const s = (await post(t, "/api/v1/subnets", { cidr: "10.5.0.0/16" })).body;
    for (const ip of ["10.5.1.1", "10.5.200.1", "10.5.201.1"]) {
      assert.equal((await post(t, "/api/v1/hosts", { ip })).status, 201);
    }
    const patch = (json: unknown) => t.call("PATCH", `/api/v1/subnets/${s.id}`, { json });
    const refused = await patch({ cidr: "10.5.0.0/17" });
    assert.equal(refused.status, 409);
    const err = (await refused.json()).error;
    assert.equal(err.code, "hosts_outside_cidr");
    assert.equal(err.details.hosts, 2);
    assert.match(err.message, /would leave 2 of its host\(s\) outside it/);
    assert.match(err.message, /orphans=move_to_parent.*orphans=delete/);
    assert.equal((await patch({ cidr: "10.5.0.0/17", orphans: "keep" })).status, 422);
    // Nothing changed by the refusals.
    assert.equal(
      (await (await t.call("GET", `/api/v1/subnets/${s.id}`)).json()).cidr,
      "10.5.0.0/16",
    );
    // A change that leaves nobody outside needs no choice.
    assert.equal((await patch({ name: "renamed" })).status, 200);

    const moved = await patch({ cidr: "10.5.0.0/17", orphans: "move_to_parent" });
    assert.equal(moved.status, 200, await moved.clone().text());
    const hosts = await (await t.call("GET", "/api/v1/hosts?limit=10")).json();
    const subnetOf = Object.fromEntries(
      hosts.items.map((h: { ip: string; subnet_id: number | null }) => [h.ip, h.subnet_id]),
    );
    assert.deepEqual(subnetOf, {
      "10.5.1.1": s.id,
      "10.5.200.1": parent.id,
      "10.5.201.1": parent.id,
    });

    // No parent and orphans=delete: the hosts outside are deleted, the rest stay.
    const lone = (await post(t, "/api/v1/subnets", { cidr: "172.20.0.0/24" })).body;
    for (const ip of ["172.20.0.10", "172.20.0.200"]) await post(t, "/api/v1/hosts", { ip });
    const del = await t.call("PATCH", `/api/v1/subnets/${lone.id}`, {
      json: { cidr: "172.20.0.0/25", orphans: "delete" },
    });
    assert.equal(del.status, 200);
    const left = await (await t.call("GET", "/api/v1/hosts?q=172.20")).json();
    assert.deepEqual(left.items.map((h: { ip: string }) => h.ip), ["172.20.0.10"]);
  },
);
