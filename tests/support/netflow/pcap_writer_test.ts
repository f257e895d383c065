// pcap writer: exact totals, valid checksums and lengths, clear errors for bad flows.
import assert from "node:assert/strict";
import { AppError } from "@/services/errors.ts";
import { buildPcap, type SyntheticFlow } from "./pcap_writer.ts";

const START_MS = 1_700_000_000_123;

/** One's complement sum folded to 16 bits; a region with a valid checksum sums to 0xffff. */
function onesSum(bytes: Uint8Array, start: number, len: number, initial = 0): number {
  let sum = initial;
  for (let k = 0; k < len; k += 2) sum += (bytes[start + k] << 8) | (bytes[start + k + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

interface Frame {
  tsMicros: number;
  ip: Uint8Array;
}

function readFrames(pcap: Uint8Array): Frame[] {
  const v = new DataView(pcap.buffer, pcap.byteOffset, pcap.byteLength);
  assert.equal(v.getUint32(0, true), 0xa1b2c3d4);
  assert.equal(v.getUint32(20, true), 1, "LINKTYPE_ETHERNET");
  const frames: Frame[] = [];
  for (let off = 24; off < pcap.length;) {
    const caplen = v.getUint32(off + 8, true);
    assert.equal(v.getUint32(off + 12, true), caplen, "whole frames captured");
    const tsMicros = v.getUint32(off, true) * 1e6 + v.getUint32(off + 4, true);
    frames.push({ tsMicros, ip: pcap.subarray(off + 16 + 14, off + 16 + caplen) });
    off += 16 + caplen;
  }
  return frames;
}

const FLOWS: SyntheticFlow[] = [
  {
    src: "203.0.113.1",
    dst: "198.51.100.2",
    srcPort: 40000,
    dstPort: 80,
    protocol: 6,
    packets: 3,
    payloadSizes: [0, 1460, 33],
  },
  { src: "203.0.113.3", dst: "198.51.100.4", srcPort: 53, dstPort: 53, protocol: 17, packets: 2 },
  {
    src: "2001:db8::1",
    dst: "2001:db8::2",
    srcPort: 443,
    dstPort: 50000,
    protocol: 17,
    packets: 4,
    payloadSizes: [1, 100],
  },
  { src: "2001:db8::3", dst: "2001:db8::4", srcPort: 1, dstPort: 2, protocol: 6, packets: 0 },
];

Deno.test("buildPcap reports exact totals and writes frames with those IP lengths", () => {
  const { bytes, totals } = buildPcap(FLOWS, { startMs: START_MS });
  const tcp4 = (20 + 20 + 0) + (20 + 20 + 1460) + (20 + 20 + 33);
  const udp4 = (20 + 8) * 2;
  const udp6 = (40 + 8 + 1) * 2 + (40 + 8 + 100) * 2;
  const expectedIp = tcp4 + udp4 + udp6;
  assert.deepEqual(totals, { flows: 3, packets: 9, ipBytes: expectedIp });
  const frames = readFrames(bytes);
  assert.equal(frames.length, 9);
  assert.equal(frames.reduce((n, f) => n + f.ip.length, 0), expectedIp);
  assert.equal(frames[0].tsMicros, START_MS * 1000);
  assert.equal(frames[8].tsMicros, START_MS * 1000 + 8 * 1000);
});

Deno.test("buildPcap writes valid IPv4 header and TCP/UDP checksums, IPv6 lengths", () => {
  const { bytes } = buildPcap(FLOWS, { startMs: START_MS });
  for (const { ip } of readFrames(bytes)) {
    const v = new DataView(ip.buffer, ip.byteOffset, ip.byteLength);
    const version = ip[0] >> 4;
    let l4Start: number;
    let pseudo: number;
    let proto: number;
    if (version === 4) {
      assert.equal(v.getUint16(2), ip.length, "IPv4 total length");
      assert.equal(onesSum(ip, 0, 20), 0xffff, "IPv4 header checksum");
      l4Start = 20;
      proto = ip[9];
      pseudo = onesSum(ip, 12, 8) + proto + (ip.length - 20);
    } else {
      assert.equal(version, 6);
      assert.equal(v.getUint16(4), ip.length - 40, "IPv6 payload length");
      l4Start = 40;
      proto = ip[6];
      pseudo = onesSum(ip, 8, 32) + proto + (ip.length - 40);
    }
    const l4Len = ip.length - l4Start;
    if (proto === 17) assert.equal(v.getUint16(l4Start + 4), l4Len, "UDP length");
    assert.equal(onesSum(ip, l4Start, l4Len, pseudo), 0xffff, `proto ${proto} checksum`);
  }
});

Deno.test("buildPcap rejects invalid flows with a message saying what was expected", () => {
  const base = FLOWS[0];
  const cases: Array<[Partial<SyntheticFlow>, RegExp]> = [
    [{ src: "203.0.113.300" }, /not a valid IPv4 or IPv6 address/],
    [{ dst: "2001:db8::1" }, /mixes IPv4 and IPv6/],
    [{ srcPort: 70000 }, /expected 0\.\.65535/],
    [{ protocol: 1 as 6 }, /expected 6 \(TCP\) or 17 \(UDP\)/],
    [{ packets: -1 }, /expected an integer >= 0/],
    [{ payloadSizes: [70000] }, /expected an integer 0\.\.65495/],
  ];
  for (const [override, message] of cases) {
    assert.throws(
      () => buildPcap([{ ...base, ...override }], { startMs: START_MS }),
      (e) => e instanceof AppError && e.status === 422 && message.test(e.message),
    );
  }
  assert.throws(
    () => buildPcap([base, { ...base }], { startMs: START_MS }),
    (e) => e instanceof AppError && e.code === "duplicate_flow",
  );
});
