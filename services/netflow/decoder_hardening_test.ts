// Regression tests from replaying real exporters and hostile floods: v9 zero padding after the
// last set, records without addresses (records_skipped), far-off uptimes (timestamps_clamped),
// and the template / pending-set / stream caps.
import assert from "node:assert/strict";
import { createFlowDecoder } from "./flow_decoder.ts";
import {
  buildDataSet,
  buildIpfixMessage,
  buildTemplateSet,
  buildV9Packet,
  type EncodedField,
  encodeRecord,
  type FieldSpec,
} from "@/tests/support/netflow/mod.ts";
import { CLAMP_FUTURE_MS } from "./data_set_decoder.ts";

const EXPORTER = "203.0.113.30";
const UNIX_SECS = 1_700_000_000;
const HEADER_MS = UNIX_SECS * 1000;
const UPTIME = 3_600_000;

const FIELDS: FieldSpec[] = [
  [8, 4], // IPV4_SRC_ADDR
  [12, 4], // IPV4_DST_ADDR
  [1, 4], // IN_BYTES
  [2, 4], // IN_PKTS
  [22, 4], // FIRST_SWITCHED
  [21, 4], // LAST_SWITCHED
];

function record(n: number, first = UPTIME - 20_000, last = UPTIME - 5_000): Uint8Array {
  return encodeRecord([
    [4, `203.0.113.${n}`],
    [4, "198.51.100.1"],
    [4, 100 * n],
    [4, n],
    [4, first >>> 0],
    [4, last >>> 0],
  ]);
}

function v9(sets: Uint8Array[], opts: { sourceId?: number; sequence?: number } = {}) {
  return buildV9Packet({
    sysUptime: UPTIME,
    unixSecs: UNIX_SECS,
    sequence: opts.sequence ?? 0,
    sourceId: opts.sourceId ?? 0,
  }, sets);
}

function withTail(packet: Uint8Array, tail: number[]): Uint8Array {
  const out = new Uint8Array(packet.length + tail.length);
  out.set(packet);
  out.set(tail, packet.length);
  return out;
}

const TEMPLATE = buildTemplateSet(0, [{ id: 256, fields: FIELDS }]);

Deno.test("v9: zero padding after the last set is not malformed, whatever its length", () => {
  for (const pad of [1, 2, 3, 4, 5, 7, 8, 16]) {
    const decoder = createFlowDecoder({ now: () => 0 });
    const packet = withTail(v9([TEMPLATE, buildDataSet(256, [record(1), record(2)])]), [
      ...new Array(pad).fill(0),
    ]);
    const records = decoder.decode(packet, EXPORTER);
    assert.equal(records.length, 2, `padding ${pad}`);
    const c = decoder.counters()[EXPORTER];
    assert.equal(c.malformed, 0, `padding ${pad}`);
    assert.equal(c.records, 2);
  }
});

Deno.test("v9: a non-zero tail that is no set is still malformed (records kept)", () => {
  const decoder = createFlowDecoder({ now: () => 0 });
  const packet = withTail(v9([TEMPLATE, buildDataSet(256, [record(1)])]), [0, 0, 0, 1, 0, 0]);
  assert.equal(decoder.decode(packet, EXPORTER).length, 1);
  assert.equal(decoder.counters()[EXPORTER].malformed, 1);
});

Deno.test("records without a source or destination address are skipped and counted by reason", () => {
  const decoder = createFlowDecoder({ now: () => 0 });
  const srcOnly = buildTemplateSet(0, [
    { id: 300, fields: [[8, 4], [1, 4], [2, 4]] },
    { id: 301, fields: [[12, 4], [1, 4], [2, 4]] },
    // A wireless controller's flow: client MAC and counters, no address at all.
    { id: 302, fields: [[56, 6], [1, 4], [2, 4]] },
    // An address field of a length no address has: no usable source.
    { id: 303, fields: [[8, 3], [12, 4], [1, 4]] },
  ]);
  const one = (addr: string): EncodedField[] => [[4, addr], [4, 10], [4, 1]];
  const records = decoder.decode(
    v9([
      srcOnly,
      buildDataSet(300, [encodeRecord(one("203.0.113.1")), encodeRecord(one("203.0.113.2"))]),
      buildDataSet(301, [encodeRecord(one("198.51.100.1"))]),
      buildDataSet(302, [
        encodeRecord([[6, new Uint8Array(6)], [4, 10], [4, 1]]),
        encodeRecord([[6, new Uint8Array(6)], [4, 20], [4, 2]]),
        encodeRecord([[6, new Uint8Array(6)], [4, 30], [4, 3]]),
      ]),
      buildDataSet(303, [encodeRecord([[3, 1], [4, "198.51.100.2"], [4, 5]])]),
      TEMPLATE,
      buildDataSet(256, [record(9)]),
    ]),
    EXPORTER,
  );
  assert.deepEqual(records.map((r) => [r.srcAddr, r.dstAddr]), [["203.0.113.9", "198.51.100.1"]]);
  const c = decoder.counters()[EXPORTER];
  assert.equal(c.recordsSkipped, 7);
  assert.equal(c.skippedNoDstAddr, 2);
  assert.equal(c.skippedNoSrcAddr, 2);
  assert.equal(c.skippedNoAddress, 3);
  assert.equal(c.records, 1);
  assert.equal(c.malformed, 0);
});

