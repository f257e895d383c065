import assert from "node:assert/strict";
import { dbTest } from "@/tests/support/test_db.ts";
import { audit, listAudit } from "./audit.ts";

dbTest("audit entries come back newest first with their details", async (db) => {
  await audit(db, { username: "alice", action: "login.ok", clientIp: "127.0.0.1" });
  await audit(db, {
    username: "alice",
    action: "subnet.update",
    target: "subnet:4",
    detail: { name: ["old", "new"], note: 'quote " and \\ slash' },
  });
  await audit(db, {
    username: null,
    action: "user.create",
    target: "user:bob",
    detail: "plain text",
  });
  const items = await listAudit(db, { limit: 10, offset: 0 });
  assert.deepEqual(items.map((e) => e.action), ["user.create", "subnet.update", "login.ok"]);
  assert.deepEqual(items[1].detail, { name: ["old", "new"], note: 'quote " and \\ slash' });
  assert.equal(items[0].detail, "plain text");
  assert.equal(items[0].username, null);
  assert.equal(items[2].client_ip, "127.0.0.1");
  assert.equal(items[2].detail, null);
  assert.equal(items[2].target, null);
  assert.match(items[0].ts, /^\d{4}-\d\d-\d\dT.*Z$/);
});

dbTest("listAudit pages with limit/offset and filters", async (db) => {
  for (let i = 0; i < 5; i++) {
    await audit(db, { username: i % 2 ? "bob" : "amy", action: `act.${i}` });
  }
  assert.deepEqual((await listAudit(db, { limit: 2, offset: 0 })).map((e) => e.action), [
    "act.4",
    "act.3",
  ]);
  assert.deepEqual((await listAudit(db, { limit: 2, offset: 2 })).map((e) => e.action), [
    "act.2",
    "act.1",
  ]);
  assert.deepEqual((await listAudit(db, { limit: 2, offset: 4 })).map((e) => e.action), ["act.0"]);
  assert.deepEqual((await listAudit(db, { username: "bob" })).map((e) => e.action), [
    "act.3",
    "act.1",
  ]);
  assert.deepEqual((await listAudit(db, { action: "act.2" })).length, 1);
  // Out-of-range paging is clamped rather than an SQL error.
  assert.equal((await listAudit(db, { limit: 0, offset: -3 })).length, 1);
  assert.equal((await listAudit(db, { limit: 1e9 })).length, 5);
});
