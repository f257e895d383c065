// Read side of NetFlow for the /netflow page and API: top talkers, conversations and ports, the
// subnet-to-subnet matrix (IPAM subnets as nodes, the rest "External"), bytes over time, and
// paged raw flows. Subnets and hostnames are matched at query time, so IPAM edits apply at once.
import { keysetPage, type Queryable, type SqlParam } from "@/services/store/mod.ts";
import { AppError } from "@/services/errors.ts";
import { MINUTE_MS } from "./rollup.ts";
import type { TrafficWindow } from "./traffic_window.ts";

export interface Volume {
  bytes: number;
  packets: number;
  flows: number;
}

export interface HostTalker extends Volume {
  addr: string;
  hostname: string | null;
  subnet_id: number | null;
  subnet: string | null;
  subnet_name: string | null;
  /** Only for by=host: the two directions of `bytes`. */
  bytes_sent?: number;
  bytes_received?: number;
}

export interface PairTalker extends Volume {
  src_addr: string;
  dst_addr: string;
  src_hostname: string | null;
  dst_hostname: string | null;
}

export interface PortTalker extends Volume {
  protocol: number;
  protocol_name: string;
  port: number;
}

const PROTOCOLS: Record<number, string> = {
  1: "icmp",
  2: "igmp",
  6: "tcp",
  17: "udp",
  41: "ipv6",
  47: "gre",
  50: "esp",
  51: "ah",
  58: "icmpv6",
  89: "ospf",
  103: "pim",
  112: "vrrp",
  132: "sctp",
};
const BY_NAME = Object.fromEntries(Object.entries(PROTOCOLS).map(([n, name]) => [name, +n]));

export function protocolName(n: number): string {
  return PROTOCOLS[n] ?? String(n);
}

/** "tcp", "UDP", "6" → protocol number; AppError 422 otherwise. */
export function parseProtocol(text: string): number {
  const t = text.trim().toLowerCase();
  if (/^\d{1,3}$/.test(t) && Number(t) <= 255) return Number(t);
  if (t in BY_NAME) return BY_NAME[t];
  throw new AppError(
    422,
    "invalid_protocol",
    `protocol "${text.slice(0, 20)}" is unknown: expected 0..255 or a name like tcp, udp, icmp`,
  );
}

/** Roll-up rows of the window: minutes that start inside it (the current minute included). */
function rollupRange(w: TrafficWindow): [Date, Date] {
  return [new Date(Math.floor(w.fromMs / MINUTE_MS) * MINUTE_MS), new Date(w.toMs)];
}

const SUBNET_OF = (addr: string) => `left join subnet s on s.id = subnet_of(${addr})`;
const HOSTNAME = `coalesce(h.hostname_override, h.hostname)`;

/** Hosts ranked by bytes sent (src), received (dst) or both (host). */
export async function topHosts(
  db: Queryable,
  w: TrafficWindow,
  by: "src" | "dst" | "host",
  limit: number,
): Promise<HostTalker[]> {
  const [from, to] = rollupRange(w);
  const inWindow = `minute >= $1 and minute < $2`;
  const grouped = by === "host"
    ? `select addr, sum(sent)::bigint as bytes_sent, sum(recv)::bigint as bytes_received,
         sum(sent + recv)::bigint as bytes, sum(packets)::bigint as packets,
         sum(flows)::bigint as flows
       from (
         select src_addr as addr, bytes as sent, 0::bigint as recv, packets, flows
           from netflow_pair_minute where ${inWindow}
         union all
         select dst_addr, 0::bigint, bytes, packets, flows
           from netflow_pair_minute where ${inWindow}
       ) u group by addr`
    : `select ${by}_addr as addr, sum(bytes)::bigint as bytes, sum(packets)::bigint as packets,
         sum(flows)::bigint as flows
       from netflow_pair_minute where ${inWindow} group by 1`;
  const rows = await db.query<HostTalker & { addr: string }>(
    `with t as (${grouped} order by bytes desc, addr limit $3)
     select host(t.addr) as addr, t.bytes, t.packets, t.flows,
       ${by === "host" ? "t.bytes_sent, t.bytes_received," : ""}
       ${HOSTNAME} as hostname, s.id as subnet_id, s.cidr::text as subnet, s.name as subnet_name
     from t left join host h on h.ip = t.addr
     ${SUBNET_OF("t.addr")}
     order by t.bytes desc, t.addr`,
    [from, to, limit],
  );
  return rows;
}