Deno.test("v9: an uptime far from the export time is clamped to it and counted", () => {
  const decoder = createFlowDecoder({ now: () => 0 });
  const records = decoder.decode(
    v9([
      TEMPLATE,
      buildDataSet(256, [
        record(1), // ordinary: 20 s and 5 s before the export
        record(2, UPTIME + 3 * 86_400_000, UPTIME + 3 * 86_400_000 + 1000), // days ahead
        record(3, UPTIME - 20_000, UPTIME + CLAMP_FUTURE_MS * 10), // end 10 min ahead
        record(4, UPTIME - 10 * 86_400_000, UPTIME - 5_000), // start 10 days back
        record(5, UPTIME + 500, UPTIME + 900), // a little after the header: kept
      ]),
    ]),
    EXPORTER,
  );
  const times = records.map((r) => [r.startMs - HEADER_MS, r.endMs - HEADER_MS]);
  assert.deepEqual(times, [
    [-20_000, -5_000],
    [0, 0],
    [-20_000, 0],
    [0, 0],
    [500, 900],
  ]);
  assert.equal(decoder.counters()[EXPORTER].timestampsClamped, 3);
});

Deno.test("ipfix: a flowEndSysUpTime far ahead is clamped too", () => {
  const decoder = createFlowDecoder({ now: () => 0 });
  const exportSecs = UNIX_SECS;
  const initMs = HEADER_MS - 3_600_000;
  const fields: FieldSpec[] = [[8, 4], [12, 4], [1, 8], [2, 8], [160, 8], [22, 4], [21, 4]];
  const rec = (start: number, end: number) =>
    encodeRecord([
      [4, "203.0.113.1"],
      [4, "198.51.100.1"],
      [8, 100],
      [8, 1],
      [8, initMs],
      [4, start],
      [4, end],
    ]);
  const records = decoder.decode(
    buildIpfixMessage({ exportTime: exportSecs, sequence: 0, domainId: 1 }, [
      buildTemplateSet(2, [{ id: 400, fields }]),
      buildDataSet(400, [rec(3_590_000, 3_599_000), rec(3_590_000, 3_600_000 + 86_400_000)]),
    ]),
    EXPORTER,
  );
  assert.deepEqual(records.map((r) => [r.startMs - HEADER_MS, r.endMs - HEADER_MS]), [
    [-10_000, -1_000],
    [-10_000, 0],
  ]);
  assert.equal(decoder.counters()[EXPORTER].timestampsClamped, 1);
});

/** One v9 packet announcing `count` templates (ids from 256) for `sourceId`. */
function templateFlood(sourceId: number, count: number, firstId = 256): Uint8Array {
  const templates = Array.from({ length: count }, (_, i) => ({ id: firstId + i, fields: FIELDS }));
  return v9([buildTemplateSet(0, templates)], { sourceId });
}

