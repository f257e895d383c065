// The decoder facade: hostile inputs are counted, never thrown; counters; template persistence.
import assert from "node:assert/strict";
import { AppError } from "@/services/errors.ts";
import { createFlowDecoder } from "./flow_decoder.ts";
import { MAX_TEMPLATES_PER_PACKET } from "./v9_ipfix_decoder.ts";
import {
  buildDataSet,
  buildIpfixMessage,
  buildIpfixOptionsTemplateSet,
  buildTemplateSet,
  buildV5Packet,
  buildV9OptionsTemplateSet,
  buildV9Packet,
  concat,
  encodeRecord,
  type FieldSpec,
} from "@/tests/support/netflow/mod.ts";

const EXPORTER = "198.51.100.50";
const FIELDS: FieldSpec[] = [[8, 4], [12, 4], [1, 4], [2, 4]];
const rec = (n: number) =>
  encodeRecord([[4, `203.0.113.${n}`], [4, "203.0.113.200"], [4, 99], [4, 1]]);
const v9 = (sets: Uint8Array[], sequence = 1) =>
  buildV9Packet({ sysUptime: 1000, unixSecs: 1_700_000_000, sequence, sourceId: 0 }, sets);
const ipfix = (sets: Uint8Array[], sequence = 0) =>
  buildIpfixMessage({ exportTime: 1_700_000_000, sequence, domainId: 0 }, sets);

/** A raw set with an arbitrary header, for lying about lengths. */
function rawSet(setId: number, length: number, body: number[]): Uint8Array {
  return Uint8Array.from([setId >> 8, setId & 0xff, length >> 8, length & 0xff, ...body]);
}

/** Decodes each packet with a fresh decoder; returns the counters and all records. */
function feed(packets: Uint8Array[]) {
  const decoder = createFlowDecoder({ now: () => 0 });
  const records = packets.flatMap((p) => decoder.decode(p, EXPORTER));
  return { records, c: decoder.counters()[EXPORTER], decoder };
}

Deno.test("hostile: truncated headers of every version are malformed, not thrown", () => {
  const v5 = buildV5Packet({ sysUptime: 1, unixSecs: 1, sequence: 0 }, []);
  const nine = v9([buildTemplateSet(0, [{ id: 256, fields: FIELDS }])]);
  const ten = ipfix([buildTemplateSet(2, [{ id: 256, fields: FIELDS }])]);
  const packets: Uint8Array[] = [];
  for (const [full, header] of [[v5, 24], [nine, 20], [ten, 16]] as const) {
    for (let len = 0; len < header; len++) packets.push(full.slice(0, len));
  }
  const { c, records } = feed(packets);
  assert.equal(records.length, 0);
  assert.equal(c.packets, 24 + 20 + 16);
  assert.equal(c.malformed, 24 + 20 + 16);
  assert.equal(c.templates, 0);
  assert.equal(c.internalErrors, 0);
});

Deno.test("hostile: set lengths of 0, under 4 or past the packet end", () => {
  const good = buildDataSet(256, [rec(1)]);
  const template = buildTemplateSet(0, [{ id: 256, fields: FIELDS }]);
  const { c, records } = feed([
    v9([template, rawSet(256, 0, [1, 2, 3, 4]), good]),
    v9([template, rawSet(256, 2, [1, 2, 3, 4])]),
    v9([template, rawSet(256, 400, [1, 2, 3, 4])]),
    ipfix([rawSet(2, 0, [])]),
    ipfix([rawSet(2, 1000, [1, 1])]),
  ]);
  assert.equal(c.malformed, 5);
  assert.equal(records.length, 0, "nothing after a broken set can be trusted");
  assert.equal(c.internalErrors, 0);
});

