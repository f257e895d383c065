import assert from "node:assert/strict";
import {
  chunkColumns,
  chunkFromColumns,
  chunkRecord,
  FlowChunkBuilder,
  MAX_TIME_MS,
  sliceChunk,
} from "./flow_chunk.ts";
import type { FlowRecord } from "./flow_record.ts";

const base: FlowRecord = {
  exporter: "198.51.100.1",
  version: 9,
  sourceId: 7,
  srcAddr: "198.51.100.10",
  dstAddr: "2001:db8::1",
  srcPort: 40000,
  dstPort: 443,
  protocol: 6,
  bytes: 1500,
  packets: 3,
  startMs: 1_700_000_000_000,
  endMs: 1_700_000_001_000,
  inputIf: 1,
  outputIf: 2,
  tcpFlags: 0x1b,
  samplingInterval: 1,
};

Deno.test("records round-trip through the columns unchanged when they are sane", () => {
  const b = new FlowChunkBuilder("198.51.100.1", 4);
  b.push(base, 0);
  b.push({ ...base, srcAddr: "", samplingInterval: 100 }, 0);
  assert.equal(b.size, 2);
  const c = b.take();
  assert.equal(b.size, 0);
  assert.equal(c.count, 2);
  assert.equal(c.version.length, 2, "taken chunks are trimmed to their records");
  assert.deepEqual(chunkRecord(c, 0), base);
  assert.deepEqual(chunkRecord(c, 1), { ...base, srcAddr: "", samplingInterval: 100 });
});

Deno.test("hostile values become storable ones", () => {
  const b = new FlowChunkBuilder("198.51.100.1", 2);
  b.push({
    ...base,
    bytes: 2 ** 64,
    packets: -5,
    sourceId: NaN,
    srcPort: 70000,
    protocol: 300,
    tcpFlags: 0x1_0002,
    startMs: -1,
    endMs: 2 ** 63,
    inputIf: 2 ** 60,
    samplingInterval: 0,
  }, 1234);
  assert.ok(b.full === false);
  b.push({ ...base, startMs: MAX_TIME_MS + 1, endMs: MAX_TIME_MS }, 1);
  assert.ok(b.full);
  const c = b.take();
  const r = chunkRecord(c, 0);
  assert.equal(r.bytes, Number.MAX_SAFE_INTEGER);
  assert.equal(r.packets, 0);
  assert.equal(r.sourceId, 0);
  assert.equal(r.srcPort, 70000 & 0xffff);
  assert.equal(r.protocol, 300 & 0xff);
  assert.equal(r.tcpFlags, 2);
  assert.equal(r.endMs, 1234, "an impossible end time becomes the receive time");
  assert.equal(r.startMs, 1234, "an impossible start time becomes the end time");
  assert.equal(r.inputIf, Number.MAX_SAFE_INTEGER);
  assert.equal(r.samplingInterval, 1);
  assert.equal(chunkRecord(c, 1).startMs, MAX_TIME_MS);
});

Deno.test("sliceChunk copies a range that later changes do not touch", () => {
  const b = new FlowChunkBuilder("198.51.100.1", 8);
  for (let i = 0; i < 5; i++) b.push({ ...base, srcPort: i }, 0);
  const c = b.take();
  const s = sliceChunk(c, 1, 3);
  c.srcPort[1] = 999;
  assert.equal(s.count, 2);
  assert.deepEqual([...s.srcPort], [1, 2]);
  assert.equal(s.exporter, "198.51.100.1");
});

Deno.test("a chunk survives its JSON columns whole; a short column is refused", () => {
  const b = new FlowChunkBuilder("198.51.100.1", 4);
  b.push(base, 1_700_000_002_000);
  b.push({ ...base, srcAddr: "198.51.100.11", bytes: 2 ** 40, tcpFlags: 0x12 }, 1);
  const c = b.take();
  const back = chunkFromColumns(JSON.parse(JSON.stringify(chunkColumns(c))));
  assert.equal(back.count, 2);
  assert.deepEqual([0, 1].map((i) => chunkRecord(back, i)), [0, 1].map((i) => chunkRecord(c, i)));
  const cols = chunkColumns(c);
  cols.bytes = [1];
  assert.throws(() => chunkFromColumns(cols), /column bytes has 1 values, expected 2/);
});