Deno.test("a template flood is capped per exporter and in total, and counted as refused", () => {
  let now = 0;
  const decoder = createFlowDecoder({
    now: () => now,
    maxTemplates: 300,
    maxTemplatesPerExporter: 100,
    templateIdleMs: 60_000,
  });
  for (let sid = 0; sid < 50; sid++) decoder.decode(templateFlood(sid, 10), "198.51.100.7");
  let c = decoder.counters()["198.51.100.7"];
  assert.equal(c.templates, 100);
  assert.equal(c.templatesRefused, 400);
  // Other exporters are not pushed out: each gets its own share, up to the total cap.
  for (const exporter of ["198.51.100.8", "198.51.100.9", "198.51.100.10"]) {
    for (let sid = 0; sid < 20; sid++) decoder.decode(templateFlood(sid, 10), exporter);
  }
  const all = decoder.counters();
  assert.equal(all["198.51.100.8"].templates, 100);
  assert.equal(all["198.51.100.9"].templates, 100);
  assert.equal(all["198.51.100.10"].templates, 0);
  assert.equal(all["198.51.100.10"].templatesRefused, 200);
  assert.equal(
    decoder.exportTemplates().domains.reduce((n, d) => n + d.templates.length, 0),
    300,
  );
  // A known template's refresh is always taken, and its data decodes.
  const refreshed = decoder.decode(
    v9([buildTemplateSet(0, [{ id: 256, fields: FIELDS }]), buildDataSet(256, [record(1)])], {
      sourceId: 0,
    }),
    "198.51.100.7",
  );
  assert.equal(refreshed.length, 1);
  c = decoder.counters()["198.51.100.7"];
  assert.equal(c.templates, 101);
  // Once the flood's templates went idle, a live exporter's new ones take their place.
  now = 120_000;
  decoder.decode(templateFlood(0, 10), "198.51.100.10");
  assert.equal(decoder.counters()["198.51.100.10"].templates, 10);
});

Deno.test("data sets waiting for templates are capped per exporter", () => {
  const decoder = createFlowDecoder({
    now: () => 0,
    maxPending: 100,
    maxPendingPerExporter: 5,
  });
  for (let i = 0; i < 20; i++) {
    decoder.decode(v9([buildDataSet(256 + i, [record(1)])], { sequence: i }), "198.51.100.7");
  }
  assert.equal(decoder.pendingCount(), 5);
  assert.equal(decoder.counters()["198.51.100.7"].pendingRefused, 15);
  // Another exporter still gets its sets buffered and decoded once the template comes.
  decoder.decode(v9([buildDataSet(256, [record(2)])]), EXPORTER);
  const late = decoder.decode(v9([TEMPLATE], { sequence: 1 }), EXPORTER);
  assert.equal(late.length, 1);
  assert.equal(decoder.counters()[EXPORTER].pendingRefused, 0);
});

Deno.test("new source ids beyond the stream table are refused, not evicting live streams", () => {
  const decoder = createFlowDecoder({ now: () => 0, maxDomains: 10 });
  decoder.decode(v9([TEMPLATE]), EXPORTER);
  for (let sid = 1; sid < 100; sid++) decoder.decode(templateFlood(sid, 1), "198.51.100.7");
  const c = decoder.counters()["198.51.100.7"];
  assert.equal(c.templates, 9);
  assert.equal(c.streamsRefused, 90);
  assert.equal(c.templatesRefused, 90);
  // The first exporter's stream and template survived the flood.
  assert.equal(decoder.decode(v9([buildDataSet(256, [record(3)])]), EXPORTER).length, 1);
});

Deno.test("ipfix: refused templates are skipped by their real length (enterprise fields too)", () => {
  const decoder = createFlowDecoder({ now: () => 0, maxTemplatesPerExporter: 1 });
  const exporter = "198.51.100.11";
  // Template 256 fills the exporter's cap; 257 (with enterprise fields, 8 octets each) is refused
  // and skipped without being read; 258 after it is found at the right place and refused too.
  const wide: FieldSpec[] = [[8, 4], [100, 4, 9], [101, 2, 9], [12, 4]];
  decoder.decode(
    buildIpfixMessage({ exportTime: UNIX_SECS, sequence: 0, domainId: 1 }, [
      buildTemplateSet(2, [{ id: 256, fields: FIELDS }, { id: 257, fields: wide }, {
        id: 258,
        fields: FIELDS,
      }]),
    ]),
    exporter,
  );
  let c = decoder.counters()[exporter];
  assert.equal(c.templates, 1);
  assert.equal(c.templatesRefused, 2);
  assert.equal(c.malformed, 0);
  // A refused template cut short is still malformed, not refused.
  const whole = buildIpfixMessage({ exportTime: UNIX_SECS, sequence: 1, domainId: 1 }, [
    buildTemplateSet(2, [{ id: 259, fields: wide }]),
  ]);
  const cut = whole.slice(0, whole.length - 6);
  new DataView(cut.buffer).setUint16(2, cut.length); // message length
  new DataView(cut.buffer).setUint16(18, cut.length - 16); // set length
  decoder.decode(cut, exporter);
  c = decoder.counters()[exporter];
  assert.equal(c.templatesRefused, 2);
  assert.equal(c.malformed, 1);
});