Deno.test("hostile: templates with 0 fields, absurd field counts, zero or huge record length", () => {
  const { c, decoder } = feed([
    // v9 template with 0 fields.
    v9([rawSet(0, 8, [1, 0, 0, 0])]),
    // v9 template claiming 65535 fields in a 16-byte set.
    v9([rawSet(0, 16, [1, 0, 0xff, 0xff, 0, 8, 0, 4, 0, 12, 0, 4])]),
    // IPFIX template claiming 60000 fields.
    ipfix([rawSet(2, 12, [1, 0, 0xea, 0x60, 0, 8, 0, 4])]),
    // Every field zero octets long: records of length 0 would never end.
    v9([buildTemplateSet(0, [{ id: 257, fields: [[8, 0], [12, 0]] }])]),
    // Record length beyond what any set can hold (2 x 0xFFF0 octets).
    v9([buildTemplateSet(0, [{ id: 258, fields: [[8, 0xfff0], [12, 0xfff0]] }])]),
    // Template id in the reserved range.
    v9([buildTemplateSet(0, [{ id: 12, fields: FIELDS }])]),
    // IPFIX options template with no scope field, then one with more scopes than fields.
    ipfix([rawSet(3, 14, [1, 0, 0, 1, 0, 0, 0, 34, 0, 4])]),
    ipfix([rawSet(3, 14, [1, 0, 0, 1, 0, 2, 0, 34, 0, 4])]),
    // v9 options template whose scope length is not a multiple of 4.
    v9([rawSet(1, 14, [1, 0, 0, 3, 0, 4, 0, 34, 0, 4])]),
    // Enterprise bit set but the enterprise number is cut off.
    ipfix([rawSet(2, 12, [1, 0, 0, 1, 0x80, 8, 0, 4])]),
  ]);
  assert.equal(c.malformed, 10);
  assert.equal(c.templates, 0);
  assert.deepEqual(decoder.exportTemplates().domains, []);
  assert.equal(c.internalErrors, 0);
});

Deno.test("hostile: one datagram cannot define more than MAX_TEMPLATES_PER_PACKET templates", () => {
  const many = Array.from({ length: MAX_TEMPLATES_PER_PACKET + 100 }, (_, i) => ({
    id: 256 + i,
    fields: [[8, 4]] as FieldSpec[],
  }));
  const { c } = feed([v9([buildTemplateSet(0, many)])]);
  assert.equal(c.templates, MAX_TEMPLATES_PER_PACKET);
  assert.equal(c.malformed, 1);
});

Deno.test("hostile: variable-length fields that overflow their record or set", () => {
  const template = buildTemplateSet(2, [
    { id: 256, fields: [[8, 4], [82, 0xffff], [12, 4]] },
    { id: 257, fields: [[8, 4], [12, 4], [82, 0xffff]] },
  ]);
  const head = [203, 0, 113, 1];
  // Both templates' shortest record is 9 octets; shorter set bodies would be padding.
  const { c, records } = feed([
    // Long form claims 0xFFFF octets, set holds 9.
    ipfix([template, rawSet(256, 4 + 9, [...head, 255, 0xff, 0xff, 7, 7])]),
    // Long-form length octets cut off by the set end.
    ipfix([template, rawSet(257, 4 + 9, [...head, ...head, 255])]),
    // Short form claims 200 octets, 4 present.
    ipfix([template, rawSet(256, 4 + 9, [...head, 200, 1, 2, 3, 4])]),
    // One good record, then one that overflows: the good one is kept.
    ipfix([
      template,
      rawSet(256, 4 + 13 + 10, [
        ...head,
        4,
        1,
        2,
        3,
        4,
        203,
        0,
        113,
        2,
        ...head,
        250,
        1,
        2,
        3,
        4,
        5,
      ]),
    ]),
  ]);
  assert.equal(c.malformed, 4);
  assert.deepEqual(records.map((r) => r.srcAddr), ["203.0.113.1"]);
  assert.equal(c.internalErrors, 0);
});

Deno.test("hostile: IPFIX length fields that lie, unknown versions, trailing junk", () => {
  const good = ipfix([buildTemplateSet(2, [{ id: 256, fields: FIELDS }])]);
  const longer = good.slice();
  new DataView(longer.buffer).setUint16(2, good.length + 1);
  const shorter = good.slice();
  new DataView(shorter.buffer).setUint16(2, 8);
  const mid = good.slice();
  new DataView(mid.buffer).setUint16(2, good.length - 2); // ends inside a set
  const { c } = feed([
    longer,
    shorter,
    mid,
    Uint8Array.from([0, 7, 1, 2, 3]),
    Uint8Array.from([0xff, 0xff]),
    new Uint8Array(0),
    concat([good, Uint8Array.of(1, 2, 3)]), // bytes after the message length are ignored
  ]);
  assert.equal(c.packets, 7);
  assert.equal(c.malformed, 6);
  assert.equal(c.unsupportedVersion, 2);
  assert.equal(c.templates, 1);
});

