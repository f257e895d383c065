// IPFIX behaviour of the decoder (variable-length fields, timestamps, sampling, withdrawal).
import assert from "node:assert/strict";
import { createFlowDecoder } from "./flow_decoder.ts";
import {
  buildDataSet,
  buildIpfixMessage,
  buildIpfixOptionsTemplateSet,
  buildTemplateSet,
  type EncodedField,
  encodeRecord,
  type FieldSpec,
} from "@/tests/support/netflow/mod.ts";

const EXPORTER = "2001:db8::10";
const EXPORT_SECS = 1_700_000_000;
const EXPORT_MS = EXPORT_SECS * 1000;
const NTP_OFFSET = 2208988800;
const PEN = 9; // an enterprise field the decoder must skip by its length

function message(sequence: number, sets: Uint8Array[], domainId = 1): Uint8Array {
  return buildIpfixMessage({ exportTime: EXPORT_SECS, sequence, domainId }, sets);
}

const BASE_FIELDS: FieldSpec[] = [[8, 4], [12, 4], [7, 2], [11, 2], [4, 1], [1, 8], [2, 8]];
const baseValues = (n: number): EncodedField[] => [
  [4, `203.0.113.${n}`],
  [4, "198.51.100.1"],
  [2, 1000 + n],
  [2, 53],
  [1, 17],
  [8, 100 * n],
  [8, n],
];

/** A template of the base fields plus `extra`, and a record with `extraValues`. */
function withExtra(
  id: number,
  extra: FieldSpec[],
  extraValues: EncodedField[],
  n = 1,
): [Uint8Array, Uint8Array] {
  return [
    buildTemplateSet(2, [{ id, fields: [...BASE_FIELDS, ...extra] }]),
    buildDataSet(id, [encodeRecord([...baseValues(n), ...extraValues])]),
  ];
}

Deno.test("ipfix: variable-length fields, short and long form, around enterprise fields", () => {
  const decoder = createFlowDecoder({ now: () => 0 });
  const fields: FieldSpec[] = [
    [8, 4],
    [82, 0xffff], // interfaceName, variable
    [12, 4],
    [100, 0xffff, PEN], // enterprise-specific, variable
    [7, 2],
    [11, 2],
    [4, 1],
    [1, 4],
    [2, 4],
  ];
  const rec = (n: number, name: string, blob: number) =>
    encodeRecord([
      [4, `203.0.113.${n}`],
      ["var", name],
      [4, "198.51.100.2"],
      ["var", new Uint8Array(blob).fill(0xab)],
      [2, 2000 + n],
      [2, 443],
      [1, 6],
      [4, 10 * n],
      [4, n],
    ]);
  const records = decoder.decode(
    message(0, [
      buildTemplateSet(2, [{ id: 256, fields }]),
      buildDataSet(256, [rec(1, "eth0", 0), rec(2, "x".repeat(300), 254), rec(3, "", 1000)], 1),
    ]),
    EXPORTER,
  );
  assert.deepEqual(
    records.map((
      r,
    ) => [r.srcAddr, r.dstAddr, r.srcPort, r.dstPort, r.protocol, r.bytes, r.packets]),
    [
      ["203.0.113.1", "198.51.100.2", 2001, 443, 6, 10, 1],
      ["203.0.113.2", "198.51.100.2", 2002, 443, 6, 20, 2],
      ["203.0.113.3", "198.51.100.2", 2003, 443, 6, 30, 3],
    ],
  );
  assert.equal(records[0].version, 10);
  assert.equal(records[0].sourceId, 1);
  assert.equal(decoder.counters()[EXPORTER].malformed, 0);
});

