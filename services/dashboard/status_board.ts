// The dashboard's "what is wrong" read model: up/down/unknown per subnet and the hosts down now,
// paged, from the live state and the address index in memory, plus SQL for one page of rows.
import {
  addressIndex,
  asHostState,
  HOST_STATE_PREFIX,
  type HostState,
  hostStateSnapshot,
  indexRange,
  parseCidr,
  tryParseIp,
} from "@/services/ipam/mod.ts";
import type { Queryable, StateStore } from "@/services/store/mod.ts";

export interface SubnetStatusCount {
  id: number;
  cidr: string;
  name: string | null;
  /** Hosts inside the prefix (child subnets included), as the utilization counts them. */
  hosts: number;
  up: number;
  down: number;
  /** Hosts never checked (no live state). */
  unknown: number;
}

export interface DownHostRow {
  host_id: number;
  ip: string;
  name: string | null;
  subnet_id: number | null;
  subnet_cidr: string | null;
  /** Last successful check (ms since the epoch); null when it never answered. */
  last_seen: number | null;
  /** When the state turned down (or was first observed down), ms. */
  down_since: number;
  /** Latency of its last successful check, from history. */
  last_latency_ms: number | null;
}

export interface StatusBoard {
  /** Every subnet's hosts and up hosts (inside its prefix), as utilization counts them. */
  usage: Map<number, { used: number; alive: number }>;
  totals: { subnets: number; hosts: number; up: number; down: number; unknown: number };
  /** Subnets with the most hosts down first, then in address order; one page. */
  subnets: SubnetStatusCount[];
  /** Newest outages first (by last successful check); one page. */
  down: DownHostRow[];
  downTotal: number;
}

export interface StatusBoardOptions {
  subnetLimit?: number;
  downLimit?: number;
  downOffset?: number;
}

const canonicalIp = (ip: string) => (ip.includes(":") ? (tryParseIp(ip)?.ip ?? ip) : ip);

const clampInt = (v: number | undefined, min: number, max: number, dflt: number) =>
  Math.max(min, Math.min(max, Math.trunc(Number.isFinite(v) ? v! : dflt)));

/**
 * Every live state by address, from the process cache when it is on: a scan of NATS KV per
 * request would cost seconds at 100,000 hosts.
 */
async function readStates(kv: StateStore): Promise<ReadonlyMap<string, HostState>> {
  const cached = await hostStateSnapshot(kv);
  if (cached) return cached;
  const out = new Map<string, HostState>();
  for await (const e of kv.list({ prefix: [HOST_STATE_PREFIX] }, { batchSize: 1000 })) {
    const ip = e.key[1];
    const s = asHostState(e.value);
    if (typeof ip === "string" && s) out.set(ip, s);
  }
  return out;
}

/** Down first: newest last answer (never answered last), then newest outage, then address. */
function byOutage(
  a: { seen: number | null; since: number; at: number },
  b: { seen: number | null; since: number; at: number },
): number {
  if (a.seen !== b.seen) {
    if (a.seen === null) return 1;
    if (b.seen === null) return -1;
    return b.seen - a.seen;
  }
  return b.since - a.since || a.at - b.at;
}

/**
 * Counts every subnet (hosts inside its prefix, child subnets included) and the totals in memory,
 * from the address index (address_index.ts, read again only when hosts are added or deleted) and
 * the live state: at 100,000 hosts, sending every live address to SQL per board cost about half
 * a second of database time, recomputed after every live event.
 */
