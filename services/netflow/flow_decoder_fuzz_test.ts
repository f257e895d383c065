// Seeded fuzzing: random and mutated (bit-flip, truncate, splice, length-smash) export
// packets must never make decode throw, and the counters must add up.
import assert from "node:assert/strict";
import { prng } from "@/tests/support/prng.ts";
import { createFlowDecoder } from "./flow_decoder.ts";
import type { FlowRecord } from "./flow_record.ts";
import {
  buildDataSet,
  buildIpfixMessage,
  buildIpfixOptionsTemplateSet,
  buildTemplateSet,
  buildV5Packet,
  buildV9OptionsTemplateSet,
  buildV9Packet,
  encodeRecord,
  type FieldSpec,
} from "@/tests/support/netflow/mod.ts";

const ITERATIONS = 100_000;

function corpus(): Uint8Array[] {
  const v4: FieldSpec[] = [
    [8, 4],
    [12, 4],
    [7, 2],
    [11, 2],
    [4, 1],
    [6, 1],
    [1, 4],
    [2, 4],
    [
      22,
      4,
    ],
    [21, 4],
    [10, 2],
    [14, 2],
    [48, 1],
  ];
  const v4Record = (n: number) =>
    encodeRecord([
      [4, `203.0.113.${n}`],
      [4, "198.51.100.1"],
      [2, 1000 + n],
      [2, 80],
      [1, 6],
      [1, 0x10],
      [4, 100 * n],
      [4, n],
      [4, 1000],
      [4, 2000],
      [2, 1],
      [2, 2],
      [1, 1],
    ]);
  const v6: FieldSpec[] = [[27, 16], [28, 16], [7, 2], [11, 2], [4, 1], [1, 8], [2, 8]];
  const v6Record = encodeRecord([
    [16, "2001:db8::1"],
    [16, "2001:db8::2"],
    [2, 1],
    [2, 2],
    [1, 17],
    [8, 1234],
    [8, 5],
  ]);
  const varFields: FieldSpec[] = [
    [8, 4],
    [82, 0xffff],
    [12, 4],
    [5, 0xffff, 4242],
    [152, 8],
    [
      153,
      8,
    ],
    [231, 4],
    [232, 4],
  ];
  const varRecord = (name: string) =>
    encodeRecord([
      [4, "203.0.113.9"],
      ["var", name],
      [4, "203.0.113.10"],
      ["var", new Uint8Array(300)],
      [8, 1_700_000_000_000],
      [8, 1_700_000_001_000],
      [4, 10],
      [4, 20],
    ]);
  const v9Header = (sequence: number) => ({
    sysUptime: 5000,
    unixSecs: 1_700_000_000,
    sequence,
    sourceId: sequence % 2,
  });
  const ipfixHeader = (sequence: number) => ({
    exportTime: 1_700_000_000,
    sequence,
    domainId: 7,
  });
  return [
    buildV5Packet({ sysUptime: 5000, unixSecs: 1_700_000_000, sequence: 0 }, [
      {
        src: "203.0.113.1",
        dst: "203.0.113.2",
        packets: 1,
        bytes: 40,
        first: 1,
        last: 2,
        srcPort: 1,
        dstPort: 2,
        protocol: 6,
      },
      {
        src: "203.0.113.3",
        dst: "203.0.113.4",
        packets: 9,
        bytes: 900,
        first: 1,
        last: 2,
        srcPort: 3,
        dstPort: 4,
        protocol: 17,
      },
    ]),
    buildV9Packet(v9Header(1), [
      buildTemplateSet(0, [{ id: 256, fields: v4 }, { id: 257, fields: v6 }]),
      buildV9OptionsTemplateSet([{ id: 258, scope: [[1, 4]], options: [[34, 4], [48, 1]] }]),
      buildDataSet(258, [encodeRecord([[4, 0], [4, 10], [1, 1]])], 2),
      buildDataSet(256, [v4Record(1), v4Record(2)], 1),
      buildDataSet(257, [v6Record]),
    ]),
    buildV9Packet(v9Header(2), [buildDataSet(256, [v4Record(3)]), buildDataSet(257, [v6Record])]),
    buildV9Packet(v9Header(3), [buildDataSet(259, [v4Record(4)])]),
    buildIpfixMessage(ipfixHeader(0), [
      buildTemplateSet(2, [{ id: 300, fields: varFields }, { id: 301, fields: v6 }]),
      buildIpfixOptionsTemplateSet([{
        id: 302,
        scopeCount: 1,
        fields: [[149, 4], [160, 8], [305, 4], [306, 4]],
      }]),
      buildDataSet(302, [encodeRecord([[4, 7], [8, 1_699_000_000_000], [4, 1], [4, 9]])]),
      buildDataSet(300, [varRecord("eth0"), varRecord("x".repeat(260))]),
      buildDataSet(301, [v6Record], 3),
    ]),
    buildIpfixMessage(ipfixHeader(5), [buildDataSet(300, [varRecord("lo")])]),
    buildIpfixMessage(ipfixHeader(6), [buildTemplateSet(2, [{ id: 300, fields: [] }])]),
  ];
}