Deno.test("ipfix: absolute timestamps in seconds, ms, µs, ns and delta µs", () => {
  const decoder = createFlowDecoder({ now: () => 0 });
  const start = 1_699_999_990_250; // ms
  const end = 1_699_999_995_750;
  const ntp = (ms: number, extraNanos = 0): bigint => {
    const seconds = BigInt(Math.floor(ms / 1000) + NTP_OFFSET);
    const nanos = BigInt((ms % 1000) * 1_000_000 + extraNanos);
    return (seconds << 32n) | ((nanos << 32n) / 1_000_000_000n);
  };
  const cases: Array<[FieldSpec[], EncodedField[], number, number]> = [
    [
      [[150, 4], [151, 4]],
      [[4, Math.floor(start / 1000)], [4, Math.floor(end / 1000)]],
      1_699_999_990_000,
      1_699_999_995_000,
    ],
    [[[152, 8], [153, 8]], [[8, start], [8, end]], start, end],
    [[[154, 8], [155, 8]], [[8, ntp(start, 999)], [8, ntp(end)]], start, end],
    [[[156, 8], [157, 8]], [[8, ntp(start, 999_999)], [8, ntp(end, 1)]], start, end],
    [[[158, 4], [159, 4]], [[4, 9_750_000], [4, 4_250_000]], EXPORT_MS - 9_750, EXPORT_MS - 4_250],
  ];
  cases.forEach(([fields, values, wantStart, wantEnd], i) => {
    const [t, d] = withExtra(300 + i, fields, values);
    const [r] = decoder.decode(message(i, [t, d]), EXPORTER);
    assert.deepEqual([r.startMs, r.endMs], [wantStart, wantEnd], `case ${fields[0][0]}`);
  });
});

Deno.test("ipfix: flowStart/EndSysUpTime use systemInitTimeMilliseconds from options or record", () => {
  const decoder = createFlowDecoder({ now: () => 0 });
  const init = EXPORT_MS - 86_400_000; // exporter booted a day ago
  const options = buildIpfixOptionsTemplateSet([{
    id: 400,
    scopeCount: 1,
    fields: [[143, 4], [160, 8]], // meteringProcessId (scope), systemInitTimeMilliseconds
  }]);
  const optionsData = buildDataSet(400, [encodeRecord([[4, 77], [8, init]])]);
  const [t, d] = withExtra(301, [[22, 4], [21, 4]], [[4, 86_390_000], [4, 86_399_000]]);

  // Before the options data: no uptime base yet, so the export time stands in.
  const [early] = decoder.decode(message(0, [options, t, d]), EXPORTER);
  assert.deepEqual([early.startMs, early.endMs], [EXPORT_MS, EXPORT_MS]);

  const [r] = decoder.decode(message(1, [optionsData, d]), EXPORTER);
  assert.deepEqual([r.startMs, r.endMs], [EXPORT_MS - 10_000, EXPORT_MS - 1_000]);

  // softflowd stamps flows seen before its start with "negative" uptimes.
  const [negative] = decoder.decode(
    message(2, [buildDataSet(301, [encodeRecord([...baseValues(1), [4, -5_000 >>> 0], [4, 0]])])]),
    EXPORTER,
  );
  assert.deepEqual([negative.startMs, negative.endMs], [init - 5_000, init]);

  // A record may carry its own systemInitTimeMilliseconds.
  const [t2, d2] = withExtra(
    302,
    [[160, 8], [22, 4], [21, 4]],
    [[8, EXPORT_MS - 60_000], [4, 1_000], [4, 2_000]],
  );
  const [own] = decoder.decode(message(3, [t2, d2]), EXPORTER);
  assert.deepEqual([own.startMs, own.endMs], [EXPORT_MS - 59_000, EXPORT_MS - 58_000]);
});

