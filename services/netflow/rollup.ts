// Per-minute roll-ups of stored flows for the traffic page: bytes, packets and flows per
// (minute, source, destination) and per (minute, protocol, service port), computed in memory
// from each insert batch and added to the SQL roll-up tables in the same transaction.
import type { FlowChunk } from "./flow_chunk.ts";

export const MINUTE_MS = 60_000;
/** Stands in for an address the exporter's template did not carry (roll-up keys are not null). */
export const MISSING_ADDRESS = "0.0.0.0";

export interface PairRollup {
  /** Minutes since the epoch of the flow's end. */
  minute: number;
  src: string;
  dst: string;
  bytes: number;
  packets: number;
  flows: number;
}

export interface PortRollup {
  minute: number;
  protocol: number;
  port: number;
  bytes: number;
  packets: number;
  flows: number;
}

export interface Rollups {
  pairs: PairRollup[];
  ports: PortRollup[];
}

const TCP = 6;
const UDP = 17;
const SCTP = 132;
const DCCP = 33;
const UDPLITE = 136;

/**
 * The port that names the service of a flow: clients talk from ephemeral (high) ports, so the
 * lower of the two, ignoring 0; 0 for protocols without ports (ICMP types stay out of it).
 */
export function servicePort(protocol: number, srcPort: number, dstPort: number): number {
  if (
    protocol !== TCP && protocol !== UDP && protocol !== SCTP && protocol !== DCCP &&
    protocol !== UDPLITE
  ) return 0;
  if (srcPort === 0) return dstPort;
  if (dstPort === 0) return srcPort;
  return srcPort < dstPort ? srcPort : dstPort;
}

/**
 * Sums the chunks by minute of flow end. Bytes and packets are scaled by each record's
 * sampling interval (estimated traffic); `flows` counts records. Rows come sorted so that
 * concurrent collectors upsert shared rows in one order (no deadlocks).
 */
export function rollUp(chunks: readonly FlowChunk[]): Rollups {
  const pairs = new Map<string, PairRollup>();
  const ports = new Map<string, PortRollup>();
  for (const c of chunks) {
    for (let i = 0; i < c.count; i++) {
      const minute = Math.floor(c.endMs[i] / MINUTE_MS);
      const s = c.sampling[i];
      const bytes = s === 1 ? c.bytes[i] : Math.round(c.bytes[i] * s);
      const packets = s === 1 ? c.packets[i] : Math.round(c.packets[i] * s);
      const src = c.srcAddr[i] || MISSING_ADDRESS;
      const dst = c.dstAddr[i] || MISSING_ADDRESS;
      const pk = minute + "|" + src + "|" + dst;
      const pair = pairs.get(pk);
      if (pair === undefined) pairs.set(pk, { minute, src, dst, bytes, packets, flows: 1 });
      else {
        pair.bytes += bytes;
        pair.packets += packets;
        pair.flows++;
      }
      const protocol = c.protocol[i];
      const port = servicePort(protocol, c.srcPort[i], c.dstPort[i]);
      const tk = minute + "|" + protocol + "|" + port;
      const row = ports.get(tk);
      if (row === undefined) ports.set(tk, { minute, protocol, port, bytes, packets, flows: 1 });
      else {
        row.bytes += bytes;
        row.packets += packets;
        row.flows++;
      }
    }
  }
  const byPair = (a: PairRollup, b: PairRollup) =>
    a.minute - b.minute || (a.src < b.src ? -1 : a.src > b.src ? 1 : 0) ||
    (a.dst < b.dst ? -1 : a.dst > b.dst ? 1 : 0);
  const byPort = (a: PortRollup, b: PortRollup) =>
    a.minute - b.minute || a.protocol - b.protocol || a.port - b.port;
  return { pairs: [...pairs.values()].sort(byPair), ports: [...ports.values()].sort(byPort) };
}