export async function loadStatusBoard(
  db: Queryable,
  kv: StateStore,
  opts: StatusBoardOptions = {},
): Promise<StatusBoard> {
  const subnetLimit = clampInt(opts.subnetLimit, 1, 200, 8);
  const downLimit = clampInt(opts.downLimit, 1, 200, 10);
  const downOffset = clampInt(opts.downOffset, 0, 1_000_000, 0);
  const [index, states, subnetRows] = await Promise.all([
    addressIndex(db),
    readStates(kv),
    db.query<{ id: number; cidr: string; name: string | null }>(
      `select id, cidr::text as cidr, name from subnet order by cidr`,
    ),
  ]);
  // Prefix sums of up and down hosts in index order: any prefix's counts are two subtractions.
  const n = index.ips.length;
  const upSum = new Uint32Array(n + 1);
  const downSum = new Uint32Array(n + 1);
  const down: Array<{ at: number; seen: number | null; since: number }> = [];
  for (let i = 0; i < n; i++) {
    const s = states.get(index.ips[i]);
    upSum[i + 1] = upSum[i] + (s?.up ? 1 : 0);
    downSum[i + 1] = downSum[i] + (s && !s.up ? 1 : 0);
    if (s && !s.up) down.push({ at: i, seen: s.last_seen, since: s.since });
  }
  const counted = subnetRows.map((r) => {
    const c = parseCidr(r.cidr);
    const [from, to] = indexRange(index, c.family, c.first, c.last);
    return {
      id: Number(r.id),
      cidr: r.cidr,
      name: r.name,
      hosts: to - from,
      up: upSum[to] - upSum[from],
      down: downSum[to] - downSum[from],
    };
  });
  // Most hosts down first, then in address order (the rows came sorted by cidr).
  const ranked = counted.map((r, i) => ({ r, i })).sort((a, b) => b.r.down - a.r.down || a.i - b.i)
    .map((x) => x.r);
  down.sort(byOutage);
  const page = down.slice(downOffset, downOffset + downLimit);
  const rows = page.length
    ? await db.query<
      { id: number; ip: string; name: string | null; subnet_id: number | null; cidr: string | null }
    >(
      `select h.id, host(h.ip) as ip, coalesce(nullif(h.hostname_override, ''), h.hostname) as name,
              h.subnet_id, s.cidr::text as cidr
       from host h left join subnet s on s.id = h.subnet_id
       where h.ip = any($1::inet[])`,
      [page.map((d) => index.ips[d.at])],
    )
    : [];
  const byIp = new Map(rows.map((r) => [canonicalIp(r.ip), r]));
  const downRows = page.flatMap((d) => {
    const r = byIp.get(index.ips[d.at]);
    // A host deleted since the index was read drops out of this page.
    return r ? [{ ...r, seen: d.seen, since: d.since }] : [];
  });

  const ids = downRows.map((r) => Number(r.id));
  const latency = new Map<number, number | null>();
  if (ids.length) {
    const rows = await db.query<{ id: number; latency_ms: number | null }>(
      `select i.id, l.latency_ms
       from unnest($1::bigint[]) as i(id)
       cross join lateral (
         select latency_ms from host_status
         where host_id = i.id and is_up order by ts desc limit 1) l`,
      [ids],
    );
    for (const r of rows) {
      latency.set(Number(r.id), r.latency_ms === null ? null : Number(r.latency_ms));
    }
  }
  const up = upSum[n];
  const downTotal = downSum[n];
  return {
    usage: new Map(counted.map((r) => [r.id, { used: r.hosts, alive: r.up }])),
    totals: {
      subnets: counted.length,
      hosts: n,
      up,
      down: downTotal,
      unknown: Math.max(0, n - up - downTotal),
    },
    subnets: ranked.slice(0, subnetLimit).map((r) => ({
      ...r,
      unknown: Math.max(0, r.hosts - r.up - r.down),
    })),
    down: downRows.map((r) => ({
      host_id: Number(r.id),
      ip: canonicalIp(r.ip),
      name: r.name,
      subnet_id: r.subnet_id === null ? null : Number(r.subnet_id),
      subnet_cidr: r.cidr,
      last_seen: r.seen,
      down_since: r.since,
      last_latency_ms: latency.get(Number(r.id)) ?? null,
    })),
    // Every down host, also when the page asked for is past the end.
    downTotal,
  };
}