/** Conversations (source → destination) ranked by bytes. */
export async function topPairs(
  db: Queryable,
  w: TrafficWindow,
  limit: number,
): Promise<PairTalker[]> {
  const [from, to] = rollupRange(w);
  return await db.query<PairTalker>(
    `with t as (
       select src_addr, dst_addr, sum(bytes)::bigint as bytes, sum(packets)::bigint as packets,
         sum(flows)::bigint as flows
       from netflow_pair_minute where minute >= $1 and minute < $2
       group by 1, 2 order by bytes desc, src_addr, dst_addr limit $3)
     select host(t.src_addr) as src_addr, host(t.dst_addr) as dst_addr, t.bytes, t.packets,
       t.flows, coalesce(hs.hostname_override, hs.hostname) as src_hostname,
       coalesce(hd.hostname_override, hd.hostname) as dst_hostname
     from t left join host hs on hs.ip = t.src_addr left join host hd on hd.ip = t.dst_addr
     order by t.bytes desc, t.src_addr, t.dst_addr`,
    [from, to, limit],
  );
}

/** Protocols and service ports ranked by bytes. */
export async function topPorts(
  db: Queryable,
  w: TrafficWindow,
  limit: number,
): Promise<PortTalker[]> {
  const [from, to] = rollupRange(w);
  const rows = await db.query<Omit<PortTalker, "protocol_name">>(
    `select protocol, port, sum(bytes)::bigint as bytes, sum(packets)::bigint as packets,
       sum(flows)::bigint as flows
     from netflow_port_minute where minute >= $1 and minute < $2
     group by 1, 2 order by bytes desc, protocol, port limit $3`,
    [from, to, limit],
  );
  return rows.map((r) => ({ ...r, protocol_name: protocolName(r.protocol) }));
}

export interface MatrixNode {
  /** "subnet:<id>", "other" (subnets beyond the node limit) or "external". */
  id: string;
  kind: "subnet" | "other" | "external";
  subnet_id: number | null;
  cidr: string | null;
  /** The subnet's name, when it has one. */
  name: string | null;
  label: string;
  bytes_out: number;
  bytes_in: number;
}

export interface MatrixEdge extends Volume {
  src: string;
  dst: string;
}

export interface TrafficMatrix {
  nodes: MatrixNode[];
  edges: MatrixEdge[];
}

/**
 * Traffic between subnets: each address belongs to its most specific IPAM subnet, or to
 * "External". Only the `maxSubnets` busiest subnets are nodes; the rest share "other".
 */
