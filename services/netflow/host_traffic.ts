// One host's traffic for its page, drawer and API: the peers it talks to, the ports it uses,
// bytes over time split by direction, and how much stays inside IPAM subnets. Peers and the
// series come from the per-minute pair roll-up; ports from raw flows (the port roll-up has no
// address), both for the same window.
import type { Queryable } from "@/services/store/mod.ts";
import { MINUTE_MS } from "./rollup.ts";
import { protocolName, type SeriesPoint, seriesPoints, type SeriesRow } from "./traffic_query.ts";
import type { TrafficWindow } from "./traffic_window.ts";

export interface HostPeer {
  addr: string;
  hostname: string | null;
  /** The peer lies inside an IPAM subnet. */
  internal: boolean;
  bytes_sent: number;
  bytes_received: number;
  bytes: number;
  flows: number;
}

export interface HostPort {
  protocol: number;
  protocol_name: string;
  port: number;
  bytes: number;
  flows: number;
}

export interface HostTraffic {
  ip: string;
  from: string;
  to: string;
  bucket_ms: number;
  totals: { bytes_sent: number; bytes_received: number; flows: number };
  /** Bytes exchanged with peers inside IPAM subnets versus everything else. */
  split: { internal: number; external: number };
  peers: HostPeer[];
  ports: HostPort[];
  /** Oldest first, the host's bytes split like the /netflow chart; empty buckets kept. */
  series: SeriesPoint[];
}

/** `ip` is a canonical address (the host's own). `limit` caps peers and ports each. */
export async function hostTraffic(
  db: Queryable,
  ip: string,
  w: TrafficWindow,
  limit = 10,
): Promise<HostTraffic> {
  const from = new Date(Math.floor(w.fromMs / MINUTE_MS) * MINUTE_MS);
  const to = new Date(w.toMs);
  const [peerRows, portRows, seriesRows] = await Promise.all([
    db.query<{
      addr: string;
      hostname: string | null;
      internal: boolean;
      sent: number;
      recv: number;
      flows: number;
    }>(
      `with p as (
         select case when src_addr = $3::inet then dst_addr else src_addr end as peer,
           case when src_addr = $3::inet then bytes else 0 end as sent,
           case when src_addr = $3::inet then 0 else bytes end as recv, flows
         from netflow_pair_minute
         where minute >= $1 and minute < $2 and (src_addr = $3::inet or dst_addr = $3::inet)
       ), g as (
         select peer, sum(sent)::bigint as sent, sum(recv)::bigint as recv,
           sum(flows)::bigint as flows
         from p group by peer
       )
       select host(g.peer) as addr, coalesce(h.hostname_override, h.hostname) as hostname,
         exists(select 1 from subnet s where s.cidr >>= g.peer) as internal, g.sent, g.recv, g.flows
       from g left join host h on h.ip = g.peer
       order by g.sent + g.recv desc, g.peer`,
      [from, to, ip],
    ),
    db.query<{ protocol: number; port: number; bytes: number; flows: number }>(
      `select protocol,
         case when protocol not in (6, 17, 33, 132, 136) then 0
           when src_port = 0 then dst_port when dst_port = 0 then src_port
           else least(src_port, dst_port) end as port,
         sum(bytes * greatest(sampling_interval, 1))::bigint as bytes, count(*)::bigint as flows
       from netflow_flow
       where end_at >= $1 and end_at < $2 and (src_addr = $3::inet or dst_addr = $3::inet)
       group by 1, 2 order by bytes desc, protocol, port limit $4`,
      [new Date(w.fromMs), to, ip, limit],
    ),
    db.query<SeriesRow>(
      `with p as (
         select minute, src_addr, dst_addr, bytes from netflow_pair_minute
         where minute >= $1 and minute < $2 and (src_addr = $3::inet or dst_addr = $3::inet)
       )
       select (floor(extract(epoch from minute) * 1000 / $4::bigint) * $4::bigint)::bigint
           as bucket,
         exists(select 1 from subnet s where s.cidr >>= p.src_addr) as si,
         exists(select 1 from subnet s where s.cidr >>= p.dst_addr) as di,
         sum(bytes)::bigint as bytes
       from p group by 1, 2, 3 order by 1`,
      [from, to, ip, w.bucketMs],
    ),
  ]);

  const peers = peerRows.map((r) => ({
    addr: r.addr,
    hostname: r.hostname,
    internal: Boolean(r.internal),
    bytes_sent: Number(r.sent),
    bytes_received: Number(r.recv),
    bytes: Number(r.sent) + Number(r.recv),
    flows: Number(r.flows),
  }));
  const split = { internal: 0, external: 0 };
  const totals = { bytes_sent: 0, bytes_received: 0, flows: 0 };
  for (const p of peers) {
    split[p.internal ? "internal" : "external"] += p.bytes;
    totals.bytes_sent += p.bytes_sent;
    totals.bytes_received += p.bytes_received;
    totals.flows += p.flows;
  }
  const series = seriesPoints(seriesRows, from, w);
  return {
    ip,
    from: new Date(w.fromMs).toISOString(),
    to: to.toISOString(),
    bucket_ms: w.bucketMs,
    totals,
    split,
    peers: peers.slice(0, limit),
    ports: portRows.map((r) => ({
      protocol: Number(r.protocol),
      protocol_name: protocolName(Number(r.protocol)),
      port: Number(r.port),
      bytes: Number(r.bytes),
      flows: Number(r.flows),
    })),
    series,
  };
}