function mutate(rand: () => number, seeds: Uint8Array[]): Uint8Array {
  const pick = () => seeds[Math.floor(rand() * seeds.length)];
  const int = (n: number) => Math.floor(rand() * n);
  switch (int(6)) {
    case 0: { // random bytes, often with a plausible version
      const out = new Uint8Array(int(600));
      for (let i = 0; i < out.length; i++) out[i] = int(256);
      if (out.length >= 2 && rand() < 0.7) {
        out[0] = 0;
        out[1] = [5, 9, 10][int(3)];
      }
      return out;
    }
    case 1: { // bit flips
      const out = pick().slice();
      for (let n = 1 + int(16); n > 0 && out.length > 0; n--) {
        out[int(out.length)] ^= 1 << int(8);
      }
      return out;
    }
    case 2: // truncation
      return pick().slice(0, int(pick().length + 1));
    case 3: { // splice two packets
      const a = pick();
      const b = pick();
      const head = a.subarray(0, int(a.length + 1));
      const tail = b.subarray(int(b.length + 1));
      const out = new Uint8Array(head.length + tail.length);
      out.set(head);
      out.set(tail, head.length);
      return out;
    }
    case 4: { // smash 16-bit words (lengths, counts, ids) with extreme values
      const out = pick().slice();
      const view = new DataView(out.buffer);
      for (let n = 1 + int(4); n > 0 && out.length >= 2; n--) {
        view.setUint16(int(out.length - 1), [0, 1, 3, 4, 255, 256, 0x7fff, 0x8000, 0xffff][int(9)]);
      }
      return out;
    }
    default: { // valid packet with junk appended
      const a = pick();
      const out = new Uint8Array(a.length + int(64));
      out.set(a);
      for (let i = a.length; i < out.length; i++) out[i] = int(256);
      return out;
    }
  }
}

function assertRecordShape(r: FlowRecord): void {
  for (
    const n of [
      r.srcPort,
      r.dstPort,
      r.protocol,
      r.bytes,
      r.packets,
      r.inputIf,
      r.outputIf,
      r.tcpFlags,
      r.sourceId,
    ]
  ) {
    assert.ok(Number.isFinite(n) && n >= 0, `field value ${n}`);
  }
  assert.ok(!Number.isNaN(r.startMs) && !Number.isNaN(r.endMs));
  assert.ok(r.samplingInterval > 0 && Number.isFinite(r.samplingInterval));
  assert.equal(typeof r.srcAddr, "string");
  assert.equal(typeof r.dstAddr, "string");
}

Deno.test("fuzz: 100k random and mutated packets never throw and counters add up", () => {
  const rand = prng(0x5eed);
  const seeds = corpus();
  let now = 0;
  const maxPending = 64;
  const decoder = createFlowDecoder({ now: () => now, pendingTtlMs: 5_000, maxPending });
  const exporters = ["203.0.113.1", "203.0.113.2", "2001:db8::1", "198.51.100.3"];
  // Valid packets first, so later mutations meet known templates.
  let fed = 0;
  let returned = 0;
  for (const e of exporters) {
    for (const s of seeds) {
      returned += decoder.decode(s, e).length;
      fed++;
    }
  }
  for (let i = 0; i < ITERATIONS; i++) {
    now += Math.floor(rand() * 20);
    const packet = rand() < 0.1 ? seeds[Math.floor(rand() * seeds.length)] : mutate(rand, seeds);
    const records = decoder.decode(packet, exporters[i % exporters.length]);
    fed++;
    returned += records.length;
    for (const r of records) assertRecordShape(r);
    assert.ok(decoder.pendingCount() <= maxPending);
  }
  const counters = Object.values(decoder.counters());
  const sum = (k: keyof (typeof counters)[number]) => counters.reduce((n, c) => n + c[k], 0);
  assert.equal(sum("packets"), fed);
  assert.equal(sum("records"), returned);
  assert.equal(sum("internalErrors"), 0);
  assert.ok(sum("malformed") > ITERATIONS / 10, "mutations were mostly caught as malformed");
  assert.ok(sum("malformed") <= fed);
  assert.ok(returned > 0);

  // Whatever templates the fuzz left behind persist and restore.
  const snapshot = JSON.parse(JSON.stringify(decoder.exportTemplates()));
  const restored = createFlowDecoder({ now: () => now });
  const result = restored.importTemplates(snapshot);
  assert.equal(result.rejected, 0);
  assert.deepEqual(restored.exportTemplates(), snapshot);
});