Deno.test("counters are kept per exporter and snapshots are copies", () => {
  const decoder = createFlowDecoder({ now: () => 0 });
  const p = buildV5Packet({ sysUptime: 1, unixSecs: 1, sequence: 0 }, [
    {
      src: "203.0.113.1",
      dst: "203.0.113.2",
      packets: 1,
      bytes: 40,
      first: 0,
      last: 0,
      srcPort: 1,
      dstPort: 2,
      protocol: 6,
    },
  ]);
  decoder.decode(p, "203.0.113.101");
  decoder.decode(p, "203.0.113.101");
  decoder.decode(p, "203.0.113.102");
  const snapshot = decoder.counters();
  assert.deepEqual(Object.keys(snapshot).sort(), ["203.0.113.101", "203.0.113.102"]);
  assert.equal(snapshot["203.0.113.101"].records, 2);
  snapshot["203.0.113.101"].records = 99;
  assert.equal(decoder.counters()["203.0.113.101"].records, 2);
});

Deno.test("exporters beyond maxExporters share the '*' counters", () => {
  const decoder = createFlowDecoder({ now: () => 0, maxExporters: 2 });
  for (const e of ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4"]) {
    decoder.decode(new Uint8Array(1), e);
  }
  const c = decoder.counters();
  assert.deepEqual(Object.keys(c).sort(), ["*", "203.0.113.1", "203.0.113.2"]);
  assert.equal(c["*"].packets, 2);
});

Deno.test("templates and options state survive export → JSON → import into a new decoder", () => {
  const first = createFlowDecoder({ now: () => 0 });
  first.decode(
    v9([
      buildTemplateSet(0, [{ id: 256, fields: FIELDS }]),
      buildV9OptionsTemplateSet([{ id: 257, scope: [[1, 4]], options: [[34, 4]] }]),
      buildDataSet(257, [encodeRecord([[4, 0], [4, 50]])]),
    ]),
    EXPORTER,
  );
  first.decode(
    ipfix([
      buildTemplateSet(2, [{ id: 300, fields: [[8, 4], [82, 0xffff], [12, 4], [5, 1, 4242]] }]),
      buildIpfixOptionsTemplateSet([{ id: 301, scopeCount: 1, fields: [[149, 4], [160, 8]] }]),
      buildDataSet(301, [encodeRecord([[4, 0], [8, 1_600_000_000_000]])]),
    ]),
    EXPORTER,
  );
  const snapshot = JSON.parse(JSON.stringify(first.exportTemplates()));

  const second = createFlowDecoder({ now: () => 0 });
  assert.deepEqual(second.importTemplates(snapshot), {
    domains: 2,
    templates: 4,
    rejected: 0,
    refused: 0,
  });
  const [r] = second.decode(v9([buildDataSet(256, [rec(4)])], 2), EXPORTER);
  assert.equal(r.srcAddr, "203.0.113.4");
  assert.equal(r.samplingInterval, 50);
  const [x] = second.decode(
    ipfix([
      buildDataSet(300, [
        encodeRecord([[4, "203.0.113.9"], ["var", "eth1"], [4, "203.0.113.10"], [1, 0]]),
      ]),
    ]),
    EXPORTER,
  );
  assert.equal(x.dstAddr, "203.0.113.10");
  assert.deepEqual(second.exportTemplates(), snapshot);
  assert.equal(second.counters()[EXPORTER].unknownTemplate, 0);
});

Deno.test("importTemplates rejects data that is not a snapshot, and skips invalid templates", () => {
  const decoder = createFlowDecoder({ now: () => 0 });
  for (const bad of [null, 42, { format: "other" }, { format: "pingfold.netflow.templates" }]) {
    assert.throws(
      () => decoder.importTemplates(bad),
      (e) => e instanceof AppError && e.status === 422 && e.code === "invalid_template_snapshot",
    );
  }
  const result = decoder.importTemplates({
    format: "pingfold.netflow.templates",
    formatVersion: 1,
    domains: [{
      exporter: EXPORTER,
      version: 9,
      domainId: 0,
      templates: [
        { id: 256, options: false, scopeCount: 0, fields: [[8, 4, 0]] },
        { id: 257, options: false, scopeCount: 0, fields: [] },
        { id: 5, options: false, scopeCount: 0, fields: [[8, 4, 0]] },
      ],
      samplingInterval: 0,
      samplers: [],
      systemInitMs: null,
    }],
  });
  assert.deepEqual(result, { domains: 1, templates: 1, rejected: 2, refused: 0 });
});
