import assert from "node:assert/strict";
import { dbTest } from "@/tests/support/test_db.ts";
import { openKvStateStore } from "@/services/store/mod.ts";
import type { Db } from "@/services/store/mod.ts";
import { createSubnet, SubnetInputSchema } from "@/services/ipam/mod.ts";
import { chunkResult, type SweepResult, type SweepResultMessage } from "./job_messages.ts";
import { ingestResult } from "./result_ingest.ts";

const count = async (db: Db, sql: string) => Number((await db.query<{ n: number }>(sql))[0].n);

const sweep = (subnetId: number, id: string, n: number): SweepResult => ({
  result_id: id,
  job_id: id,
  site: "local",
  subnet_id: subnetId,
  cidr: "127.82.0.0/22",
  instance: "t",
  origin: "job",
  started_at: Date.now() - 1000,
  finished_at: Date.now(),
  status: "succeeded",
  method: "fping",
  targets: 1022,
  // 127.82.0.1 onwards: inside the /22, never its network address.
  results: Array.from({ length: n }, (_, i) => ({
    ip: `127.82.${(i + 1) >> 8}.${(i + 1) & 255}`,
    up: true,
    latencyMs: 0.1,
    method: "fping",
  })),
  errors: [],
  notes: [],
});

dbTest(
  "ingest: a chunked result is written once per chunk, with one run summing them",
  async (db) => {
    await using kv = await openKvStateStore(":memory:");
    const subnet = await createSubnet(db, SubnetInputSchema.parse({ cidr: "127.82.0.0/22" }));
    const whole = sweep(subnet.id, `${subnet.id}-1`, 1000);
    const hosts = whole.results.length;
    const parts: SweepResultMessage[] = chunkResult(whole, { maxResults: 300 }).map((p, i) => ({
      ...p,
      seq: 10 + i,
    }));
    assert.equal(parts.length, 4);
    const env = { db, kv };
    assert.equal(await ingestResult(env, parts[0]), "ingested");
    assert.equal(await ingestResult(env, parts[1]), "ingested");
    // Redelivered chunk: nothing written twice, and no run yet (the last chunk is still to come).
    assert.equal(await ingestResult(env, parts[1]), "duplicate");
    assert.equal(await count(db, "select count(*) as n from host_status"), 600);
    assert.equal(await count(db, "select count(*) as n from scan_run"), 0);
    assert.equal(await count(db, "select count(*) as n from ingested_result"), 0);
    assert.equal(await ingestResult(env, parts[2]), "ingested");
    assert.equal(await ingestResult(env, parts[3]), "ingested");
    assert.equal(await count(db, "select count(*) as n from host_status"), hosts);
    assert.equal(await count(db, "select count(*) as n from host where discovered"), hosts);
    const runs = await db.query<{ hosts_up: number; hosts_new: number; notes: string[] }>(
      "select hosts_up, hosts_new, notes from scan_run",
    );
    assert.equal(runs.length, 1);
    assert.equal(runs[0].hosts_up, hosts);
    assert.equal(runs[0].hosts_new, hosts);
    assert.match(runs[0].notes.join(" "), /4 chunks/);
    // Once the whole result is in, its chunk rows are gone and every replay is still refused.
    assert.equal(await count(db, "select count(*) as n from ingested_chunk"), 0);
    for (const p of parts) assert.equal(await ingestResult(env, p), "duplicate");
    assert.equal(await count(db, "select count(*) as n from host_status"), hosts);
    assert.equal(await count(db, "select count(*) as n from scan_run"), 1);

    // A format-1 message (an older scanner): one whole result, ingested once.
    const { v: _v, chunk: _c, chunks: _n, ...rest } = chunkResult(sweep(subnet.id, "old", 5))[0];
    const v1 = { ...rest, v: 1 as const, chunk: 0, chunks: 1, seq: 99 };
    assert.equal(await ingestResult(env, v1), "ingested");
    assert.equal(await ingestResult(env, v1), "duplicate");
    assert.equal(await count(db, "select count(*) as n from scan_run"), 2);
  },
);
