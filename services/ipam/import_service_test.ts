// CSV import on both engines: dry-run plans, all-or-nothing writes, merge of existing rows, the tree.
import assert from "node:assert/strict";
import { dbTest } from "@/tests/support/test_db.ts";
import { AppError } from "@/services/errors.ts";
import { importHostsCsv, importSubnetsCsv } from "./import_service.ts";
import { getHostByIp, listHosts } from "./host_repo.ts";
import { getSubnetByCidr, listSubnets } from "./subnet_repo.ts";
import { seedDemo } from "./seed.ts";

const SUBNETS = "cidr,name,scan_enabled\n127.0.2.0/24,Servers,\n127.0.2.192/27,OOB,yes\n";

dbTest("subnets: dry run writes nothing; the real run builds the tree", async (db) => {
  const dry = await importSubnetsCsv(db, SUBNETS, { dryRun: true });
  assert.equal(dry.dry_run, true);
  assert.deepEqual(dry.summary, { create: 2, update: 0, skip: 0, error: 0, folder: 0, warning: 0 });
  assert.deepEqual(dry.rows.map((r) => `${r.line} ${r.action} ${r.key}`), [
    "2 create 127.0.2.0/24",
    "3 create 127.0.2.192/27",
  ]);
  assert.equal((await listSubnets(db)).length, 0);

  const real = await importSubnetsCsv(db, SUBNETS);
  assert.equal(real.dry_run, false);
  const [outer, inner] = await listSubnets(db);
  assert.equal(inner.parent_id, outer.id);
  assert.equal(inner.scan_enabled, true);
  assert.equal(outer.scan_enabled, false);
});

dbTest(
  "subnets: an existing cidr is updated with the filled cells only, or skipped",
  async (db) => {
    await importSubnetsCsv(db, SUBNETS);
    // A blank scan_enabled cell must not switch scanning off; a filled name changes.
    const again = await importSubnetsCsv(
      db,
      "cidr,name,scan_enabled\n127.0.2.192/27,Out-of-band,\n127.0.2.0/24,Servers,\n",
    );
    assert.deepEqual(again.rows.map((r) => [r.action, r.changes ?? r.reason]), [
      ["update", ["name"]],
      ["skip", "no changes"],
    ]);
    const inner = (await getSubnetByCidr(db, "127.0.2.192/27"))!;
    assert.equal(inner.name, "Out-of-band");
    assert.equal(inner.scan_enabled, true);
    const off = await importSubnetsCsv(db, "cidr,scan_enabled\n127.0.2.192/27,false\n");
    assert.deepEqual(off.rows[0].changes, ["scan_enabled"]);
    assert.equal((await getSubnetByCidr(db, "127.0.2.192/27"))!.scan_enabled, false);
    const skip = await importSubnetsCsv(db, "cidr,name\n127.0.2.0/24,X\n", { onExisting: "skip" });
    assert.equal(skip.rows[0].reason, "already exists");
    assert.equal((await getSubnetByCidr(db, "127.0.2.0/24"))!.name, "Servers");
  },
);

