// Liveness tracking: a successful statement (plain or in a transaction) is noted; failures are not.
import assert from "node:assert/strict";
import { msSinceDbAnswered, trackLiveness } from "./db_liveness.ts";
import type { Db } from "./db.ts";

Deno.test("db liveness: notes answers, not failures, and forwards everything", async () => {
  let fail = false;
  const q = {
    query: <T>() => (fail ? Promise.reject(new Error("down")) : Promise.resolve([] as T[])),
    exec: () => Promise.resolve(),
    copyCsv: () => Promise.resolve(),
  };
  const raw: Db = { engine: "pglite", ...q, tx: (fn) => fn(q), close: () => Promise.resolve() };
  let now = 1000;
  const db = trackLiveness(raw, () => now);
  assert.equal(msSinceDbAnswered(db), null);
  assert.equal(msSinceDbAnswered(raw), null, "an untracked handle is never answered");
  await db.query("select 1");
  now = 1500;
  assert.equal(msSinceDbAnswered(db, () => now), 500);
  fail = true;
  await assert.rejects(db.query("select 1"));
  assert.equal(msSinceDbAnswered(db, () => now), 500);
  fail = false;
  now = 2000;
  await db.tx((t) => t.exec("select 1"));
  assert.equal(msSinceDbAnswered(db, () => now), 0);
  assert.equal(db.engine, "pglite");
});
