// Decode throughput of full v5 / v9 / IPFIX export packets (target: >= 1M records/s on one
// core for v5 and v9). Run: deno bench services/netflow/flow_decoder_bench.ts
import { createFlowDecoder } from "./flow_decoder.ts";
import {
  buildDataSet,
  buildIpfixMessage,
  buildTemplateSet,
  buildV5Packet,
  buildV9Packet,
  encodeRecord,
  type FieldSpec,
  type V5Flow,
} from "../../tests/support/netflow/export_packet_builder.ts";

const PACKETS = 1000;

const v5Flows: V5Flow[] = Array.from({ length: 30 }, (_, i) => ({
  src: `10.0.${i}.1`,
  dst: `10.1.${i}.2`,
  packets: i + 1,
  bytes: 1500 * (i + 1),
  first: 1000,
  last: 2000,
  srcPort: 1024 + i,
  dstPort: 443,
  protocol: 6,
  inputIf: 1,
  outputIf: 2,
  tcpFlags: 0x1b,
}));

// The layout softflowd and most routers use (v9 ids, 4-byte counters).
const FIELDS: FieldSpec[] = [
  [8, 4],
  [12, 4],
  [22, 4],
  [21, 4],
  [1, 4],
  [2, 4],
  [10, 4],
  [14, 4],
  [
    61,
    1,
  ],
  [136, 1],
  [7, 2],
  [11, 2],
  [4, 1],
  [6, 1],
  [60, 1],
  [5, 1],
];
const record = (i: number) =>
  encodeRecord([
    [4, `10.0.${i}.1`],
    [4, `10.1.${i}.2`],
    [4, 1000],
    [4, 2000],
    [4, 1500 * (i + 1)],
    [4, i + 1],
    [4, 1],
    [4, 2],
    [1, 0],
    [1, 1],
    [2, 1024 + i],
    [2, 443],
    [1, 6],
    [1, 0x1b],
    [1, 4],
    [1, 0],
  ]);
const records = Array.from({ length: 30 }, (_, i) => record(i));

function v5Packets(): Uint8Array[] {
  return Array.from(
    { length: PACKETS },
    (_, i) =>
      buildV5Packet({ sysUptime: 5000, unixSecs: 1_700_000_000, sequence: i * 30 }, v5Flows),
  );
}

function v9Packets(): Uint8Array[] {
  const template = buildTemplateSet(0, [{ id: 1024, fields: FIELDS }]);
  return Array.from({ length: PACKETS }, (_, i) =>
    buildV9Packet(
      { sysUptime: 5000, unixSecs: 1_700_000_000, sequence: i + 1, sourceId: 0 },
      i === 0 ? [template, buildDataSet(1024, records)] : [buildDataSet(1024, records)],
    ));
}

function ipfixPackets(): Uint8Array[] {
  const template = buildTemplateSet(2, [{ id: 1024, fields: FIELDS }]);
  return Array.from({ length: PACKETS }, (_, i) =>
    buildIpfixMessage(
      { exportTime: 1_700_000_000, sequence: i * 30, domainId: 0 },
      i === 0 ? [template, buildDataSet(1024, records)] : [buildDataSet(1024, records)],
    ));
}

function bench(name: string, packets: Uint8Array[]): void {
  const decoder = createFlowDecoder({ now: () => 0 });
  Deno.bench(`${name}: ${PACKETS} packets x 30 records`, () => {
    for (const p of packets) decoder.decode(p, "198.51.100.1");
  });
}

bench("v5", v5Packets());
bench("v9", v9Packets());
bench("ipfix", ipfixPackets());
