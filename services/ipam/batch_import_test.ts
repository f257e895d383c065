// The batched import on both engines: whole-file counts, the check-first refusal, skip_errors,
// progress that only grows, merges and duplicates across batch boundaries, cancel between batches.
import assert from "node:assert/strict";
import { dbTest } from "@/tests/support/test_db.ts";
import { AppError } from "@/services/errors.ts";
import {
  batchesSentence,
  importLargeCsv,
  type ImportProgress,
  previewCsv,
} from "./batch_import.ts";
import { importSubnetsCsv } from "./import_service.ts";
import { getHostByIp } from "./host_repo.ts";
import { getSubnetByCidr } from "./subnet_repo.ts";

/** `n` hosts in 10.20.0.0/16, one per line after the header (line i + 2 holds host i). */
function hostsCsv(n: number, bad: Set<number> = new Set()): string {
  const lines = ["ip,hostname"];
  for (let i = 0; i < n; i++) {
    const ip = bad.has(i) ? `10.20.${i >> 8 & 255}.300` : `10.20.${i >> 8 & 255}.${i & 255}`;
    lines.push(`${ip},h${i}`);
  }
  return lines.join("\n") + "\n";
}

async function countHosts(db: Parameters<Parameters<typeof dbTest>[1]>[0]): Promise<number> {
  const [r] = await db.query<{ n: number }>("select count(*)::int as n from host");
  return Number(r.n);
}

dbTest("batched: a dry run counts the whole file and lists a page", async (db) => {
  await importSubnetsCsv(db, "cidr\n10.20.0.0/16\n");
  const report = await previewCsv(db, "hosts", hostsCsv(1_250), { maxRows: 500, batchSize: 300 });
  assert.equal(report.dry_run, true);
  assert.equal(report.summary.create, 1_250);
  assert.deepEqual(report.batches, { rows: 1_250, batch_size: 300, count: 5, list_limit: 1_000 });
  assert.equal(report.rows.length, 1_000);
  assert.equal(report.rows[0].line, 2);
  assert.equal(await countHosts(db), 0);
  assert.match(batchesSentence(report)!, /^1,250 of 1,250 rows will be imported in batches of 300/);
  // A file that fits one preview keeps the whole-file path (no batches).
  const small = await previewCsv(db, "hosts", hostsCsv(10), { maxRows: 500 });
  assert.equal(small.batches, undefined);
});

dbTest("batched: any bad row refuses the whole file; errors keep their lines", async (db) => {
  await importSubnetsCsv(db, "cidr\n10.20.0.0/16\n");
  const err = await importLargeCsv(db, "hosts", hostsCsv(900, new Set([5, 650])), {
    batchSize: 200,
  }).catch((e) => e);
  assert.ok(err instanceof AppError, String(err));
  assert.equal(err.code, "import_has_errors");
  assert.match(err.message, /^2 row\(s\) have errors \(first: line 7: /);
  const details = err.details as { errors: { line: number }[] };
  assert.deepEqual(details.errors.map((e) => e.line), [7, 652]);
  assert.equal(await countHosts(db), 0);
});

dbTest("batched: skip_errors writes the good rows with growing progress", async (db) => {
  await importSubnetsCsv(db, "cidr\n10.20.0.0/16\n");
  const seen: ImportProgress[] = [];
  const report = await importLargeCsv(db, "hosts", hostsCsv(1_000, new Set([999])), {
    batchSize: 250,
    skipErrors: true,
    onProgress: (p) => void seen.push(p),
  });
  assert.equal(report.dry_run, false);
  assert.equal(report.summary.create, 999);
  assert.equal(report.summary.error, 1);
  assert.deepEqual(report.errors.map((e) => e.line), [1_001]);
  assert.deepEqual(report.rows, []);
  assert.equal(await countHosts(db), 999);
  const fractions = seen.map((p) => p.fraction);
  assert.deepEqual(fractions, [...fractions].sort((a, b) => a - b), "progress never goes back");
  assert.equal(fractions.at(-1), 1);
  assert.equal(seen.at(-1)!.note, "imported 1,000 of 1,000 rows");
  assert.ok(seen.some((p) => p.note === "imported 500 of 1,000 rows"));
});

dbTest("batched: updates merge and duplicates are found across batches", async (db) => {
  await importSubnetsCsv(db, "cidr\n10.20.0.0/16\n");
  await importLargeCsv(db, "hosts", hostsCsv(30), { batchSize: 7 });
  const text = "ip,hostname,notes\n" +
    "10.20.0.1,renamed,\n" + // an update: the empty notes cell keeps what is stored
    Array.from({ length: 8 }, (_, i) => `10.20.1.${i},,n${i}\n`).join("") +
    "10.20.0.1,again,\n"; // line 11: a duplicate of line 2, in a later batch
  const report = await importLargeCsv(db, "hosts", text, { batchSize: 4, skipErrors: true });
  assert.equal(report.summary.update, 1);
  assert.equal(report.summary.create, 8);
  assert.deepEqual(report.errors, [{ line: 11, message: "duplicate of line 2" }]);
  assert.equal((await getHostByIp(db, "10.20.0.1"))?.hostname, "renamed");
  // The same file again changes nothing: a resumed import skips what is there.
  const again = await importLargeCsv(db, "hosts", text, { batchSize: 4, skipErrors: true });
  assert.equal(again.summary.skip, 9);
});

dbTest("batched: subnets import and join the tree; a cancel stops between batches", async (db) => {
  const lines = ["cidr,name"];
  for (let i = 0; i < 40; i++) lines.push(`10.${30 + i}.0.0/16,net${i}`);
  lines.push("10.30.1.0/24,inner");
  const report = await importLargeCsv(db, "subnets", lines.join("\n"), { batchSize: 9 });
  assert.equal(report.summary.create, 41);
  const outer = await getSubnetByCidr(db, "10.30.0.0/16");
  assert.equal((await getSubnetByCidr(db, "10.30.1.0/24"))?.parent_id, outer?.id);

  const abort = new AbortController();
  const err = await importLargeCsv(db, "hosts", hostsCsv(50), {
    batchSize: 10,
    allowOrphan: true,
    signal: abort.signal,
    onProgress: (p) => {
      if (p.phase === "write" && p.rows >= 20) abort.abort();
    },
  }).catch((e) => e);
  assert.ok(err instanceof AppError);
  assert.equal(err.code, "cancelled");
  assert.match(err.message, /after 20 of 50 rows were imported/);
  assert.equal(await countHosts(db), 20);
});

dbTest("batched: broken quoting far down the file is a 422 with nothing written", async (db) => {
  const text = hostsCsv(100) + '10.20.9.9,"unclosed\n';
  const err = await importLargeCsv(db, "hosts", text, { batchSize: 10, allowOrphan: true })
    .catch((e) => e);
  assert.ok(err instanceof AppError);
  assert.equal(err.code, "invalid_csv");
  assert.equal(await countHosts(db), 0);
});
