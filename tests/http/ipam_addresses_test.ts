// The folded subnet view through HTTP: gap rows with exact counts, expand paging, next free, /64s.
import assert from "node:assert/strict";
import { appTest, type TestApp } from "@/tests/support/test_app.ts";

async function post(t: TestApp, path: string, json: unknown) {
  const res = await t.call("POST", path, { json });
  return { status: res.status, body: await res.json() };
}

async function get(t: TestApp, path: string) {
  const res = await t.call("GET", path);
  return { status: res.status, body: await res.json() };
}

appTest("addresses: host rows and gap rows in address order, gap counts exact", async (t) => {
  const s = (await post(t, "/api/v1/subnets", { cidr: "10.0.0.0/24" })).body;
  for (const ip of ["10.0.0.1", "10.0.0.14", "10.0.0.201"]) await post(t, "/api/v1/hosts", { ip });
  const { status, body } = await get(t, `/api/v1/subnets/${s.id}/addresses`);
  assert.equal(status, 200);
  assert.deepEqual(
    body.items.map((r: Record<string, string>) => r.kind === "gap" ? r : `${r.kind} ${r.ip}`),
    [
      "host 10.0.0.1",
      { kind: "gap", first: "10.0.0.2", last: "10.0.0.13", count: "12" },
      "host 10.0.0.14",
      { kind: "gap", first: "10.0.0.15", last: "10.0.0.200", count: "186" },
      "host 10.0.0.201",
      { kind: "gap", first: "10.0.0.202", last: "10.0.0.254", count: "53" },
    ],
  );
  assert.equal(body.next_free, "10.0.0.2");
  assert.equal(body.total_rows, 6);
  assert.equal(body.utilization.used, "3");

  const paged = await get(t, `/api/v1/subnets/${s.id}/addresses?limit=2&offset=2`);
  assert.equal(paged.body.items.length, 2);
  assert.equal(paged.body.items[0].ip, "10.0.0.14");
  assert.equal(paged.body.next_cursor, "4");

  await t.kv.set(["host_state", "10.0.0.201"], {
    up: true,
    latency_ms: 1,
    since: 1,
    last_seen: 2,
    method: "icmp",
  });
  const alive = await get(t, `/api/v1/subnets/${s.id}/addresses?order=alive_first&limit=1`);
  assert.equal(alive.body.items[0].ip, "10.0.0.201");
  assert.equal(alive.body.items[0].status, "up");
  assert.equal(alive.body.utilization.alive, "1");
});

appTest("expand returns one gap's real addresses, paged; bad ranges are 422", async (t) => {
  const s = (await post(t, "/api/v1/subnets", { cidr: "10.0.0.0/24" })).body;
  await post(t, "/api/v1/hosts", { ip: "10.0.0.14" });
  await post(t, "/api/v1/hosts", { ip: "10.0.0.201" });
  const base = `/api/v1/subnets/${s.id}/addresses?expand=10.0.0.15-10.0.0.200`;
  const first = await get(t, `${base}&limit=100`);
  assert.equal(first.status, 200);
  assert.equal(first.body.total, "186");
  assert.equal(first.body.items.length, 100);
  assert.equal(first.body.items[0], "10.0.0.15");
  assert.equal(first.body.next_cursor, "100");
  const second = await get(t, `${base}&limit=100&cursor=${first.body.next_cursor}`);
  assert.equal(second.body.items.length, 86);
  assert.equal(second.body.items.at(-1), "10.0.0.200");
  assert.equal(second.body.next_cursor, null);

  for (
    const bad of [
      "10.0.0.15",
      "10.0.0.200-10.0.0.15",
      "10.0.0.0-10.0.0.5",
      "10.0.1.1-10.0.1.2",
      "2001:db8::1-2001:db8::2",
      "10.0.0.300-10.0.0.301",
    ]
  ) {
    const res = await get(t, `/api/v1/subnets/${s.id}/addresses?expand=${bad}`);
    assert.equal(res.status, 422, `${bad}: ${JSON.stringify(res.body)}`);
  }
  assert.equal((await get(t, `${base}&limit=5000`)).status, 422);
});

appTest("a /64 folds and expands without enumerating it; next-free", async (t) => {
  const s = (await post(t, "/api/v1/subnets", { cidr: "2001:db8:0:10::/64" })).body;
  await post(t, "/api/v1/hosts", { ip: "2001:db8:0:10::1" });
  await post(t, "/api/v1/hosts", { ip: "2001:db8:0:10::3" });
  const rows = (await get(t, `/api/v1/subnets/${s.id}/addresses`)).body.items;
  assert.deepEqual(rows.at(-1), {
    kind: "gap",
    first: "2001:db8:0:10::4",
    last: "2001:db8:0:10:ffff:ffff:ffff:ffff",
    count: "18446744073709551612",
  });
  const expand = await get(
    t,
    `/api/v1/subnets/${s.id}/addresses?expand=2001:db8:0:10::4-2001:db8:0:10:ffff:ffff:ffff:ffff&limit=3&offset=1000000`,
  );
  assert.deepEqual(expand.body.items, [
    "2001:db8:0:10::f:4244",
    "2001:db8:0:10::f:4245",
    "2001:db8:0:10::f:4246",
  ]);
  assert.equal(expand.body.total, "18446744073709551612");
  const next = await get(t, `/api/v1/subnets/${s.id}/next-free`);
  assert.deepEqual(next.body, { ip: "2001:db8:0:10::2", subnet_id: s.id });
});

appTest("next-free skips used addresses and is 409 on a full subnet", async (t) => {
  const s = (await post(t, "/api/v1/subnets", { cidr: "198.51.100.0/30" })).body;
  assert.equal((await get(t, `/api/v1/subnets/${s.id}/next-free`)).body.ip, "198.51.100.1");
  await post(t, "/api/v1/hosts", { ip: "198.51.100.1" });
  assert.equal((await get(t, `/api/v1/subnets/${s.id}/next-free`)).body.ip, "198.51.100.2");
  await post(t, "/api/v1/hosts", { ip: "198.51.100.2" });
  const full = await get(t, `/api/v1/subnets/${s.id}/next-free`);
  assert.equal(full.status, 409);
  assert.equal(full.body.error.code, "subnet_full");
  assert.equal((await get(t, "/api/v1/subnets/999/next-free")).status, 404);
});
