// NetFlow v9 behaviour of the decoder (templates, options, padding, encodings, sequence).
import assert from "node:assert/strict";
import { createFlowDecoder } from "./flow_decoder.ts";
import {
  buildDataSet,
  buildTemplateSet,
  buildV9OptionsTemplateSet,
  buildV9Packet,
  type EncodedField,
  encodeRecord,
  type FieldSpec,
} from "@/tests/support/netflow/mod.ts";

const EXPORTER = "127.0.2.20";
const UNIX_SECS = 1_700_000_000;
const HEADER_MS = UNIX_SECS * 1000;
const UPTIME = 3_600_000;

const FIELDS: FieldSpec[] = [
  [8, 4], // IPV4_SRC_ADDR
  [12, 4], // IPV4_DST_ADDR
  [7, 2], // L4_SRC_PORT
  [11, 2], // L4_DST_PORT
  [4, 1], // PROTOCOL
  [6, 1], // TCP_FLAGS
  [1, 4], // IN_BYTES
  [2, 4], // IN_PKTS
  [22, 4], // FIRST_SWITCHED
  [21, 4], // LAST_SWITCHED
  [10, 2], // INPUT_SNMP
  [14, 2], // OUTPUT_SNMP
];

function record(n: number, overrides: Record<number, EncodedField> = {}): Uint8Array {
  const values: EncodedField[] = [
    [4, `127.0.2.${n}`],
    [4, "198.51.100.1"],
    [2, 40000 + n],
    [2, 80],
    [1, 6],
    [1, 0x12],
    [4, 1000 * n],
    [4, n],
    [4, UPTIME - 20_000],
    [4, UPTIME - 5_000],
    [2, 7],
    [2, 8],
  ];
  return encodeRecord(values.map((v, i) => overrides[i] ?? v));
}

function packet(sequence: number, sets: Uint8Array[], sourceId = 0): Uint8Array {
  return buildV9Packet({ sysUptime: UPTIME, unixSecs: UNIX_SECS, sequence, sourceId }, sets);
}

const TEMPLATE = buildTemplateSet(0, [{ id: 256, fields: FIELDS }]);

Deno.test("v9: template and data in one packet", () => {
  const decoder = createFlowDecoder({ now: () => 0 });
  const records = decoder.decode(
    packet(1, [TEMPLATE, buildDataSet(256, [record(1), record(2)])]),
    EXPORTER,
  );
  assert.equal(records.length, 2);
  assert.deepEqual(records[1], {
    exporter: EXPORTER,
    version: 9,
    sourceId: 0,
    srcAddr: "127.0.2.2",
    dstAddr: "198.51.100.1",
    srcPort: 40002,
    dstPort: 80,
    protocol: 6,
    bytes: 2000,
    packets: 2,
    startMs: HEADER_MS - 20_000,
    endMs: HEADER_MS - 5_000,
    inputIf: 7,
    outputIf: 8,
    tcpFlags: 0x12,
    samplingInterval: 1,
  });
  const c = decoder.counters()[EXPORTER];
  assert.equal(c.templates, 1);
  assert.equal(c.records, 2);
  assert.equal(c.malformed, 0);
});

Deno.test("v9: data before its template is buffered, then decoded when the template arrives", () => {
  let now = 1_000;
  const decoder = createFlowDecoder({ now: () => now });
  assert.deepEqual(decoder.decode(packet(1, [buildDataSet(256, [record(1)])]), EXPORTER), []);
  assert.equal(decoder.pendingCount(), 1);
  now += 5_000;
  const late = decoder.decode(packet(2, [TEMPLATE, buildDataSet(256, [record(2)])]), EXPORTER);
  assert.deepEqual(late.map((r) => r.srcAddr).sort(), ["127.0.2.1", "127.0.2.2"]);
  const buffered = late.find((r) => r.srcAddr === "127.0.2.1")!;
  // Times come from the packet that carried the buffered data, not the template's packet.
  assert.equal(buffered.startMs, HEADER_MS - 20_000);
  assert.equal(decoder.pendingCount(), 0);
  const c = decoder.counters()[EXPORTER];
  assert.equal(c.unknownTemplate, 1);
  assert.equal(c.lateRecords, 1);
  assert.equal(c.records, 2);
  assert.equal(c.pendingDropped, 0);
});

Deno.test("v9: buffered data expires after the time to live and is counted as dropped", () => {
  let now = 1_000;
  const decoder = createFlowDecoder({ now: () => now, pendingTtlMs: 10_000 });
  decoder.decode(packet(1, [buildDataSet(256, [record(1)])]), EXPORTER);
  now += 10_001;
  decoder.expirePending();
  assert.equal(decoder.pendingCount(), 0);
  assert.deepEqual(decoder.decode(packet(2, [TEMPLATE]), EXPORTER), []);
  assert.equal(decoder.counters()[EXPORTER].pendingDropped, 1);
});