export async function trafficMatrix(
  db: Queryable,
  w: TrafficWindow,
  opts: { maxSubnets?: number } = {},
): Promise<TrafficMatrix> {
  const maxSubnets = opts.maxSubnets ?? 14;
  const [from, to] = rollupRange(w);
  const rows = await db.query<
    Volume & { src_subnet: number | null; dst_subnet: number | null }
  >(
    `with p as (
       select src_addr, dst_addr, sum(bytes)::bigint as bytes, sum(packets)::bigint as packets,
         sum(flows)::bigint as flows
       from netflow_pair_minute where minute >= $1 and minute < $2 group by 1, 2
     ), a as (
       select x.addr, subnet_of(x.addr) as subnet_id
       from (select src_addr as addr from p union select dst_addr from p) x
     )
     select sa.subnet_id as src_subnet, da.subnet_id as dst_subnet, sum(p.bytes)::bigint as bytes,
       sum(p.packets)::bigint as packets, sum(p.flows)::bigint as flows
     from p join a sa on sa.addr = p.src_addr join a da on da.addr = p.dst_addr
     group by 1, 2`,
    [from, to],
  );
  const ids = [...new Set(rows.flatMap((r) => [r.src_subnet, r.dst_subnet]))].filter(
    (id): id is number => id !== null,
  );
  const subnets = ids.length === 0 ? [] : await db.query<
    { id: number; cidr: string; name: string | null }
  >(`select id, cidr::text as cidr, name from subnet where id = any($1::bigint[])`, [ids]);
  const traffic = new Map<number, number>();
  for (const r of rows) {
    if (r.src_subnet !== null) {
      traffic.set(r.src_subnet, (traffic.get(r.src_subnet) ?? 0) + r.bytes);
    }
    if (r.dst_subnet !== null && r.dst_subnet !== r.src_subnet) {
      traffic.set(r.dst_subnet, (traffic.get(r.dst_subnet) ?? 0) + r.bytes);
    }
  }
  const ranked = subnets.sort((a, b) =>
    (traffic.get(b.id) ?? 0) - (traffic.get(a.id) ?? 0) || a.cidr.localeCompare(b.cidr)
  );
  const shown = new Set(ranked.slice(0, maxSubnets).map((s) => s.id));
  const nodeOf = (id: number | null) =>
    id === null ? "external" : shown.has(id) ? `subnet:${id}` : "other";

  const nodes = new Map<string, MatrixNode>();
  for (const s of ranked.filter((s) => shown.has(s.id))) {
    nodes.set(`subnet:${s.id}`, {
      id: `subnet:${s.id}`,
      kind: "subnet",
      subnet_id: s.id,
      cidr: s.cidr,
      name: s.name,
      label: s.name ? `${s.name} (${s.cidr})` : s.cidr,
      bytes_out: 0,
      bytes_in: 0,
    });
  }
  const edges = new Map<string, MatrixEdge>();
  for (const r of rows) {
    const src = nodeOf(r.src_subnet);
    const dst = nodeOf(r.dst_subnet);
    for (const id of [src, dst]) {
      if (!nodes.has(id)) {
        nodes.set(id, {
          id,
          kind: id === "external" ? "external" : "other",
          subnet_id: null,
          cidr: null,
          name: null,
          label: id === "external" ? "External" : "Other subnets",
          bytes_out: 0,
          bytes_in: 0,
        });
      }
    }
    nodes.get(src)!.bytes_out += r.bytes;
    nodes.get(dst)!.bytes_in += r.bytes;
    const key = `${src}>${dst}`;
    const e = edges.get(key);
    if (e) {
      e.bytes += r.bytes;
      e.packets += r.packets;
      e.flows += r.flows;
    } else edges.set(key, { src, dst, bytes: r.bytes, packets: r.packets, flows: r.flows });
  }
  return {
    nodes: [...nodes.values()],
    edges: [...edges.values()].sort((a, b) => b.bytes - a.bytes),
  };
}

export interface SeriesPoint {
  /** Bucket start, Unix ms. */
  t: number;
  /** Both ends inside IPAM subnets. */
  internal: number;
  /** Internal source, external destination. */
  outbound: number;
  /** External source, internal destination. */
  inbound: number;
  /** Neither end in a known subnet. */
  external: number;
}

/** Bytes per bucket of the window, split by internal/External direction; empty buckets kept. */
export async function trafficSeries(db: Queryable, w: TrafficWindow): Promise<SeriesPoint[]> {
  const [from, to] = rollupRange(w);
  const rows = await db.query<SeriesRow>(
    `with p as (
       select minute, src_addr, dst_addr, bytes from netflow_pair_minute
       where minute >= $1 and minute < $2
     ), a as (
       select x.addr, exists(select 1 from subnet s where s.cidr >>= x.addr) as internal
       from (select src_addr as addr from p union select dst_addr from p) x
     )
     select (floor(extract(epoch from p.minute) * 1000 / $3::bigint) * $3::bigint)::bigint
         as bucket,
       sa.internal as si, da.internal as di, sum(p.bytes)::bigint as bytes
     from p join a sa on sa.addr = p.src_addr join a da on da.addr = p.dst_addr
     group by 1, 2, 3 order by 1`,
    [from, to, w.bucketMs],
  );
  return seriesPoints(rows, from, w);
}

