import assert from "node:assert/strict";
import { formatPacketLine, summarizePacket } from "./packet_summary.ts";
import {
  buildDataSet,
  buildIpfixMessage,
  buildTemplateSet,
  buildV5Packet,
  buildV9Packet,
  encodeRecord,
} from "@/tests/support/netflow/mod.ts";

const FIELDS: Array<[number, number]> = [[8, 4], [12, 4], [1, 4], [2, 4]];
const record = encodeRecord([[4, "203.0.113.1"], [4, "198.51.100.2"], [4, 100], [4, 1]]);

Deno.test("v9 summary: header fields and the set ids in order", () => {
  const packet = buildV9Packet(
    { sysUptime: 1, unixSecs: 2, sequence: 77, sourceId: 5, count: 3 },
    [buildTemplateSet(0, [{ id: 256, fields: FIELDS }]), buildDataSet(256, [record, record])],
  );
  const s = summarizePacket(packet);
  assert.deepEqual(s, {
    version: 9,
    length: packet.length,
    count: 3,
    sequence: 77,
    sourceId: 5,
    setIds: [0, 256],
    truncated: false,
  });
  assert.equal(
    formatPacketLine("203.0.113.9", s),
    `pkt exporter=203.0.113.9 v=9 len=${packet.length} count=3 seq=77 srcid=5 sets=2[0,256]`,
  );
});

Deno.test("IPFIX summary has no count; v5 has no sets", () => {
  const ipfix = buildIpfixMessage({ exportTime: 1, sequence: 9, domainId: 42 }, [
    buildTemplateSet(2, [{ id: 300, fields: FIELDS }]),
  ]);
  assert.equal(
    formatPacketLine("::1", summarizePacket(ipfix)),
    `pkt exporter=::1 v=10 len=${ipfix.length} count=- seq=9 srcid=42 sets=1[2]`,
  );
  const v5 = buildV5Packet(
    { sysUptime: 0, unixSecs: 0, sequence: 12, engineType: 1, engineId: 2 },
    [
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
    ],
  );
  assert.equal(
    formatPacketLine("203.0.113.1", summarizePacket(v5)),
    "pkt exporter=203.0.113.1 v=5 len=72 count=1 seq=12 srcid=258 sets=-",
  );
});

Deno.test("hostile datagrams: short, unknown version, set running past the end", () => {
  assert.equal(
    formatPacketLine("x", summarizePacket(new Uint8Array([0]))),
    "pkt exporter=x v=-1 len=1 count=- seq=- srcid=- sets=- truncated",
  );
  assert.equal(summarizePacket(new Uint8Array([0, 7, 1, 2])).truncated, false);
  assert.equal(summarizePacket(new Uint8Array([0, 9, 1, 2])).truncated, true);
  const bad = buildV9Packet({ sysUptime: 1, unixSecs: 2, sequence: 1, sourceId: 0 }, [
    buildDataSet(256, [record]),
  ]);
  new DataView(bad.buffer).setUint16(22, 9999); // set length beyond the datagram
  const s = summarizePacket(bad);
  assert.deepEqual([s.setIds, s.truncated], [[256], true]);
  // Many sets are counted in full but listed only up to 16.
  const many = buildV9Packet(
    { sysUptime: 1, unixSecs: 2, sequence: 1, sourceId: 0 },
    Array.from({ length: 20 }, () => buildDataSet(256, [record])),
  );
  assert.match(formatPacketLine("x", summarizePacket(many)), / sets=20\[256(,256){15},…\]$/);
});