Deno.test("v9: the pending buffer is bounded by count, oldest dropped first", () => {
  const decoder = createFlowDecoder({ now: () => 0, maxPending: 2 });
  for (let i = 1; i <= 3; i++) {
    decoder.decode(packet(i, [buildDataSet(256, [record(i)])]), EXPORTER);
  }
  assert.equal(decoder.pendingCount(), 2);
  const late = decoder.decode(packet(4, [TEMPLATE]), EXPORTER);
  assert.deepEqual(late.map((r) => r.srcAddr), ["127.0.2.2", "127.0.2.3"]);
  assert.equal(decoder.counters()[EXPORTER].pendingDropped, 1);
});

Deno.test("v9: templates are scoped by exporter and source id", () => {
  const decoder = createFlowDecoder({ now: () => 0 });
  decoder.decode(packet(1, [TEMPLATE], 1), EXPORTER);
  assert.deepEqual(decoder.decode(packet(2, [buildDataSet(256, [record(1)])], 2), EXPORTER), []);
  assert.deepEqual(
    decoder.decode(packet(1, [buildDataSet(256, [record(1)])], 1), "127.0.2.99"),
    [],
  );
  const ok = decoder.decode(packet(3, [buildDataSet(256, [record(1)])], 1), EXPORTER);
  assert.equal(ok.length, 1);
  assert.equal(ok[0].sourceId, 1);
  assert.equal(decoder.counters()[EXPORTER].unknownTemplate, 1);
  assert.equal(decoder.counters()["127.0.2.99"].unknownTemplate, 1);
});

Deno.test("v9: options data announces the sampling interval for later records", () => {
  const decoder = createFlowDecoder({ now: () => 0 });
  const options = buildV9OptionsTemplateSet([{
    id: 300,
    scope: [[1, 4]], // System
    options: [[34, 4], [35, 1]], // SAMPLING_INTERVAL, SAMPLING_ALGORITHM
  }]);
  const optionsData = buildDataSet(300, [encodeRecord([[4, 0], [4, 100], [1, 2]])], 3);
  const records = decoder.decode(
    packet(1, [options, optionsData, TEMPLATE, buildDataSet(256, [record(1)])]),
    EXPORTER,
  );
  assert.equal(records.length, 1);
  assert.equal(records[0].samplingInterval, 100);
  assert.equal(decoder.counters()[EXPORTER].malformed, 0);
});

Deno.test("v9: per-sampler intervals apply to records naming their sampler", () => {
  const decoder = createFlowDecoder({ now: () => 0 });
  const options = buildV9OptionsTemplateSet([{
    id: 301,
    scope: [[2, 4]], // Interface
    options: [[48, 1], [49, 1], [50, 4]], // FLOW_SAMPLER_ID, _MODE, _RANDOM_INTERVAL
  }]);
  const optionsData = buildDataSet(301, [
    encodeRecord([[4, 1], [1, 3], [1, 2], [4, 512]]),
    encodeRecord([[4, 2], [1, 4], [1, 2], [4, 64]]),
  ]);
  const template = buildTemplateSet(0, [{ id: 257, fields: [...FIELDS, [48, 1]] }]);
  const data = buildDataSet(257, [
    concatRecord(record(1), 3),
    concatRecord(record(2), 4),
    concatRecord(record(3), 9),
  ]);
  const records = decoder.decode(packet(1, [options, optionsData, template, data]), EXPORTER);
  assert.deepEqual(records.map((r) => r.samplingInterval), [512, 64, 1]);
});

function concatRecord(base: Uint8Array, samplerId: number): Uint8Array {
  return Uint8Array.from([...base, samplerId]);
}

Deno.test("v9: padding after records and templates is skipped", () => {
  const decoder = createFlowDecoder({ now: () => 0 });
  const paddedTemplate = buildTemplateSet(0, [{ id: 256, fields: FIELDS }], 2);
  const records = decoder.decode(
    packet(1, [paddedTemplate, buildDataSet(256, [record(1), record(2)], 3)]),
    EXPORTER,
  );
  assert.equal(records.length, 2);
  // Trailing octets after the last set (some exporters pad the datagram) are ignored too.
  const trailing = Uint8Array.from([...packet(2, [buildDataSet(256, [record(3)])]), 0, 0]);
  assert.equal(decoder.decode(trailing, EXPORTER).length, 1);
  assert.equal(decoder.counters()[EXPORTER].malformed, 0);
});

