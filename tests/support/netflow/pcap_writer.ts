// Builds classic pcap files of synthetic TCP/UDP flows (for exporter tests and benchmarks),
// and reports the exact totals an honest flow exporter must account for.
import { ipToBytes, parseIpLenient } from "@/services/ipam/mod.ts";
import { AppError } from "@/services/errors.ts";

/** One unidirectional flow: `packets` frames from src:srcPort to dst:dstPort. */
export interface SyntheticFlow {
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  /** 6 (TCP) or 17 (UDP). */
  protocol: 6 | 17;
  packets: number;
  /** Transport payload size of each packet, cycled when shorter than `packets`; default [0]. */
  payloadSizes?: number[];
}

export interface PcapTotals {
  /** Distinct directional 5-tuples with at least one packet. */
  flows: number;
  packets: number;
  /** Sum of IP total lengths (IP header + transport header + payload), no link layer. */
  ipBytes: number;
}

export interface PcapBuildOptions {
  /** Timestamp of the first frame (ms since epoch). */
  startMs: number;
  /** Spacing between consecutive frames, microseconds; default 1000. */
  frameGapMicros?: number;
}

export interface PcapBuildResult {
  bytes: Uint8Array;
  totals: PcapTotals;
}

const ETHERNET_HEADER = 14;
const IPV4_HEADER = 20;
const IPV6_HEADER = 40;
const TCP_HEADER = 20;
const UDP_HEADER = 8;
const MAX_IP_PAYLOAD_V4 = 65535 - IPV4_HEADER;
const MAX_IP_PAYLOAD_V6 = 65535;
const TCP_SYN = 0x02;
const TCP_PSH_ACK = 0x18;

interface ParsedFlow {
  flow: SyntheticFlow;
  src: number[];
  dst: number[];
  v6: boolean;
  sizes: number[];
}

/**
 * Builds a pcap (LINKTYPE_ETHERNET, microsecond timestamps) whose frames interleave the flows
 * round-robin, so every flow is active at once and spans the whole capture.
 */
export function buildPcap(flows: SyntheticFlow[], options: PcapBuildOptions): PcapBuildResult {
  const parsed = flows.map(parseFlow);
  const gap = options.frameGapMicros ?? 1000;
  if (!Number.isInteger(gap) || gap < 0) {
    throw new AppError(
      422,
      "invalid_pcap_option",
      `frameGapMicros ${gap} is invalid: expected a non-negative integer`,
    );
  }
  const keys = new Set<string>();
  let packets = 0;
  let ipBytes = 0;
  let frameBytes = 0;
  for (const p of parsed) {
    if (p.flow.packets === 0) continue;
    const key = `${p.flow.protocol}|${p.src}|${p.flow.srcPort}|${p.dst}|${p.flow.dstPort}`;
    if (keys.has(key)) {
      throw new AppError(
        422,
        "duplicate_flow",
        `flow ${p.flow.src}:${p.flow.srcPort} -> ${p.flow.dst}:${p.flow.dstPort} proto ${p.flow.protocol} ` +
          "is listed twice: expected each directional 5-tuple once",
      );
    }
    keys.add(key);
    for (let i = 0; i < p.flow.packets; i++) {
      const len = ipLength(p, i);
      packets++;
      ipBytes += len;
      frameBytes += 16 + ETHERNET_HEADER + len;
    }
  }
  const out = new Uint8Array(24 + frameBytes);
  const view = new DataView(out.buffer);
  writeGlobalHeader(view);
  let off = 24;
  let frame = 0;
  const startMicros = Math.round(options.startMs * 1000);
  const maxPackets = parsed.reduce((m, p) => Math.max(m, p.flow.packets), 0);
  for (let i = 0; i < maxPackets; i++) {
    for (const p of parsed) {
      if (i >= p.flow.packets) continue;
      const micros = startMicros + frame * gap;
      off = writeFrame(out, view, off, p, i, micros);
      frame++;
    }
  }
  return { bytes: out, totals: { flows: keys.size, packets, ipBytes } };
}

/** Writes `buildPcap`'s bytes to `path` and returns the totals. */
export async function writePcapFile(
  path: string,
  flows: SyntheticFlow[],
  options: PcapBuildOptions,
): Promise<PcapTotals> {
  const { bytes, totals } = buildPcap(flows, options);
  await Deno.writeFile(path, bytes);
  return totals;
}

function parseFlow(flow: SyntheticFlow): ParsedFlow {
  const src = parseAddress(flow.src);
  const dst = parseAddress(flow.dst);
  if (src.length !== dst.length) {
    throw new AppError(
      422,
      "invalid_flow",
      `flow ${flow.src} -> ${flow.dst} mixes IPv4 and IPv6: expected one family`,
    );
  }
  for (const [name, port] of [["srcPort", flow.srcPort], ["dstPort", flow.dstPort]] as const) {
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new AppError(422, "invalid_flow", `${name} ${port} is invalid: expected 0..65535`);
    }
  }
  if (flow.protocol !== 6 && flow.protocol !== 17) {
    throw new AppError(
      422,
      "invalid_flow",
      `protocol ${flow.protocol} is unsupported: expected 6 (TCP) or 17 (UDP)`,
    );
  }
  if (!Number.isInteger(flow.packets) || flow.packets < 0) {
    throw new AppError(
      422,
      "invalid_flow",
      `packets ${flow.packets} is invalid: expected an integer >= 0`,
    );
  }
  const sizes = flow.payloadSizes && flow.payloadSizes.length > 0 ? flow.payloadSizes : [0];
  const v6 = src.length === 16;
  const limit = (v6 ? MAX_IP_PAYLOAD_V6 : MAX_IP_PAYLOAD_V4) -
    (flow.protocol === 6 ? TCP_HEADER : UDP_HEADER);
  for (const size of sizes) {
    if (!Number.isInteger(size) || size < 0 || size > limit) {
      throw new AppError(
        422,
        "invalid_flow",
        `payload size ${size} is invalid: expected an integer 0..${limit}`,
      );
    }
  }
  return { flow, src, dst, v6, sizes };
}

