import assert from "node:assert/strict";
import { dbTest } from "@/tests/support/test_db.ts";
import { historyJobs } from "./history_jobs.ts";

const NOW = Date.UTC(2026, 0, 20, 12, 0, 0);

dbTest("the scheduler's history jobs create partitions ahead, then roll up", async (db) => {
  const jobs = historyJobs({ db, now: () => NOW, rawDays: 7 });
  assert.deepEqual(jobs.map((j) => [j.name, j.everyMs]), [
    ["history-partitions", 3_600_000],
    ["rollup", 86_400_000],
  ]);
  await jobs[0].run(new AbortController().signal);
  const [{ n }] = await db.query<{ n: number }>(
    `select count(*)::int as n from pg_inherits where inhparent = to_regclass('host_status')`,
  );
  assert.equal(n, 9); // default + today + 7 days ahead
  assert.deepEqual(await jobs[1].run(new AbortController().signal), {
    rawRows: 0,
    hourlyRows: 0,
    cutoff: "2026-01-13T00:00:00.000Z",
    partitions: [],
  });
});