Deno.test("v9: reduced-size and 8-byte counters decode to the same numbers", () => {
  const decoder = createFlowDecoder({ now: () => 0 });
  const narrow = FIELDS.map(([id, len]): FieldSpec =>
    id === 1 ? [1, 2] : id === 2 ? [2, 1] : [id, len]
  );
  const wide = FIELDS.map(([id, len]): FieldSpec => id === 1 || id === 2 ? [id, 8] : [id, len]);
  const template = buildTemplateSet(0, [
    { id: 260, fields: narrow },
    { id: 261, fields: wide },
    { id: 262, fields: FIELDS.map(([id, len]): FieldSpec => id === 7 ? [7, 3] : [id, len]) },
  ]);
  const narrowRecord = record(5, { 6: [2, 5000], 7: [1, 5] });
  const wideRecord = record(5, { 6: [8, 5000], 7: [8, 5] });
  const bigRecord = record(5, { 6: [8, 2n ** 40n + 7n], 7: [8, 2n ** 33n] });
  const threeBytePort = record(5, { 2: [3, 0x012345] });
  const records = decoder.decode(
    packet(1, [
      template,
      buildDataSet(260, [narrowRecord]),
      buildDataSet(261, [wideRecord, bigRecord]),
      buildDataSet(262, [threeBytePort]),
    ]),
    EXPORTER,
  );
  assert.deepEqual(records.map((r) => [r.bytes, r.packets]), [
    [5000, 5],
    [5000, 5],
    [2 ** 40 + 7, 2 ** 33],
    [5000, 5],
  ]);
  assert.equal(records[3].srcPort, 0x012345);
});

Deno.test("v9: IPv6 addresses are canonical compressed text", () => {
  const decoder = createFlowDecoder({ now: () => 0 });
  const fields = FIELDS.map(([id, len]): FieldSpec =>
    id === 8 ? [27, 16] : id === 12 ? [28, 16] : [id, len]
  );
  const data = record(1, {
    0: [16, "2001:db8:0:0:1:0:0:1"],
    1: [16, "2001:0db8:0000:0000:0000:0000:0000:0100"],
  });
  const [r] = decoder.decode(
    packet(1, [buildTemplateSet(0, [{ id: 270, fields }]), buildDataSet(270, [data])]),
    EXPORTER,
  );
  assert.equal(r.srcAddr, "2001:db8::1:0:0:1");
  assert.equal(r.dstAddr, "2001:db8::100");
});

Deno.test("v9: FIRST/LAST_SWITCHED survive a sysUptime wrap and slight clock skew", () => {
  const decoder = createFlowDecoder({ now: () => 0 });
  const wrapped = buildV9Packet(
    { sysUptime: 2_000, unixSecs: UNIX_SECS, sequence: 1, sourceId: 0 },
    [
      TEMPLATE,
      buildDataSet(256, [
        record(1, { 8: [4, 0xffffff00], 9: [4, 1_500] }),
        // Stamped 300 ms after the header's uptime: a flow that ends "in the future" by a hair.
        record(2, { 8: [4, 1_900], 9: [4, 2_300] }),
      ]),
    ],
  );
  const [a, b] = decoder.decode(wrapped, EXPORTER);
  assert.equal(a.startMs, HEADER_MS - 2_256);
  assert.equal(a.endMs, HEADER_MS - 500);
  assert.equal(b.startMs, HEADER_MS - 100);
  assert.equal(b.endMs, HEADER_MS + 300);
});

Deno.test("v9: Cisco ASA NSEL initiator/responder octets and absolute ms times", () => {
  const decoder = createFlowDecoder({ now: () => 0 });
  const nsel: FieldSpec[] = [[8, 4], [12, 4], [7, 2], [11, 2], [4, 1], [231, 4], [232, 4], [
    152,
    8,
  ], [323, 8]];
  const fallbacks: FieldSpec[] = [[8, 4], [12, 4], [23, 4], [24, 4]];
  const totals: FieldSpec[] = [[8, 4], [12, 4], [85, 8], [86, 8]];
  const t = buildTemplateSet(0, [
    { id: 280, fields: nsel },
    { id: 281, fields: fallbacks },
    { id: 282, fields: totals },
  ]);
  const created = 1_700_000_000_123;
  const records = decoder.decode(
    packet(1, [
      t,
      buildDataSet(280, [
        encodeRecord([
          [4, "127.0.2.5"],
          [4, "203.0.113.5"],
          [2, 33000],
          [2, 443],
          [1, 6],
          [4, 1200],
          [4, 34000],
          [8, created],
          [8, created + 4_000],
        ]),
      ]),
      buildDataSet(281, [encodeRecord([[4, "127.0.2.6"], [4, "203.0.113.6"], [4, 900], [4, 3]])]),
      buildDataSet(282, [encodeRecord([[4, "127.0.2.7"], [4, "203.0.113.7"], [8, 800], [8, 2]])]),
    ]),
    EXPORTER,
  );
  assert.deepEqual(
    records.map((r) => [r.bytes, r.packets, r.startMs, r.endMs]),
    [
      [35200, 0, created, created + 4_000],
      [900, 3, HEADER_MS, HEADER_MS],
      [800, 2, HEADER_MS, HEADER_MS],
    ],
  );
});

Deno.test("v9: sequence numbers count lost export packets", () => {
  const decoder = createFlowDecoder({ now: () => 0 });
  for (const seq of [10, 11, 14, 15, 15, 0, 1]) decoder.decode(packet(seq, [TEMPLATE]), EXPORTER);
  const c = decoder.counters()[EXPORTER];
  // 12 and 13 lost; the repeat of 15 and the restart at 0 are not losses.
  assert.equal(c.sequenceGaps, 1);
  assert.equal(c.lostPackets, 2);
  assert.equal(c.lostRecords, 0);
});