Deno.test("ipfix: sampling from samplingInterval, packet interval/space and probability", () => {
  const cases: Array<[FieldSpec[], EncodedField[], number]> = [
    [[[34, 4]], [[4, 256]], 256],
    [[[305, 4], [306, 4]], [[4, 1], [4, 99]], 100],
    [[[309, 4], [310, 4]], [[4, 10], [4, 10_000]], 1000],
    [[[311, 8]], [[8, float64(0.01)]], 100],
    [[[311, 4]], [[4, float32(0.5)]], 2],
  ];
  for (const [fields, values, want] of cases) {
    const decoder = createFlowDecoder({ now: () => 0 });
    const options = buildIpfixOptionsTemplateSet([{
      id: 500,
      scopeCount: 1,
      fields: [[149, 4], ...fields], // observationDomainId as scope
    }]);
    const optionsData = buildDataSet(500, [encodeRecord([[4, 1], ...values])]);
    const [t, d] = withExtra(310, [], []);
    const [r] = decoder.decode(message(0, [options, optionsData, t, d]), EXPORTER);
    assert.equal(r.samplingInterval, want, `fields ${fields.map((f) => f[0])}`);
  }
});

Deno.test("ipfix: a samplingInterval inside the flow record wins", () => {
  const decoder = createFlowDecoder({ now: () => 0 });
  const [t, d] = withExtra(311, [[34, 2]], [[2, 1000]]);
  assert.equal(decoder.decode(message(0, [t, d]), EXPORTER)[0].samplingInterval, 1000);
});

Deno.test("ipfix: initiator/responder octets and packets, padding in data sets", () => {
  const decoder = createFlowDecoder({ now: () => 0 });
  const fields: FieldSpec[] = [[8, 4], [12, 4], [231, 8], [232, 4], [298, 4], [299, 2]];
  const records = decoder.decode(
    message(0, [
      buildTemplateSet(2, [{ id: 320, fields }], 4),
      buildDataSet(320, [
        encodeRecord([[4, "203.0.113.1"], [4, "203.0.113.2"], [8, 500], [4, 700], [4, 3], [2, 4]]),
      ], 3),
    ]),
    EXPORTER,
  );
  assert.deepEqual(records.map((r) => [r.bytes, r.packets]), [[1200, 7]]);
  assert.equal(decoder.counters()[EXPORTER].malformed, 0);
});

Deno.test("ipfix: template withdrawal makes later data wait for a new template", () => {
  const decoder = createFlowDecoder({ now: () => 0 });
  const [t, d] = withExtra(330, [], []);
  assert.equal(decoder.decode(message(0, [t, d]), EXPORTER).length, 1);
  const withdraw = buildTemplateSet(2, [{ id: 330, fields: [] }]);
  assert.equal(decoder.decode(message(1, [withdraw, d]), EXPORTER).length, 0);
  assert.equal(decoder.counters()[EXPORTER].unknownTemplate, 1);
  // Withdrawing "all" (template id = set id 2) also works.
  decoder.decode(message(2, [t]), EXPORTER);
  decoder.decode(message(3, [buildTemplateSet(2, [{ id: 2, fields: [] }])]), EXPORTER);
  assert.equal(decoder.decode(message(4, [d]), EXPORTER).length, 0);
  assert.equal(decoder.counters()[EXPORTER].malformed, 0);
});

Deno.test("ipfix: sequence numbers count lost data records, options records included", () => {
  const decoder = createFlowDecoder({ now: () => 0 });
  const [t, d] = withExtra(340, [], []);
  const options = buildIpfixOptionsTemplateSet([{
    id: 341,
    scopeCount: 1,
    fields: [[149, 4], [34, 4]],
  }]);
  const optionsData = buildDataSet(341, [encodeRecord([[4, 1], [4, 1]])]);
  const two = buildDataSet(340, [encodeRecord(baseValues(1)), encodeRecord(baseValues(2))]);
  decoder.decode(message(0, [t, options, optionsData, two]), EXPORTER); // 3 records: 0..2
  decoder.decode(message(3, [two]), EXPORTER); // 3..4
  decoder.decode(message(5, [d]), EXPORTER); // 5
  decoder.decode(message(10, [d]), EXPORTER); // 6..9 lost
  decoder.decode(message(11, [two]), EXPORTER);
  const c = decoder.counters()[EXPORTER];
  assert.equal(c.sequenceGaps, 1);
  assert.equal(c.lostRecords, 4);
});

function float64(x: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setFloat64(0, x);
  return out;
}

function float32(x: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setFloat32(0, x);
  return out;
}
