// The address index follows every change of the host set, made by any writer (plain SQL here),
// and a subnet's fold built from it shows each change on the next read.
import assert from "node:assert/strict";
import { openKvStateStore } from "@/services/store/mod.ts";
import { dbTest } from "@/tests/support/test_db.ts";
import { SubnetInputSchema } from "./input_schemas.ts";
import { createSubnet } from "./subnet_repo.ts";
import { addressIndex, hostSetVersion, indexRange } from "./address_index.ts";
import { loadSubnetAddresses } from "./subnet_view.ts";
import { parseCidr } from "./cidr.ts";

dbTest("address index: kept while hosts stay, read again after any change", async (db) => {
  await using kv = await openKvStateStore(":memory:");
  const s = await createSubnet(db, SubnetInputSchema.parse({ cidr: "198.51.100.0/24" }));
  await db.query(
    `insert into host (ip, subnet_id) values ('198.51.100.20', $1), ('198.51.100.5', $1),
       ('2001:db8::1', null), ('203.0.113.9', null)`,
    [s.id],
  );
  const first = await addressIndex(db);
  assert.deepEqual(first.ips, ["198.51.100.5", "198.51.100.20", "203.0.113.9", "2001:db8::1"]);
  assert.equal(await addressIndex(db), first, "unchanged hosts: the same index");
  const c = parseCidr("198.51.100.0/24");
  assert.deepEqual(indexRange(first, 4, c.first, c.last), [0, 2]);
  const v6 = parseCidr("2001:db8::/32");
  assert.deepEqual(indexRange(first, 6, v6.first, v6.last), [3, 4]);

  const before = await hostSetVersion(db);
  await db.tx(async (tx) => {
    await tx.query(`insert into host (ip, subnet_id) values ('198.51.100.7', $1)`, [s.id]);
    await tx.query(`insert into host (ip, subnet_id) values ('198.51.100.8', $1)`, [s.id]);
  });
  assert.equal(BigInt(await hostSetVersion(db)), BigInt(before) + 1n, "once per transaction");
  const view = await loadSubnetAddresses(db, kv, s);
  assert.deepEqual(
    view.rows.filter((r) => r.kind === "host").map((r) => (r as { ip: string }).ip),
    ["198.51.100.5", "198.51.100.7", "198.51.100.8", "198.51.100.20"],
  );

  await db.query(`update host set ip = '198.51.100.9' where ip = '198.51.100.8'`);
  await db.query(`delete from host where ip = '198.51.100.5'`);
  const after = await loadSubnetAddresses(db, kv, s);
  assert.deepEqual(
    after.rows.filter((r) => r.kind === "host").map((r) => (r as { ip: string }).ip),
    ["198.51.100.7", "198.51.100.9", "198.51.100.20"],
  );
  assert.equal(after.next_free, "198.51.100.1");

  // A transaction that rolls back changes nothing, not even the version.
  const v = await hostSetVersion(db);
  await assert.rejects(db.tx(async (tx) => {
    await tx.query(`insert into host (ip, subnet_id) values ('198.51.100.30', $1)`, [s.id]);
    throw new Error("no");
  }));
  assert.equal(await hostSetVersion(db), v);
});
