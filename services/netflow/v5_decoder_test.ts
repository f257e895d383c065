// NetFlow v5 decoding: fields, uptime wrap, header sampling, sequence, truncation.
import assert from "node:assert/strict";
import { createFlowDecoder } from "./flow_decoder.ts";
import { buildV5Packet, type V5Flow } from "@/tests/support/netflow/mod.ts";

const EXPORTER = "127.0.2.10";
const UNIX_SECS = 1_700_000_000;

function flow(overrides: Partial<V5Flow> = {}): V5Flow {
  return {
    src: "127.0.2.1",
    dst: "198.51.100.7",
    inputIf: 3,
    outputIf: 4,
    packets: 10,
    bytes: 1500,
    first: 90_000,
    last: 99_000,
    srcPort: 51000,
    dstPort: 443,
    tcpFlags: 0x1b,
    protocol: 6,
    ...overrides,
  };
}

Deno.test("v5: decodes every field and converts uptimes to absolute ms", () => {
  const decoder = createFlowDecoder({ now: () => 0 });
  const packet = buildV5Packet(
    {
      sysUptime: 100_000,
      unixSecs: UNIX_SECS,
      unixNsecs: 250_000_000,
      sequence: 0,
      engineType: 1,
      engineId: 2,
    },
    [flow(), flow({ src: "203.0.113.9", protocol: 17, srcPort: 53, dstPort: 5353, bytes: 4e9 })],
  );
  const records = decoder.decode(packet, EXPORTER);
  const headerMs = UNIX_SECS * 1000 + 250;
  assert.deepEqual(records[0], {
    exporter: EXPORTER,
    version: 5,
    sourceId: (1 << 8) | 2,
    srcAddr: "127.0.2.1",
    dstAddr: "198.51.100.7",
    srcPort: 51000,
    dstPort: 443,
    protocol: 6,
    bytes: 1500,
    packets: 10,
    startMs: headerMs - 10_000,
    endMs: headerMs - 1_000,
    inputIf: 3,
    outputIf: 4,
    tcpFlags: 0x1b,
    samplingInterval: 1,
  });
  assert.equal(records[1].srcAddr, "203.0.113.9");
  assert.equal(records[1].protocol, 17);
  assert.equal(records[1].bytes, 4e9);
  const c = decoder.counters()[EXPORTER];
  assert.equal(c.packets, 1);
  assert.equal(c.records, 2);
  assert.equal(c.malformed, 0);
});

Deno.test("v5: flows that started before a 32-bit sysUptime wrap keep the right time", () => {
  const decoder = createFlowDecoder({ now: () => 0 });
  // Uptime wrapped 5 s ago; the flow started 4096 ms before the wrap and ended at uptime 1000.
  const packet = buildV5Packet({ sysUptime: 5_000, unixSecs: UNIX_SECS, sequence: 0 }, [
    flow({ first: 0xfffff000, last: 1_000 }),
  ]);
  const [r] = decoder.decode(packet, EXPORTER);
  assert.equal(r.startMs, UNIX_SECS * 1000 - 9_096);
  assert.equal(r.endMs, UNIX_SECS * 1000 - 4_000);
});

Deno.test("v5: sampling interval comes from the header's low 14 bits", () => {
  const decoder = createFlowDecoder({ now: () => 0 });
  const packet = buildV5Packet(
    { sysUptime: 100_000, unixSecs: UNIX_SECS, sequence: 0, sampling: (1 << 14) | 100 },
    [flow()],
  );
  assert.equal(decoder.decode(packet, EXPORTER)[0].samplingInterval, 100);
});

Deno.test("v5: sequence numbers count lost flows per exporter and engine", () => {
  const decoder = createFlowDecoder({ now: () => 0 });
  const send = (sequence: number, flows: number, engineId = 0, exporter = EXPORTER) =>
    decoder.decode(
      buildV5Packet(
        { sysUptime: 100_000, unixSecs: UNIX_SECS, sequence, engineId },
        Array.from({ length: flows }, () => flow()),
      ),
      exporter,
    );
  send(100, 2);
  send(102, 3); // in order
  send(110, 1); // flows 105..109 lost
  send(0, 1, 7); // another engine: its own stream, no gap
  send(0, 4, 0, "127.0.2.11"); // another exporter
  send(111, 1); // in order again
  send(111, 1); // duplicate: not a loss
  const c = decoder.counters();
  assert.equal(c[EXPORTER].sequenceGaps, 1);
  assert.equal(c[EXPORTER].lostRecords, 5);
  assert.equal(c["127.0.2.11"].sequenceGaps, 0);
});

Deno.test("v5: truncated packets are counted malformed, complete records still decoded", () => {
  const decoder = createFlowDecoder({ now: () => 0 });
  const full = buildV5Packet({ sysUptime: 100_000, unixSecs: UNIX_SECS, sequence: 0 }, [
    flow(),
    flow(),
    flow(),
  ]);
  assert.equal(decoder.decode(full.subarray(0, 24 + 48 * 2 + 10), EXPORTER).length, 2);
  for (const len of [0, 1, 2, 23]) {
    assert.deepEqual(decoder.decode(full.subarray(0, len), EXPORTER), []);
  }
  const c = decoder.counters()[EXPORTER];
  assert.equal(c.packets, 5);
  assert.equal(c.malformed, 5);
  assert.equal(c.records, 2);
});
