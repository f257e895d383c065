import assert from "node:assert/strict";
import { RawBatchWriter, readRawBatch } from "./raw_batch.ts";

Deno.test("raw batches give back every datagram, exporter and time in order", () => {
  const w = new RawBatchWriter(4096);
  const sent: Array<[number[], string, number]> = [
    [[1, 2, 3], "127.0.0.1", 1000.5],
    [[], "2001:db8::1", 2000],
    [[9], "127.0.0.1", 3000],
    [[7, 7], "::ffff:7f00:1", 4000],
  ];
  for (const [d, e, t] of sent) assert.ok(w.push(new Uint8Array(d), e, t));
  assert.equal(w.datagrams, 4);
  const got: Array<[number[], string, number]> = [];
  const n = readRawBatch(w.take(), (d, e, t) => got.push([[...d], e, t]));
  assert.equal(n, 4);
  assert.deepEqual(got, sent);
  assert.equal(w.datagrams, 0);
  assert.equal(w.bytes, 0);
});

Deno.test("a full batch refuses the datagram; a truncated batch ends the walk", () => {
  const w = new RawBatchWriter(RawBatchWriter.entryBytes(10, "127.0.0.1") + 5);
  assert.ok(w.push(new Uint8Array(10), "127.0.0.1", 1));
  assert.equal(w.push(new Uint8Array(10), "127.0.0.1", 2), false);
  const buf = w.take();
  assert.equal(readRawBatch(buf.slice(0, buf.byteLength - 1), () => {}), 0);
  assert.equal(readRawBatch(buf, () => {}), 1);
});

Deno.test("a discarded batch leaves an empty writer that fills again", () => {
  const w = new RawBatchWriter(4096);
  assert.ok(w.push(new Uint8Array([1, 2]), "127.0.0.1", 1));
  w.discard();
  assert.equal(w.datagrams, 0);
  assert.equal(w.bytes, 0);
  assert.ok(w.push(new Uint8Array([3]), "127.0.0.1", 2));
  const got: number[][] = [];
  assert.equal(readRawBatch(w.take(), (d) => got.push([...d])), 1);
  assert.deepEqual(got, [[3]]);
});
