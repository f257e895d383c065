import assert from "node:assert/strict";
import {
  createFlowBatcher,
  isRetryableDbError,
  type TimerId,
  type Timers,
} from "./flow_batcher.ts";
import { type FlowChunk, FlowChunkBuilder } from "./flow_chunk.ts";
import type { FlowRecord } from "./flow_record.ts";

/** Timers that fire only when the test says so. */
function manualTimers() {
  let next = 1;
  const pending = new Map<number, () => void>();
  const timers: Timers = {
    setTimeout(fn) {
      const id = next++;
      pending.set(id, fn);
      return id as unknown as TimerId;
    },
    clearTimeout(id) {
      pending.delete(id as unknown as number);
    },
  };
  return {
    timers,
    pending: () => pending.size,
    fireAll() {
      const fns = [...pending.values()];
      pending.clear();
      for (const fn of fns) fn();
    },
  };
}

const record: FlowRecord = {
  exporter: "",
  version: 5,
  sourceId: 0,
  srcAddr: "198.51.100.1",
  dstAddr: "198.51.100.2",
  srcPort: 1,
  dstPort: 2,
  protocol: 6,
  bytes: 40,
  packets: 1,
  startMs: 0,
  endMs: 0,
  inputIf: 0,
  outputIf: 0,
  tcpFlags: 0,
  samplingInterval: 1,
};

function chunk(exporter: string, n: number, firstPort = 0): FlowChunk {
  const b = new FlowChunkBuilder(exporter, Math.max(n, 1));
  for (let i = 0; i < n; i++) b.push({ ...record, srcPort: firstPort + i }, 0);
  return b.take();
}

const ports = (chunks: FlowChunk[]) => chunks.flatMap((c) => [...c.srcPort]);
const tick = () => new Promise((r) => setTimeout(r, 0));

Deno.test("inserts once a batch is waiting, in batch-sized statements when keeping up", async () => {
  const t = manualTimers();
  const inserted: number[][] = [];
  const b = createFlowBatcher({
    batchSize: 4,
    flushIntervalMs: 1000,
    queueMax: 100,
    catchUpFactor: 1,
    timers: t.timers,
    insert: (chunks) => {
      inserted.push(ports(chunks));
      return Promise.resolve();
    },
  });
  assert.ok(b.offer(chunk("a", 3, 0)));
  await tick();
  assert.deepEqual(inserted, [], "3 < batch: waits for more or for the timer");
  assert.equal(t.pending(), 1);
  assert.ok(b.offer(chunk("a", 3, 3)));
  await b.flush();
  // 6 queued: one statement of 4 (batch), then the rest (2) forced by flush().
  assert.deepEqual(inserted, [[0, 1, 2, 3], [4, 5]]);
  assert.deepEqual(b.counters(), { a: { inserted: 6, queueDrops: 0, insertFailed: 0 } });
  assert.equal(b.queued(), 0);
  await b.stop();
});

Deno.test("the flush interval sends a partial batch", async () => {
  const t = manualTimers();
  const inserted: number[][] = [];
  const b = createFlowBatcher({
    batchSize: 200,
    flushIntervalMs: 1000,
    queueMax: 1000,
    timers: t.timers,
    insert: (chunks) => {
      inserted.push(ports(chunks));
      return Promise.resolve();
    },
  });
  b.offer(chunk("a", 2));
  b.offer(chunk("b", 1, 7));
  assert.equal(t.pending(), 1, "one timer for the oldest waiting record");
  t.fireAll();
  await tick();
  await tick();
  assert.deepEqual(inserted, [[0, 1, 7]]);
  assert.equal(b.counters().b.inserted, 1);
  await b.stop();
});

Deno.test("when behind, one insert takes up to batch × catch-up factor records", async () => {
  const t = manualTimers();
  const sizes: number[] = [];
  let release: () => void = () => {};
  let gate = new Promise<void>((r) => (release = r));
  const b = createFlowBatcher({
    batchSize: 2,
    flushIntervalMs: 1000,
    queueMax: 1000,
    catchUpFactor: 5,
    timers: t.timers,
    insert: async (chunks) => {
      sizes.push(chunks.reduce((n, c) => n + c.count, 0));
      await gate;
    },
  });
  b.offer(chunk("a", 2)); // starts an insert of 2 that hangs on the gate
  for (let i = 0; i < 12; i++) b.offer(chunk("a", 1));
  assert.equal(b.queued(), 12);
  release();
  gate = Promise.resolve();
  await b.flush();
  assert.deepEqual(sizes, [2, 10, 2]);
  assert.equal(b.counters().a.inserted, 14);
  await b.stop();
});