/** A series row: bytes of one bucket whose source (si) and destination (di) are inside IPAM. */
export interface SeriesRow {
  bucket: number;
  si: boolean;
  di: boolean;
  bytes: number;
}

/**
 * Every bucket of the window from `from` on, empty ones kept, with the rows' bytes added by
 * direction (both ends inside: internal; only the source: outbound; only the destination:
 * inbound; neither: external). The network's series and one host's share it.
 */
export function seriesPoints(
  rows: readonly SeriesRow[],
  from: Date,
  w: TrafficWindow,
): SeriesPoint[] {
  const first = Math.floor(from.getTime() / w.bucketMs) * w.bucketMs;
  const points: SeriesPoint[] = [];
  for (let t = first; t < w.toMs; t += w.bucketMs) {
    points.push({ t, internal: 0, outbound: 0, inbound: 0, external: 0 });
  }
  for (const r of rows) {
    const p = points[Math.round((Number(r.bucket) - first) / w.bucketMs)];
    if (!p) continue;
    const k = r.si && r.di ? "internal" : r.si ? "outbound" : r.di ? "inbound" : "external";
    p[k] += Number(r.bytes);
  }
  return points;
}

export interface FlowFilter {
  window: TrafficWindow;
  /** Either end is this address. */
  ip?: string;
  /** Either end is inside this prefix (canonical cidr). */
  within?: string;
  /** Either port. */
  port?: number;
  protocol?: number;
  exporter?: string;
  cursor?: string;
  limit: number;
}

export interface FlowRow {
  id: number;
  exporter: string;
  version: number;
  source_id: number;
  src_addr: string | null;
  dst_addr: string | null;
  src_port: number;
  dst_port: number;
  protocol: number;
  bytes: number;
  packets: number;
  start_at: Date;
  end_at: Date;
  input_if: number;
  output_if: number;
  tcp_flags: number;
  sampling_interval: number;
}

function parseCursor(cursor: string): [Date, number] {
  const m = /^(\d{1,16})\.(\d{1,19})$/.exec(cursor);
  if (!m) {
    throw new AppError(
      422,
      "invalid_cursor",
      "cursor is not one this API returned: pass next_cursor from the previous page",
    );
  }
  return [new Date(Number(m[1])), Number(m[2])];
}

/** Raw flows, newest end first, keyset-paged. */
export async function listFlows(
  db: Queryable,
  f: FlowFilter,
): Promise<{ items: FlowRow[]; next_cursor: string | null }> {
  const params: SqlParam[] = [new Date(f.window.fromMs), new Date(f.window.toMs)];
  const where = ["end_at >= $1", "end_at < $2"];
  const add = (value: SqlParam) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (f.ip !== undefined) {
    const p = add(f.ip);
    where.push(`(src_addr = ${p}::inet or dst_addr = ${p}::inet)`);
  }
  if (f.within !== undefined) {
    const p = add(f.within);
    where.push(`(src_addr <<= ${p}::cidr or dst_addr <<= ${p}::cidr)`);
  }
  if (f.port !== undefined) {
    const p = add(f.port);
    where.push(`(src_port = ${p} or dst_port = ${p})`);
  }
  if (f.protocol !== undefined) where.push(`protocol = ${add(f.protocol)}`);
  if (f.exporter !== undefined) where.push(`exporter = ${add(f.exporter)}::inet`);
  if (f.cursor) {
    const [end, id] = parseCursor(f.cursor);
    where.push(`(end_at, id) < (${add(end)}::timestamptz, ${add(id)}::bigint)`);
  }
  const rows = await db.query<FlowRow>(
    `select id, host(exporter) as exporter, version, source_id, host(src_addr) as src_addr,
       host(dst_addr) as dst_addr, src_port, dst_port, protocol, bytes, packets, start_at, end_at,
       input_if, output_if, tcp_flags, sampling_interval
     from netflow_flow where ${where.join(" and ")}
     order by end_at desc, id desc limit ${add(f.limit + 1)}`,
    params,
  );
  return keysetPage(rows, f.limit, (last) => `${last.end_at.getTime()}.${last.id}`);
}