dbTest("hosts: per-row errors refuse the whole file unless skip_errors", async (db) => {
  await importSubnetsCsv(db, SUBNETS);
  const csv = [
    "ip,hostname,tags",
    "127.0.2.10,web-01,prod;web",
    "10.0.0.300,bad,",
    "127.0.2.10,dup,",
    "198.51.100.1,outside,",
    "127.0.2.200,oob-1,",
  ].join("\r\n");
  const dry = await importHostsCsv(db, csv, { dryRun: true });
  assert.deepEqual(dry.summary, { create: 2, update: 0, skip: 0, error: 3, folder: 0, warning: 0 });
  assert.deepEqual(dry.errors.map((e) => e.line), [3, 4, 5]);
  assert.match(dry.errors[0].message, /octet 300 > 255/);
  assert.match(dry.errors[1].message, /duplicate of line 2/);
  assert.match(dry.errors[2].message, /not inside any subnet/);

  await assert.rejects(importHostsCsv(db, csv), (e: unknown) => {
    assert.ok(e instanceof AppError);
    assert.equal(e.status, 422);
    assert.equal(e.code, "import_has_errors");
    assert.match(e.message, /3 row\(s\) have errors \(first: line 3/);
    return true;
  });
  assert.equal((await listHosts(db)).length, 0, "nothing half-imported");

  const partial = await importHostsCsv(db, csv, { skipErrors: true });
  assert.equal(partial.summary.create, 2);
  const web = (await getHostByIp(db, "127.0.2.10"))!;
  assert.deepEqual(web.tags, ["prod", "web"]);
  assert.ok(web.subnet_id);
  const oob = (await getHostByIp(db, "127.0.2.200"))!;
  assert.equal(oob.subnet_id, (await getSubnetByCidr(db, "127.0.2.192/27"))!.id);

  const orphans = await importHostsCsv(db, "ip\n198.51.100.1\n", { allowOrphan: true });
  assert.equal(orphans.summary.create, 1);
  assert.equal((await getHostByIp(db, "198.51.100.1"))!.subnet_id, null);
});

dbTest(
  "hosts: re-import merges non-empty cells and reports unchanged rows as skipped",
  async (db) => {
    await importSubnetsCsv(db, SUBNETS);
    await importHostsCsv(db, "ip,hostname,notes\n127.0.2.10,web-01,keep me\n127.0.2.11,web-02,\n");
    const report = await importHostsCsv(
      db,
      "ip,hostname,notes\n127.0.2.10,web-1,\n127.0.2.11,web-02,\n",
    );
    assert.deepEqual(report.rows.map((r) => [r.key, r.action, r.changes ?? r.reason]), [
      ["127.0.2.10", "update", ["hostname"]],
      ["127.0.2.11", "skip", "no changes"],
    ]);
    const h = (await getHostByIp(db, "127.0.2.10"))!;
    assert.equal(h.hostname, "web-1");
    assert.equal(h.notes, "keep me");
  },
);

dbTest("phpIPAM address exports import with their columns mapped", async (db) => {
  await importSubnetsCsv(db, "cidr\n127.0.2.0/24\n");
  const csv = await Deno.readTextFile(
    new URL("../../static/samples/phpipam_addresses.csv", import.meta.url),
  );
  const report = await importHostsCsv(db, csv, { skipErrors: true });
  assert.equal(report.format, "phpipam");
  assert.deepEqual(report.ignored_columns, ["Section", "VRF", "Subnet"]);
  // Only the 127.0.2.x rows have a subnet here; the others are reported, not imported.
  assert.equal(report.summary.create, 4);
  assert.ok(report.errors.every((e) => /not inside any subnet/.test(e.message)));
  const gw = (await getHostByIp(db, "127.0.2.1"))!;
  assert.deepEqual(gw.tags, ["owner:Network team", "gateway"]);
  assert.equal(gw.mac, "00:00:5e:00:53:a1");
});

dbTest(
  "seedDemo loads the samples once, never scanning; a second run changes nothing",
  async (db) => {
    const first = await seedDemo(db);
    assert.equal(first.subnets.errors.length, 0);
    assert.equal(first.hosts.errors.length, 0);
    const subnets = await listSubnets(db);
    assert.ok(subnets.length >= 6);
    assert.ok(subnets.every((s) => !s.scan_enabled));
    assert.ok(
      (await listHosts(db)).every((h) => h.subnet_id !== null),
      "every demo host has a subnet",
    );
    const v6 = (await getSubnetByCidr(db, "2001:db8:0:10::/64"))!;
    assert.equal(v6.parent_id, (await getSubnetByCidr(db, "2001:db8::/48"))!.id);
    const second = await seedDemo(db);
    assert.equal(second.hosts.summary.create, 0);
    assert.equal(second.subnets.summary.create, 0);
  },
);
