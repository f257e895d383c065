// Subnet storage on both engines: the containment tree stays right through create, move and delete.
import assert from "node:assert/strict";
import { dbTest } from "@/tests/support/test_db.ts";
import { rejectsWithAppError } from "@/tests/support/app_error_assert.ts";
import type { Db } from "@/services/store/mod.ts";
import { HostInputSchema, SubnetInputSchema } from "./input_schemas.ts";
import {
  createSubnet,
  deleteSubnet,
  getSubnet,
  listSubnets,
  subnetUsage,
  updateSubnet,
} from "./subnet_repo.ts";
import { createHost, getHostByIp } from "./host_repo.ts";

const subnet = (db: Db, cidr: string, extra: Record<string, unknown> = {}) =>
  createSubnet(db, SubnetInputSchema.parse({ cidr, ...extra }));
const host = (db: Db, ip: string) => createHost(db, HostInputSchema.parse({ ip }));

async function parentCidr(db: Db, cidr: string): Promise<string | null> {
  const [row] = await db.query<{ p: string | null }>(
    `select p.cidr::text as p from subnet s left join subnet p on p.id = s.parent_id
     where s.cidr = $1::cidr`,
    [cidr],
  );
  return row.p;
}

async function subnetOfHost(db: Db, ip: string): Promise<string | null> {
  const [row] = await db.query<{ c: string | null }>(
    `select s.cidr::text as c from host h left join subnet s on s.id = h.subnet_id
     where h.ip = $1::inet`,
    [ip],
  );
  return row.c;
}

dbTest("a subnet created inside another gets it as parent and adopts its hosts", async (db) => {
  const outer = await subnet(db, "10.0.0.0/16", { name: "campus", tags: ["a"] });
  assert.equal(outer.cidr, "10.0.0.0/16");
  assert.equal(outer.parent_id, null);
  assert.deepEqual(outer.tags, ["a"]);
  assert.equal(outer.scan_enabled, false);
  assert.equal(outer.scan_interval_s, 300);
  assert.match(outer.created_at, /^\d{4}-\d\d-\d\dT.*Z$/);
  await host(db, "10.0.1.5");
  await host(db, "10.0.9.9");
  assert.equal(await subnetOfHost(db, "10.0.1.5"), "10.0.0.0/16");

  // A /24 in between: it adopts 10.0.1.5 but not 10.0.9.9.
  const mid = await subnet(db, "10.0.1.0/24");
  assert.equal(mid.parent_id, outer.id);
  assert.equal(await subnetOfHost(db, "10.0.1.5"), "10.0.1.0/24");
  assert.equal(await subnetOfHost(db, "10.0.9.9"), "10.0.0.0/16");

  // A /8 above everything becomes the new root; the /16 moves under it, the /24 stays put.
  const top = await subnet(db, "10.0.0.0/8");
  assert.equal(top.parent_id, null);
  assert.equal(await parentCidr(db, "10.0.0.0/16"), "10.0.0.0/8");
  assert.equal(await parentCidr(db, "10.0.1.0/24"), "10.0.0.0/16");

  // Address order is the tree's pre-order walk.
  assert.deepEqual((await listSubnets(db)).map((s) => s.cidr), [
    "10.0.0.0/8",
    "10.0.0.0/16",
    "10.0.1.0/24",
  ]);
});

dbTest("duplicates are 409, IPv6 is stored canonical, families never nest", async (db) => {
  const v6 = await subnet(db, "2001:DB8:0:0::/48");
  assert.equal(v6.cidr, "2001:db8::/48");
  assert.equal(v6.family, 6);
  const err = await rejectsWithAppError(subnet(db, "2001:db8::/48"), 409, "duplicate_subnet");
  assert.match(err.message, /2001:db8::\/48 already exists/);
  const v4 = await subnet(db, "0.0.0.0/1");
  assert.equal(v4.parent_id, null);
  const inner = await subnet(db, "2001:db8:0:10::/64");
  assert.equal(inner.parent_id, v6.id);
});

dbTest("deleting a subnet with children or hosts needs an explicit choice", async (db) => {
  const outer = await subnet(db, "127.0.2.0/24");
  const inner = await subnet(db, "127.0.2.192/27");
  await host(db, "127.0.2.10");
  await host(db, "127.0.2.200");

  const err = await rejectsWithAppError(deleteSubnet(db, outer.id), 409, "subnet_not_empty");
  assert.deepEqual(err.details, { children: 1, hosts: 1, choices: ["orphan", "hosts", "all"] });
  assert.ok(await getSubnet(db, outer.id), "nothing deleted on 409");

  // orphan: the /27 becomes a root, 127.0.2.10 keeps existing without a subnet.
  const res = await deleteSubnet(db, outer.id, "orphan");
  assert.deepEqual(res, {
    deleted_subnets: 1,
    deleted_hosts: 0,
    reparented_subnets: 1,
    reassigned_hosts: 1,
  });
  assert.equal((await getSubnet(db, inner.id))!.parent_id, null);
  assert.equal(await subnetOfHost(db, "127.0.2.10"), null);
  assert.equal(await subnetOfHost(db, "127.0.2.200"), "127.0.2.192/27");

  // An empty subnet needs no choice.
  const empty = await subnet(db, "198.51.100.0/24");
  assert.equal((await deleteSubnet(db, empty.id)).deleted_subnets, 1);
  await rejectsWithAppError(deleteSubnet(db, empty.id), 404, "not_found");
});