function parseAddress(text: string): number[] {
  const addr = parseIpLenient(text, { anyIpv4Form: true });
  if (!addr) {
    throw new AppError(
      422,
      "invalid_flow",
      `address "${text}" is not a valid IPv4 or IPv6 address`,
    );
  }
  return ipToBytes(addr);
}

function transportHeader(p: ParsedFlow): number {
  return p.flow.protocol === 6 ? TCP_HEADER : UDP_HEADER;
}

function ipLength(p: ParsedFlow, i: number): number {
  const payload = p.sizes[i % p.sizes.length];
  return (p.v6 ? IPV6_HEADER : IPV4_HEADER) + transportHeader(p) + payload;
}

function writeGlobalHeader(view: DataView): void {
  // Written little-endian with the standard magic, as tcpdump does on x86.
  view.setUint32(0, 0xa1b2c3d4, true);
  view.setUint16(4, 2, true);
  view.setUint16(6, 4, true);
  view.setInt32(8, 0, true);
  view.setUint32(12, 0, true);
  view.setUint32(16, 65535, true);
  view.setUint32(20, 1, true); // LINKTYPE_ETHERNET
}

function writeFrame(
  out: Uint8Array,
  view: DataView,
  off: number,
  p: ParsedFlow,
  i: number,
  micros: number,
): number {
  const ipLen = ipLength(p, i);
  const frameLen = ETHERNET_HEADER + ipLen;
  view.setUint32(off, Math.floor(micros / 1e6), true);
  view.setUint32(off + 4, micros % 1e6, true);
  view.setUint32(off + 8, frameLen, true);
  view.setUint32(off + 12, frameLen, true);
  off += 16;
  // Locally administered MACs; the exporter ignores them.
  out.set([0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01], off);
  view.setUint16(off + 12, p.v6 ? 0x86dd : 0x0800);
  off += ETHERNET_HEADER;
  const ipStart = off;
  const l4Len = ipLen - (p.v6 ? IPV6_HEADER : IPV4_HEADER);
  if (p.v6) {
    view.setUint32(off, 0x60000000);
    view.setUint16(off + 4, l4Len);
    out[off + 6] = p.flow.protocol;
    out[off + 7] = 64;
    out.set(p.src, off + 8);
    out.set(p.dst, off + 24);
    off += IPV6_HEADER;
  } else {
    out[off] = 0x45;
    out[off + 1] = 0;
    view.setUint16(off + 2, ipLen);
    view.setUint16(off + 4, i & 0xffff);
    view.setUint16(off + 6, 0x4000); // DF, no fragments
    out[off + 8] = 64;
    out[off + 9] = p.flow.protocol;
    out.set(p.src, off + 12);
    out.set(p.dst, off + 16);
    view.setUint16(off + 10, checksum(out, off, IPV4_HEADER, 0));
    off += IPV4_HEADER;
  }
  const l4Start = off;
  view.setUint16(off, p.flow.srcPort);
  view.setUint16(off + 2, p.flow.dstPort);
  if (p.flow.protocol === 6) {
    view.setUint32(off + 4, 1000 + i * 1460);
    view.setUint32(off + 8, i === 0 ? 0 : 1);
    out[off + 12] = 5 << 4;
    out[off + 13] = i === 0 ? TCP_SYN : TCP_PSH_ACK;
    view.setUint16(off + 14, 65535);
    off += TCP_HEADER;
  } else {
    view.setUint16(off + 4, l4Len);
    off += UDP_HEADER;
  }
  const payloadLen = l4Len - transportHeader(p);
  for (let k = 0; k < payloadLen; k++) out[off + k] = (k * 7 + i) & 0xff;
  off += payloadLen;
  const pseudo = pseudoHeaderSum(out, ipStart, p, l4Len);
  let sum = checksum(out, l4Start, l4Len, pseudo);
  if (p.flow.protocol === 17 && sum === 0) sum = 0xffff; // 0 means "no checksum" for UDP
  view.setUint16(l4Start + (p.flow.protocol === 6 ? 16 : 6), sum);
  return off;
}

function pseudoHeaderSum(out: Uint8Array, ipStart: number, p: ParsedFlow, l4Len: number): number {
  let sum = 0;
  const addrStart = ipStart + (p.v6 ? 8 : 12);
  const addrBytes = p.v6 ? 32 : 8;
  for (let k = 0; k < addrBytes; k += 2) sum += (out[addrStart + k] << 8) | out[addrStart + k + 1];
  sum += p.flow.protocol;
  sum += p.v6 ? (l4Len >>> 16) + (l4Len & 0xffff) : l4Len;
  return sum;
}

/** RFC 1071 one's complement checksum over `len` bytes plus an initial partial sum. */
function checksum(buf: Uint8Array, start: number, len: number, initial: number): number {
  let sum = initial;
  let k = 0;
  for (; k + 1 < len; k += 2) sum += (buf[start + k] << 8) | buf[start + k + 1];
  if (k < len) sum += buf[start + k] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
