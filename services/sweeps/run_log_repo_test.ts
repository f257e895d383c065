import assert from "node:assert/strict";
import { dbTest } from "@/tests/support/test_db.ts";
import { insertRun, latestRunPerSubnet, listRuns, type NewRun } from "./run_log_repo.ts";

const base: NewRun = {
  kind: "subnet",
  trigger: "schedule",
  subnetId: null,
  hostId: null,
  target: "198.51.100.0/24",
  startedAt: Date.UTC(2026, 0, 1, 0, 0, 0),
  finishedAt: Date.UTC(2026, 0, 1, 0, 0, 2, 500),
  method: "fping",
  targets: 254,
  hostsUp: 4,
  hostsDown: 1,
  hostsNew: 3,
  flips: 0,
  errors: [],
  notes: [],
  status: "succeeded",
  instance: "i1",
  taskId: null,
};

dbTest("runs are recorded with duration and capped errors, listed newest first", async (db) => {
  const [{ id: subnetId }] = await db.query<{ id: number }>(
    `insert into subnet (cidr) values ('198.51.100.0/24') returning id`,
  );
  const first = await insertRun(db, {
    ...base,
    subnetId,
    errors: Array.from({ length: 25 }, (_, i) => `error ${i} ${"x".repeat(600)}`),
    taskId: "6f0c5a1e-0000-4000-8000-000000000001",
  });
  assert.equal(first.duration_ms, 2500);
  assert.equal(first.started_at, "2026-01-01T00:00:00.000Z");
  assert.equal(first.errors.length, 21);
  assert.equal(first.errors[0].length, 500);
  assert.equal(first.errors[20], "…and 5 more");
  assert.equal(first.task_id, "6f0c5a1e-0000-4000-8000-000000000001");

  const second = await insertRun(db, { ...base, subnetId, status: "failed", errors: ["boom"] });
  await insertRun(db, { ...base, kind: "host", target: "198.51.100.9", trigger: "manual" });

  const page1 = await listRuns(db, { limit: 2 });
  assert.equal(page1.items.length, 2);
  assert.equal(page1.items[1].id, second.id);
  assert.ok(page1.next_cursor);
  const page2 = await listRuns(db, { limit: 2, beforeId: Number(page1.next_cursor) });
  assert.deepEqual(page2.items.map((r) => r.id), [first.id]);
  assert.equal(page2.next_cursor, null);

  assert.deepEqual((await listRuns(db, { limit: 10, kind: "host" })).items.map((r) => r.target), [
    "198.51.100.9",
  ]);
  assert.deepEqual(
    (await listRuns(db, { limit: 10, subnetId, status: "failed" })).items.map((r) => r.errors),
    [["boom"]],
  );
  const latest = await latestRunPerSubnet(db);
  assert.deepEqual([...latest.keys()], [subnetId]);
  assert.equal(latest.get(subnetId)?.id, second.id);
});
