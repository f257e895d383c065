import assert from "node:assert/strict";
import { dbTest } from "@/tests/support/test_db.ts";
import { migrate } from "./migrate.ts";

dbTest("migrations are recorded and applied once", async (db) => {
  const rows = await db.query<{ version: string }>("select version from schema_migrations");
  assert.ok(rows.some((r) => r.version === "0001_core"));
  assert.deepEqual(await migrate(db), []);
});

dbTest("inet containment and array batch inserts behave the same on both engines", async (db) => {
  await db.exec("create table probe (ip inet, up boolean, n bigint)");
  await db.query(
    "insert into probe select * from unnest($1::inet[], $2::boolean[], $3::bigint[])",
    [["10.0.0.1", "2001:db8::1", "10.0.1.1"], [true, false, true], [1, 2, 3]],
  );
  const rows = await db.query<{ ip: string; up: boolean; n: number }>(
    "select host(ip) as ip, up, n from probe where ip <<= $1::cidr order by ip",
    ["10.0.0.0/24"],
  );
  assert.deepEqual(rows, [{ ip: "10.0.0.1", up: true, n: 1 }]);
});

dbTest("a failed transaction leaves nothing behind", async (db) => {
  await db.exec("create table probe2 (v text not null)");
  await assert.rejects(db.tx(async (tx) => {
    await tx.query("insert into probe2 values ($1)", ["a"]);
    await tx.query("insert into probe2 values ($1)", [null]);
  }));
  assert.deepEqual(await db.query("select * from probe2"), []);
});

dbTest("array literal encoding survives quotes, backslashes and commas", async (db) => {
  const values = ['a"b', "c\\d", "e,f", "{g}", "ünï"];
  const [row] = await db.query<{ v: string[] }>("select $1::text[] as v", [values]);
  assert.deepEqual(row.v, values);
});
