// The "Alive now" read model on both engines: only hosts KV reports up, each filter, ports, limits.
import { openKvStateStore, type StateStore } from "@/services/store/mod.ts";
import assert from "node:assert/strict";
import { dbTest } from "@/tests/support/test_db.ts";
import type { Db } from "@/services/store/mod.ts";
import { aliveFilterOptions, listAliveHosts } from "./alive_hosts.ts";

async function seed(db: Db, kv: StateStore) {
  const [{ id: lan }] = await db.query<{ id: number }>(
    `insert into subnet (cidr, name) values ('198.51.100.0/24', 'lan') returning id`,
  );
  const [{ id: child }] = await db.query<{ id: number }>(
    `insert into subnet (cidr, parent_id) values ('198.51.100.128/25', $1) returning id`,
    [lan],
  );
  const [{ id: other }] = await db.query<{ id: number }>(
    `insert into subnet (cidr) values ('203.0.113.0/24') returning id`,
  );
  const hosts: Record<string, number> = {};
  for (
    const [ip, subnet, name, tags] of [
      ["198.51.100.10", lan, "web-01", ["prod", "web"]],
      ["198.51.100.11", lan, "db-01", ["prod"]],
      ["198.51.100.200", child, null, []],
      ["203.0.113.5", other, "lab-box", ["lab"]],
      ["2001:db8::5", null, "v6-host", []],
    ] as const
  ) {
    const [{ id }] = await db.query<{ id: number }>(
      `insert into host (ip, subnet_id, hostname, tags) values ($1::inet, $2, $3, $4::text[])
       returning id`,
      [ip, subnet, name, [...tags]],
    );
    hosts[ip] = id;
  }
  const now = Date.now();
  const state = (up: boolean) => ({
    up,
    latency_ms: up ? 0.5 : null,
    since: now - 60_000,
    last_seen: now,
    method: "fping",
  });
  // .11 is down; every other host is up.
  for (const ip of Object.keys(hosts)) {
    await kv.set(["host_state", ip], state(ip !== "198.51.100.11"));
  }
  const [{ id: scan }] = await db.query<{ id: number }>(
    `insert into port_scan (host_id, target, started_at, finished_at, status, trigger)
     values ($1, '198.51.100.10', now(), now(), 'succeeded', 'manual') returning id`,
    [hosts["198.51.100.10"]],
  );
  await db.query(
    `insert into host_open_port (host_id, scan_id, port, proto, state, service, product, version)
     values ($1, $2, 443, 'tcp', 'open', 'https', 'nginx', '1.25'),
            ($1, $2, 22, 'tcp', 'open', 'ssh', 'OpenSSH', '9.2p1'),
            ($1, $2, 23, 'tcp', 'closed', 'telnet', '', '')`,
    [hosts["198.51.100.10"], scan],
  );
  // A port seen earlier but no longer current does not count.
  await db.query(
    `insert into host_open_port (host_id, scan_id, port, proto, state, service, current)
     values ($1, $2, 22, 'tcp', 'open', 'ssh', false)`,
    [hosts["203.0.113.5"], scan],
  );
  return { hosts, lan, child, other };
}

dbTest("alive list: only up hosts, in address order, with ports and latency", async (db) => {
  const kv = await openKvStateStore(":memory:");
  try {
    assert.deepEqual(await listAliveHosts(db, kv), { items: [], total: 0, alive: 0 });
    const { hosts, lan } = await seed(db, kv);
    const all = await listAliveHosts(db, kv);
    assert.deepEqual(all.items.map((h) => h.ip), [
      "198.51.100.10",
      "198.51.100.200",
      "203.0.113.5",
      "2001:db8::5",
    ]);
    assert.equal(all.total, 4);
    assert.equal(all.alive, 4);
    const web = all.items[0];
    assert.equal(web.id, hosts["198.51.100.10"]);
    assert.equal(web.subnet_id, lan);
    assert.equal(web.subnet_cidr, "198.51.100.0/24");
    assert.equal(web.latency_ms, 0.5);
    assert.deepEqual(web.tags, ["prod", "web"]);
    assert.deepEqual(web.ports, [
      { port: 22, proto: "tcp", service: "ssh", product: "OpenSSH", version: "9.2p1" },
      { port: 443, proto: "tcp", service: "https", product: "nginx", version: "1.25" },
    ]);
    assert.deepEqual(all.items[2].ports, [], "a port no longer current is not listed");

    const limited = await listAliveHosts(db, kv, { limit: 2 });
    assert.equal(limited.items.length, 2);
    assert.equal(limited.total, 4, "the total counts every match, not just the page");
  } finally {
    kv.close();
  }
});

