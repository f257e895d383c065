import assert from "node:assert/strict";
import {
  CHUNK_MAX_BYTES,
  chunkMsgId,
  chunkResult,
  parseMessage,
  type SweepResult,
  SweepResultSchema,
} from "./job_messages.ts";

const sweep = (n: number, extra: Partial<SweepResult> = {}): SweepResult => ({
  result_id: "7-1000",
  job_id: "7-1000",
  site: "local",
  subnet_id: 7,
  cidr: "127.8.0.0/16",
  instance: "t",
  origin: "job",
  started_at: 1,
  finished_at: 2,
  status: "succeeded",
  method: "fping",
  targets: 65534,
  results: Array.from({ length: n }, (_, i) => ({
    ip: `127.8.${i >> 8}.${i & 255}`,
    up: true,
    latencyMs: 0.05,
    method: "fping",
  })),
  errors: [],
  notes: ["a note"],
  ...extra,
});

const bytes = (v: unknown) => new TextEncoder().encode(JSON.stringify(v)).length;

Deno.test("chunkResult: 500 results a chunk, in order, texts on the last one only", () => {
  const parts = chunkResult(sweep(1201));
  assert.deepEqual(parts.map((p) => p.results.length), [500, 500, 201]);
  assert.deepEqual(parts.map((p) => [p.chunk, p.chunks, p.v]), [[0, 3, 2], [1, 3, 2], [2, 3, 2]]);
  assert.deepEqual(
    parts.flatMap((p) => p.results.map((r) => r.ip)),
    sweep(1201).results.map((r) => r.ip),
  );
  assert.deepEqual(parts.map((p) => p.notes.length), [0, 0, 1]);
  for (const p of parts) assert.ok(bytes({ ...p, seq: 1e12 }) <= CHUNK_MAX_BYTES);
});

Deno.test("chunkResult: the byte cap wins over the count; no results is still one message", () => {
  const parts = chunkResult(sweep(300), { maxBytes: 4096 });
  assert.ok(parts.length > 5);
  for (const p of parts) assert.ok(bytes({ ...p, seq: 1e12 }) <= 4096, `${bytes(p)} bytes`);
  assert.equal(parts.reduce((n, p) => n + p.results.length, 0), 300);
  const empty = chunkResult(sweep(0, { status: "failed", errors: ["fping: not found"] }));
  assert.equal(empty.length, 1);
  assert.deepEqual(empty[0].errors, ["fping: not found"]);
  // Many long errors are cut to fit, with a count of what was left out.
  const noisy = chunkResult(
    sweep(10, { errors: Array.from({ length: 200 }, () => "x".repeat(1900)) }),
  );
  const last = noisy[noisy.length - 1];
  assert.ok(bytes({ ...last, seq: 1e12 }) <= CHUNK_MAX_BYTES);
  assert.match(last.errors[last.errors.length - 1], /more errors left out/);
});

Deno.test("result messages: format 1 (no v) reads as chunk 0 of 1; chunk ids are stable", () => {
  const { v: _v, chunk: _c, chunks: _n, ...v1 } = { ...chunkResult(sweep(3))[0], seq: 4 };
  const parsed = parseMessage(SweepResultSchema, new TextEncoder().encode(JSON.stringify(v1)), "r");
  assert.deepEqual([parsed.v, parsed.chunk, parsed.chunks], [1, 0, 1]);
  assert.throws(
    () =>
      parseMessage(
        SweepResultSchema,
        new TextEncoder().encode(JSON.stringify({ ...v1, v: 2, chunk: 3, chunks: 3 })),
        "sweep result",
      ),
    /chunk must be below chunks/,
  );
  assert.equal(chunkMsgId("7-1000", 2), chunkMsgId("7-1000", 2));
  assert.notEqual(chunkMsgId("7-1000", 2), chunkMsgId("7-1000", 3));
});
