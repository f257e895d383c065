import assert from "node:assert/strict";
import { createFlowDecoder } from "./flow_decoder.ts";
import { createFlowIngest } from "./flow_ingest.ts";
import type { FlowChunk } from "./flow_chunk.ts";
import { openNetflowLog } from "./netflow_log.ts";
import { buildV5Packet, type V5Flow } from "@/tests/support/netflow/mod.ts";

const flows = (n: number, port0 = 0): V5Flow[] =>
  Array.from({ length: n }, (_, i) => ({
    src: "203.0.113.1",
    dst: "198.51.100.1",
    packets: 1,
    bytes: 100,
    first: 0,
    last: 0,
    srcPort: port0 + i,
    dstPort: 80,
    protocol: 6,
  }));

Deno.test("records become per-exporter chunks of the set size; flush hands on the rest", async () => {
  const chunks: FlowChunk[] = [];
  const lines: string[] = [];
  const log = await openNetflowLog({
    level: "debug",
    dumpHex: false,
    dumpHexLen: 8,
    sink: (_l, msg) => lines.push(msg),
  });
  const ingest = createFlowIngest({
    decoder: createFlowDecoder({ now: () => 0 }),
    log,
    now: () => 1_700_000_000_000,
    chunkRecords: 4,
    onChunk: (c) => chunks.push(c),
  });
  ingest.handle(buildV5Packet({ sysUptime: 0, unixSecs: 0, sequence: 0 }, flows(6)), "203.0.113.9");
  ingest.handle(
    buildV5Packet({ sysUptime: 0, unixSecs: 0, sequence: 0 }, flows(1, 50)),
    "203.0.113.8",
  );
  ingest.handle(new Uint8Array([0, 5, 0]), "203.0.113.9"); // malformed: no records
  assert.deepEqual(chunks.map((c) => [c.exporter, c.count]), [["203.0.113.9", 4]]);
  assert.equal(ingest.pending(), 3);
  ingest.flush();
  assert.deepEqual(chunks.map((c) => [c.exporter, c.count]), [
    ["203.0.113.9", 4],
    ["203.0.113.9", 2],
    ["203.0.113.8", 1],
  ]);
  assert.equal(ingest.pending(), 0);
  assert.deepEqual([...chunks[1].srcPort], [4, 5]);
  assert.equal(lines.length, 3, "one debug line per datagram");
  assert.match(lines[2], /^pkt exporter=203\.0\.113\.9 v=5 len=3 /);
  await log.close();
});

Deno.test("more exporters than open chunks: the oldest chunk is handed on early", async () => {
  const chunks: FlowChunk[] = [];
  const log = await openNetflowLog({ level: "info", dumpHex: false, dumpHexLen: 8 });
  const ingest = createFlowIngest({
    decoder: createFlowDecoder({ now: () => 0 }),
    log,
    now: () => 0,
    chunkRecords: 100,
    maxOpenChunks: 2,
    onChunk: (c) => chunks.push(c),
  });
  for (const e of ["203.0.113.1", "203.0.113.2", "203.0.113.3"]) {
    ingest.handle(buildV5Packet({ sysUptime: 0, unixSecs: 0, sequence: 0 }, flows(1)), e);
  }
  assert.deepEqual(chunks.map((c) => c.exporter), ["203.0.113.1"]);
  assert.equal(ingest.pending(), 2);
  await log.close();
});