dbTest("alive list: filters by subnet (children included), tag, service and text", async (db) => {
  const kv = await openKvStateStore(":memory:");
  try {
    const { lan, child } = await seed(db, kv);
    const ips = async (f: Parameters<typeof listAliveHosts>[2]) =>
      (await listAliveHosts(db, kv, f)).items.map((h) => h.ip);
    assert.deepEqual(await ips({ subnet_id: lan }), ["198.51.100.10", "198.51.100.200"]);
    assert.deepEqual(await ips({ subnet_id: child }), ["198.51.100.200"]);
    assert.deepEqual(await ips({ subnet_id: 999_999 }), []);
    assert.deepEqual(await ips({ tag: "prod" }), ["198.51.100.10"], ".11 is prod but down");
    assert.deepEqual(await ips({ tag: "pro" }), [], "tags match exactly");
    assert.deepEqual(await ips({ service: "ssh" }), ["198.51.100.10"]);
    assert.deepEqual(await ips({ service: "telnet" }), [], "closed ports do not count");
    assert.deepEqual(await ips({ q: "lab" }), ["203.0.113.5"]);
    assert.deepEqual(await ips({ q: "198.51.100.2" }), ["198.51.100.200"]);
    assert.deepEqual(await ips({ q: "2001:db8" }), ["2001:db8::5"]);
    assert.deepEqual(await ips({ q: "%" }), [], "LIKE wildcards are literal");
    assert.deepEqual(await ips({ subnet_id: lan, service: "https", q: "web" }), [
      "198.51.100.10",
    ]);
  } finally {
    kv.close();
  }
});

dbTest("alive filter options: subnets, tags in use, services on open ports", async (db) => {
  const kv = await openKvStateStore(":memory:");
  try {
    await seed(db, kv);
    const o = await aliveFilterOptions(db);
    assert.deepEqual(o.subnets.map((s) => s.cidr), [
      "198.51.100.0/24",
      "198.51.100.128/25",
      "203.0.113.0/24",
    ]);
    assert.equal(o.subnets[0].name, "lan");
    assert.deepEqual(o.tags, ["lab", "prod", "web"]);
    assert.deepEqual(o.services, ["https", "ssh"]);
  } finally {
    kv.close();
  }
});

dbTest(
  "alive hosts: with thousands up, the unfiltered list walks hosts in address order",
  async (db) => {
    const kv = await openKvStateStore(":memory:");
    try {
      // 3,000 hosts in 127.83.0.0/20 (loopback, data only); every third one is down.
      await db.query(
        `insert into host (ip) select set_masklen('127.83.0.0'::inet + g, 32)
       from generate_series(1, 3000) g`,
      );
      const ips =
        (await db.query<{ ip: string }>(`select host(ip) as ip from host order by host.ip`))
          .map((r) => r.ip);
      const up = ips.filter((_, i) => i % 3 !== 0);
      // A state for an address with no host: never listed, but still counted as alive in KV.
      const all = [...up, "127.84.0.1"];
      const slow = await listAliveHosts(db, kv, { limit: 50 }, all);
      const fast = await listAliveHosts(db, kv, { limit: 50 }, all, up.length);
      assert.deepEqual(fast.items.map((h) => h.ip), up.slice(0, 50));
      assert.deepEqual(fast.items.map((h) => h.ip), slow.items.map((h) => h.ip));
      assert.equal(fast.total, slow.total);
      assert.equal(fast.alive, all.length);
      // A filter asks SQL as before.
      const filtered = await listAliveHosts(db, kv, { limit: 5, q: "127.83.0.1" }, all, up.length);
      assert.ok(filtered.items.every((h) => h.ip.startsWith("127.83.0.1")));
    } finally {
      await kv.close();
    }
  },
);
