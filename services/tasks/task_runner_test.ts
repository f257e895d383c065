import assert from "node:assert/strict";
import { dbTest } from "@/tests/support/test_db.ts";
import { AppError } from "@/services/errors.ts";
import { createTaskRunner, failInterruptedTasks } from "./task_runner.ts";

dbTest("a task goes queued → running → succeeded with progress and result", async (db) => {
  const runner = createTaskRunner(db);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const { id } = await runner.submit({ kind: "sweep", target: "198.51.100.0/24" }, async (ctx) => {
    await ctx.progress(0.5, "127/254 hosts");
    await gate;
    return { up: 3 };
  });
  // Wait until the work reported its progress.
  for (let i = 0; i < 100 && (await runner.get(id)).progress < 0.5; i++) {
    await new Promise((r) => setTimeout(r, 5));
  }
  const mid = await runner.get(id);
  assert.equal(mid.status, "running");
  assert.equal(mid.note, "127/254 hosts");
  release();
  await runner.drain();
  const done = await runner.get(id);
  assert.equal(done.status, "succeeded");
  assert.equal(done.progress, 1);
  assert.deepEqual(done.result, { up: 3 });
  assert.ok(done.finished_at);
});

dbTest("a failing task records its error; duplicates are debounced", async (db) => {
  const runner = createTaskRunner(db, { maxConcurrent: 1 });
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const a = await runner.submit({ kind: "ping", dedupeKey: "ping:1" }, async () => {
    await gate;
    throw new AppError(422, "bad", "host has no address");
  });
  const b = await runner.submit({ kind: "ping", dedupeKey: "ping:1" }, () => Promise.resolve(1));
  assert.equal(b.id, a.id);
  assert.equal(b.deduped, true);
  release();
  await runner.drain();
  const t = await runner.get(a.id);
  assert.equal(t.status, "failed");
  assert.equal(t.error, "host has no address");
  const c = await runner.submit({ kind: "ping", dedupeKey: "ping:1" }, () => Promise.resolve(1));
  assert.notEqual(c.id, a.id, "a finished task no longer absorbs new submissions");
  await runner.drain();
});

dbTest("unknown task ids are 404 and interrupted tasks are marked failed", async (db) => {
  const runner = createTaskRunner(db);
  await assert.rejects(runner.get("nope"), (e: AppError) => e.status === 404);
  await db.query("insert into task (id, kind, status) values ($1, 'sweep', 'running')", [
    crypto.randomUUID(),
  ]);
  assert.equal(await failInterruptedTasks(db), 1);
  const [t] = await runner.list({ kind: "sweep" });
  assert.equal(t.status, "failed");
  assert.equal(t.error, "interrupted by a restart");
});

dbTest("a task failing with an AppError keeps the error's details as its result", async (db) => {
  const runner = createTaskRunner(db);
  const { id } = await runner.submit({ kind: "ipam_import" }, () => {
    throw new AppError(422, "import_has_errors", "2 row(s) have errors", {
      errors: [{ line: 7, message: "duplicate of line 2" }],
    });
  });
  const plain = await runner.submit({ kind: "ping" }, () => {
    throw new AppError(422, "bad", "no details");
  });
  await runner.drain();
  const failed = await runner.get(id);
  assert.equal(failed.status, "failed");
  assert.equal(failed.error, "2 row(s) have errors");
  assert.deepEqual(failed.result, { errors: [{ line: 7, message: "duplicate of line 2" }] });
  assert.equal((await runner.get(plain.id)).result, null);
});
