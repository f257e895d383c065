// The import task on both engines: queued through the task runner with growing progress and an
// audit entry with the counts; a cancel after some batches is audited with how far it got.
import assert from "node:assert/strict";
import { dbTest } from "@/tests/support/test_db.ts";
import { createTaskRunner } from "@/services/tasks/mod.ts";
import { importSubnetsCsv } from "./import_service.ts";
import { IMPORT_TASK_KIND, runAudited, submitImportTask } from "./import_task.ts";

const hosts = (n: number) =>
  ["ip", ...Array.from({ length: n }, (_, i) => `10.80.${i >> 8 & 255}.${i & 255}`)].join("\n");

async function audits(db: Parameters<Parameters<typeof dbTest>[1]>[0]) {
  return await db.query<
    { username: string | null; target: string; detail: Record<string, unknown> }
  >(
    "select username, target, detail from audit_log where action = 'ipam.import' order by id",
  );
}

dbTest("an import task reports progress, returns the report and audits the counts", async (db) => {
  await importSubnetsCsv(db, "cidr\n10.80.0.0/16\n");
  const tasks = createTaskRunner(db);
  const { task_id, batch_size } = await submitImportTask(
    { db, tasks },
    "hosts",
    hosts(12_000),
    {},
    {
      username: "alice",
      via: "api",
    },
  );
  assert.equal(batch_size, 5_000);
  await tasks.drain();
  const task = await tasks.get(task_id);
  assert.equal(task.kind, IMPORT_TASK_KIND);
  assert.equal(task.status, "succeeded", task.error ?? "");
  assert.equal(task.note, "imported 12,000 of 12,000 rows");
  assert.equal((task.result as { summary: { create: number } }).summary.create, 12_000);
  const [entry] = await audits(db);
  assert.equal(entry.username, "alice");
  assert.deepEqual(entry.detail, {
    via: "api",
    batched: true,
    summary: { create: 12_000, update: 0, skip: 0, error: 0, folder: 0, warning: 0 },
    rows: 12_000,
    batches: 3,
  });
});

dbTest("an import stopped after some batches is audited with the rows written", async (db) => {
  await importSubnetsCsv(db, "cidr\n10.80.0.0/16\n");
  const abort = new AbortController();
  const err = await runAudited(db, "hosts", hosts(30), {
    batchSize: 10,
    signal: abort.signal,
    onProgress: (p) => {
      if (p.phase === "write" && p.rows === 10) abort.abort();
    },
  }, { username: null, via: "cli" }).catch((e) => e);
  assert.match(String(err), /cancelled after 10 of 30 rows were imported/);
  const [entry] = await audits(db);
  assert.equal(entry.detail.failed, true);
  assert.equal(entry.detail.rows_done, 10);
  assert.equal(entry.detail.via, "cli");
  // Refused before writing: nothing to audit.
  const refused = await runAudited(db, "hosts", "ip\n10.80.0.300\n", {}, {
    username: null,
    via: "cli",
  }).catch((e) => e);
  assert.equal(refused.code, "import_has_errors");
  assert.equal((await audits(db)).length, 1);
});