dbTest(
  "cascade=hosts deletes the subnet's own hosts; cascade=all everything inside",
  async (db) => {
    const a = await subnet(db, "127.0.2.0/24");
    await subnet(db, "127.0.2.192/27");
    await host(db, "127.0.2.10");
    await host(db, "127.0.2.200");
    const r1 = await deleteSubnet(db, a.id, "hosts");
    assert.equal(r1.deleted_hosts, 1);
    assert.equal(await getHostByIp(db, "127.0.2.10"), null);
    assert.ok(await getHostByIp(db, "127.0.2.200"), "a child's host stays");

    const b = await subnet(db, "203.0.113.0/24");
    await subnet(db, "203.0.113.0/28");
    await subnet(db, "203.0.113.16/28");
    await host(db, "203.0.113.1");
    await host(db, "203.0.113.17");
    await host(db, "203.0.113.100");
    const r2 = await deleteSubnet(db, b.id, "all");
    assert.deepEqual(r2, {
      deleted_subnets: 3,
      deleted_hosts: 3,
      reparented_subnets: 0,
      reassigned_hosts: 0,
    });
    assert.deepEqual((await listSubnets(db)).map((s) => s.cidr), ["127.0.2.192/27"]);
  },
);

dbTest("changing a subnet's cidr moves it in the tree; children and hosts follow", async (db) => {
  const root = await subnet(db, "10.0.0.0/8");
  const s = await subnet(db, "10.1.0.0/16");
  const child = await subnet(db, "10.1.2.0/24");
  await host(db, "10.1.9.9");
  await host(db, "10.2.0.1");
  await rejectsWithAppError(
    updateSubnet(db, s.id, { cidr: "10.2.0.0/16", name: "moved" }),
    409,
    "hosts_outside_cidr",
  );
  const moved = await updateSubnet(db, s.id, { cidr: "10.2.0.0/16", name: "moved" }, {
    orphans: "move_to_parent",
  });
  assert.equal(moved.cidr, "10.2.0.0/16");
  assert.equal(moved.name, "moved");
  assert.equal(moved.parent_id, root.id);
  assert.equal((await getSubnet(db, child.id))!.parent_id, root.id, "old child left behind");
  assert.equal(await subnetOfHost(db, "10.1.9.9"), "10.0.0.0/8");
  assert.equal(await subnetOfHost(db, "10.2.0.1"), "10.2.0.0/16");
  await rejectsWithAppError(
    updateSubnet(db, child.id, { cidr: "10.2.0.0/16" }),
    409,
    "duplicate_subnet",
  );
  const renamed = await updateSubnet(db, child.id, { tags: ["x", "y"], vlan: null });
  assert.deepEqual(renamed.tags, ["x", "y"]);
});

dbTest("usage counts hosts in the prefix (children included) and the alive ones", async (db) => {
  const a = await subnet(db, "127.0.2.0/24");
  const b = await subnet(db, "127.0.2.192/27");
  const c = await subnet(db, "2001:db8::/64");
  for (const ip of ["127.0.2.1", "127.0.2.2", "127.0.2.200", "2001:db8::1"]) await host(db, ip);
  const usage = await subnetUsage(db, ["127.0.2.2", "127.0.2.200", "198.51.100.1"]);
  assert.deepEqual(usage.get(a.id), { used: 3, alive: 2 });
  assert.deepEqual(usage.get(b.id), { used: 1, alive: 1 });
  assert.deepEqual(usage.get(c.id), { used: 1, alive: 0 });
  const only = await subnetUsage(db, [], [c.id]);
  assert.deepEqual([...only.keys()], [c.id]);
});

dbTest(
  "concurrent subnet and host writes still leave every parent and subnet_id exact",
  async (db) => {
    // Fired together: on PostgreSQL these are separate connections racing; the tree lock orders them.
    const cidrs = ["10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.128/25", "10.2.0.0/16"];
    const ips = ["10.1.2.200", "10.1.2.5", "10.1.9.9", "10.2.3.4", "10.9.9.9"];
    await Promise.all([
      ...cidrs.map((cidr) => subnet(db, cidr)),
      ...ips.map((ip) => createHost(db, HostInputSchema.parse({ ip }), { allowOrphan: true })),
    ]);
    assert.equal(await parentCidr(db, "10.1.2.128/25"), "10.1.2.0/24");
    assert.equal(await parentCidr(db, "10.1.2.0/24"), "10.1.0.0/16");
    assert.equal(await parentCidr(db, "10.1.0.0/16"), "10.0.0.0/8");
    assert.equal(await parentCidr(db, "10.2.0.0/16"), "10.0.0.0/8");
    assert.equal(await subnetOfHost(db, "10.1.2.200"), "10.1.2.128/25");
    assert.equal(await subnetOfHost(db, "10.1.2.5"), "10.1.2.0/24");
    assert.equal(await subnetOfHost(db, "10.1.9.9"), "10.1.0.0/16");
    assert.equal(await subnetOfHost(db, "10.2.3.4"), "10.2.0.0/16");
    assert.equal(await subnetOfHost(db, "10.9.9.9"), "10.0.0.0/8");
  },
);
