import assert from "node:assert/strict";
import { FlowChunkBuilder } from "./flow_chunk.ts";
import type { FlowRecord } from "./flow_record.ts";
import { MINUTE_MS, rollUp, servicePort } from "./rollup.ts";

const T = 28_333_333 * MINUTE_MS; // a minute boundary

function flow(p: Partial<FlowRecord>): FlowRecord {
  return {
    exporter: "203.0.113.1",
    version: 9,
    sourceId: 0,
    srcAddr: "203.0.113.10",
    dstAddr: "198.51.100.1",
    srcPort: 50000,
    dstPort: 443,
    protocol: 6,
    bytes: 100,
    packets: 2,
    startMs: T,
    endMs: T + 1000,
    inputIf: 0,
    outputIf: 0,
    tcpFlags: 0,
    samplingInterval: 1,
    ...p,
  };
}

Deno.test("servicePort picks the low port for port protocols and 0 otherwise", () => {
  assert.equal(servicePort(6, 50123, 443), 443);
  assert.equal(servicePort(6, 22, 61000), 22);
  assert.equal(servicePort(17, 0, 53), 53);
  assert.equal(servicePort(17, 123, 0), 123);
  assert.equal(servicePort(1, 0, 0x0800), 0, "ICMP type/code is not a port");
  assert.equal(servicePort(47, 1, 2), 0);
});

Deno.test("rollUp sums by minute of flow end, per pair and per service port", () => {
  const b = new FlowChunkBuilder("203.0.113.1", 16);
  b.push(flow({}), 0);
  b.push(flow({ srcPort: 50001, bytes: 50, packets: 1 }), 0);
  b.push(flow({ endMs: T + MINUTE_MS + 5, bytes: 10, packets: 1 }), 0); // next minute
  b.push(flow({ srcAddr: "203.0.113.11", protocol: 17, srcPort: 5353, dstPort: 53 }), 0);
  b.push(flow({ dstAddr: "", bytes: 7, packets: 1, samplingInterval: 10 }), 0);
  const other = new FlowChunkBuilder("203.0.113.2", 4);
  other.push(flow({ bytes: 1, packets: 1 }), 0);
  const { pairs, ports } = rollUp([b.take(), other.take()]);
  const m = T / MINUTE_MS;
  assert.deepEqual(pairs, [
    { minute: m, src: "203.0.113.10", dst: "0.0.0.0", bytes: 70, packets: 10, flows: 1 },
    { minute: m, src: "203.0.113.10", dst: "198.51.100.1", bytes: 151, packets: 4, flows: 3 },
    { minute: m, src: "203.0.113.11", dst: "198.51.100.1", bytes: 100, packets: 2, flows: 1 },
    { minute: m + 1, src: "203.0.113.10", dst: "198.51.100.1", bytes: 10, packets: 1, flows: 1 },
  ]);
  assert.deepEqual(ports, [
    { minute: m, protocol: 6, port: 443, bytes: 221, packets: 14, flows: 4 },
    { minute: m, protocol: 17, port: 53, bytes: 100, packets: 2, flows: 1 },
    { minute: m + 1, protocol: 6, port: 443, bytes: 10, packets: 1, flows: 1 },
  ]);
});

Deno.test("rollUp of nothing is empty", () => {
  assert.deepEqual(rollUp([]), { pairs: [], ports: [] });
});
