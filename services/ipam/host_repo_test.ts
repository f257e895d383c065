// Host storage on both engines: derived subnet, orphans, duplicates, filters and address order.
import assert from "node:assert/strict";
import { dbTest } from "@/tests/support/test_db.ts";
import { rejectsWithAppError } from "@/tests/support/app_error_assert.ts";
import type { Db } from "@/services/store/mod.ts";
import { HostInputSchema, SubnetInputSchema } from "./input_schemas.ts";
import { createSubnet } from "./subnet_repo.ts";
import {
  createHost,
  deleteHost,
  getHostByIp,
  listHosts,
  updateHost,
  usedIpsIn,
} from "./host_repo.ts";

const subnet = (db: Db, cidr: string) => createSubnet(db, SubnetInputSchema.parse({ cidr }));
const host = (db: Db, fields: Record<string, unknown>, opts = {}) =>
  createHost(db, HostInputSchema.parse(fields), opts);

dbTest(
  "a host gets the most specific containing subnet; outside every subnet needs allow_orphan",
  async (db) => {
    const outer = await subnet(db, "127.0.2.0/24");
    const inner = await subnet(db, "127.0.2.192/27");
    const a = await host(db, { ip: "127.0.2.10", hostname: "web-01", tags: ["prod", "web"] });
    assert.equal(a.subnet_id, outer.id);
    assert.equal(a.ip, "127.0.2.10");
    assert.deepEqual(a.tags, ["prod", "web"]);
    assert.equal(a.discovered, false);
    assert.equal((await host(db, { ip: "127.0.2.200" })).subnet_id, inner.id);

    const err = await rejectsWithAppError(host(db, { ip: "198.51.100.7" }), 422, "no_subnet");
    assert.match(err.message, /198\.51\.100\.7 is not inside any subnet.*allow_orphan/);
    const orphan = await host(db, { ip: "198.51.100.7" }, { allowOrphan: true });
    assert.equal(orphan.subnet_id, null);

    const dup = await rejectsWithAppError(host(db, { ip: "127.0.2.10" }), 409, "duplicate_host");
    assert.deepEqual(dup.details, { id: a.id });
  },
);

dbTest("IPv6 hosts are stored and returned canonical and sorted by address", async (db) => {
  await subnet(db, "2001:db8::/64");
  await subnet(db, "10.0.0.0/24");
  await host(db, { ip: "2001:DB8:0:0:0:0:0:10" });
  await host(db, { ip: "2001:db8::9" });
  await host(db, { ip: "10.0.0.10" });
  await host(db, { ip: "10.0.0.9" });
  assert.deepEqual((await listHosts(db)).map((h) => h.ip), [
    "10.0.0.9",
    "10.0.0.10",
    "2001:db8::9",
    "2001:db8::10",
  ]);
  assert.ok(await getHostByIp(db, "2001:db8::10"));
  assert.deepEqual(await usedIpsIn(db, "10.0.0.0/24"), ["10.0.0.9", "10.0.0.10"]);
  assert.deepEqual(
    await usedIpsIn(db, "10.0.0.0/24", { first: "10.0.0.10", last: "10.0.0.20" }),
    ["10.0.0.10"],
  );
});

dbTest(
  "filters: tag, text (LIKE characters literal), prefix, mac, within, keyset paging",
  async (db) => {
    await subnet(db, "127.0.2.0/24");
    await host(db, {
      ip: "127.0.2.1",
      hostname: "gw",
      tags: ["network"],
      mac: "00-00-5E-00-53-01",
    });
    await host(db, { ip: "127.0.2.2", description: "100% uptime_target", tags: ["prod"] });
    await host(db, { ip: "127.0.2.3", notes: "Zürich wing", tags: ["prod"] });
    const ips = async (f: Parameters<typeof listHosts>[1]) =>
      (await listHosts(db, f)).map((h) => h.ip);
    assert.deepEqual(await ips({ tag: "prod" }), ["127.0.2.2", "127.0.2.3"]);
    assert.deepEqual(await ips({ q: "100%" }), ["127.0.2.2"]);
    assert.deepEqual(await ips({ q: "_" }), ["127.0.2.2"], "_ is not a wildcard");
    assert.deepEqual(await ips({ q: "zürich" }), ["127.0.2.3"]);
    assert.deepEqual(await ips({ mac: "00:00:5e:00:53:01" }), ["127.0.2.1"]);
    assert.deepEqual(await ips({ prefix: "00:00:5E" }), ["127.0.2.1"]);
    assert.deepEqual(await ips({ prefix: "127.0.2." }), ["127.0.2.1", "127.0.2.2", "127.0.2.3"]);
    assert.deepEqual(await ips({ limit: 2 }), ["127.0.2.1", "127.0.2.2"]);
    assert.deepEqual(await ips({ after: "127.0.2.2" }), ["127.0.2.3"]);
    assert.deepEqual(await ips({ within: "127.0.2.2/31" }), ["127.0.2.2", "127.0.2.3"]);
  },
);

dbTest("update: a new ip re-derives the subnet; duplicates and orphans refused", async (db) => {
  const a = await subnet(db, "127.0.2.0/24");
  const b = await subnet(db, "198.51.100.0/24");
  const h = await host(db, { ip: "127.0.2.10", hostname: "old" });
  await host(db, { ip: "127.0.2.11" });
  const moved = await updateHost(db, h.id, { ip: "198.51.100.10", hostname: null, tags: ["x"] });
  assert.equal(moved.subnet_id, b.id);
  assert.equal(moved.hostname, null);
  assert.deepEqual(moved.tags, ["x"]);
  assert.notEqual(moved.subnet_id, a.id);
  await rejectsWithAppError(updateHost(db, h.id, { ip: "127.0.2.11" }), 409, "duplicate_host");
  await rejectsWithAppError(updateHost(db, h.id, { ip: "203.0.113.1" }), 422, "no_subnet");
  const kept = await updateHost(db, h.id, { hostname_override: "alias" });
  assert.equal(kept.hostname_override, "alias");
  assert.equal(kept.ip, "198.51.100.10");
  await deleteHost(db, h.id);
  await rejectsWithAppError(deleteHost(db, h.id), 404, "not_found");
});