Deno.test("a full queue drops whole chunks and counts them per exporter", async () => {
  const t = manualTimers();
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => (release = r));
  const b = createFlowBatcher({
    batchSize: 5,
    flushIntervalMs: 1000,
    queueMax: 10,
    timers: t.timers,
    insert: () => gate,
  });
  assert.ok(b.offer(chunk("a", 5))); // taken by the (blocked) insert at once
  assert.ok(b.offer(chunk("a", 4)));
  assert.ok(b.offer(chunk("b", 6)));
  assert.equal(b.queued(), 10);
  assert.equal(b.offer(chunk("b", 1)), false);
  assert.equal(b.offer(chunk("c", 3)), false);
  assert.deepEqual(b.counters().b.queueDrops, 1);
  assert.deepEqual(b.counters().c, { inserted: 0, queueDrops: 3, insertFailed: 0 });
  release();
  await b.stop();
  assert.equal(b.counters().a.inserted, 9);
  assert.equal(b.counters().b.inserted, 6);
  assert.equal(b.offer(chunk("a", 2)), false, "a stopped batcher takes nothing");
  assert.equal(b.counters().a.queueDrops, 2);
});

Deno.test("transient errors are retried; refused rows are isolated and counted", async () => {
  const errors: string[] = [];
  let failNext = 1;
  const stored: number[] = [];
  const b = createFlowBatcher({
    batchSize: 8,
    flushIntervalMs: 1000,
    queueMax: 100,
    retryDelayMs: 0,
    timers: { setTimeout: (fn) => setTimeout(fn, 0), clearTimeout: (id) => clearTimeout(id) },
    onError: (err, info) =>
      errors.push(`${(err as Error).message}:${info.records}:${info.retrying}`),
    insert: (chunks) => {
      if (failNext > 0) {
        failNext--;
        return Promise.reject(Object.assign(new Error("connection lost"), { code: "ECONNRESET" }));
      }
      const p = ports(chunks);
      // The database refuses any batch holding port 5 (say, a value it cannot store).
      if (p.includes(5)) {
        return Promise.reject(Object.assign(new Error("bad value"), { code: "22003" }));
      }
      stored.push(...p);
      return Promise.resolve();
    },
  });
  b.offer(chunk("a", 8));
  await b.flush();
  assert.deepEqual(stored.sort((x, y) => x - y), [0, 1, 2, 3, 4, 6, 7]);
  assert.deepEqual(b.counters().a, { inserted: 7, queueDrops: 0, insertFailed: 1 });
  assert.equal(errors[0], "connection lost:8:true");
  assert.ok(errors.includes("bad value:1:false"), errors.join(" "));
  assert.equal(b.stats().retries, 1);
  await b.stop();
});

Deno.test("at stop a database that stays down costs a bounded number of attempts", async () => {
  let attempts = 0;
  const b = createFlowBatcher({
    batchSize: 100,
    flushIntervalMs: 1000,
    queueMax: 1000,
    retryDelayMs: 0,
    stopAttempts: 3,
    insert: () => {
      attempts++;
      return Promise.reject(new Error("database is down"));
    },
  });
  b.offer(chunk("a", 3));
  await b.stop();
  assert.equal(attempts, 3);
  assert.deepEqual(b.counters().a, { inserted: 0, queueDrops: 0, insertFailed: 3 });
});

Deno.test("isRetryableDbError: SQLSTATE data/integrity/syntax errors are permanent", () => {
  assert.equal(isRetryableDbError({ code: "22P02" }), false);
  assert.equal(isRetryableDbError({ code: "23505" }), false);
  assert.equal(isRetryableDbError({ code: "42P01" }), false);
  assert.equal(isRetryableDbError({ code: "57P01" }), true, "admin shutdown: try again later");
  assert.equal(isRetryableDbError({ code: "ECONNREFUSED" }), true);
  assert.equal(isRetryableDbError(new Error("x")), true);
});

Deno.test("groups are stored whole, in order, and reported once stored", async () => {
  const t = manualTimers();
  const inserts: Array<{ records: number; storedSeq?: number }> = [];
  const stored: Array<[number, number]> = [];
  const b = createFlowBatcher({
    batchSize: 10,
    catchUpFactor: 1, // one insert takes 10 records… but never splits a group
    flushIntervalMs: 1000,
    queueMax: 1,
    timers: t.timers,
    insert: (chunks, storedSeq) => {
      inserts.push({ records: chunks.reduce((n, c) => n + c.count, 0), storedSeq });
      return Promise.resolve();
    },
    onStored: (seq, groups) => stored.push([seq, groups]),
  });
  const mk = (n: number) => {
    const builder = new FlowChunkBuilder("198.51.100.1", n);
    for (let i = 0; i < n; i++) builder.push(record, 0);
    return builder.take();
  };
  b.offerGroup(1, [mk(8), mk(9)]); // 17 records: more than one insert takes, never split
  b.offerGroup(2, []); // a batch without records still takes its turn
  b.offerGroup(3, [mk(3)]);
  await b.flush();
  assert.deepEqual(inserts, [{ records: 17, storedSeq: 1 }, { records: 3, storedSeq: 3 }]);
  assert.deepEqual(stored, [[1, 1], [3, 2]]);
  assert.equal(b.counters()["198.51.100.1"].queueDrops, 0, "queueMax never drops a group");
  await b.stop();
});
