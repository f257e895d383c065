// The dashboard's "Alive now" list: hosts discovery reports up, filtered by subnet, tag, service and text.
import { listUpIps, readHostStates, tryParseIp } from "@/services/ipam/mod.ts";
import type { Queryable, SqlParam, StateStore } from "@/services/store/mod.ts";

export interface AliveFilter {
  /** Hosts inside this subnet's prefix (its child subnets included). */
  subnet_id?: number;
  tag?: string;
  /** Hosts with a currently open port running this service (nmap's name, e.g. "ssh"). */
  service?: string;
  /** Text in names, description, tags or MAC, or the start of the address. */
  q?: string;
  /** Rows to return (default 500). */
  limit?: number;
}

export interface AlivePort {
  port: number;
  proto: string;
  service: string;
  product: string;
  version: string;
}

export interface AliveHost {
  id: number;
  ip: string;
  hostname: string | null;
  hostname_override: string | null;
  description: string | null;
  tags: string[];
  subnet_id: number | null;
  subnet_cidr: string | null;
  latency_ms: number | null;
  /** When the host came up (ISO), if known. */
  since: string | null;
  /** Open ports of the latest scans, in port order. */
  ports: AlivePort[];
}

export interface AliveList {
  items: AliveHost[];
  /** Alive hosts matching the filters (may exceed items.length). */
  total: number;
  /** Alive hosts in all, before filtering. */
  alive: number;
}

export interface AliveFilterOptions {
  subnets: Array<{ id: number; cidr: string; name: string | null }>;
  tags: string[];
  services: string[];
}

export const ALIVE_LIMIT_DEFAULT = 500;
/** Options offered in each filter drop-down; more would make the bar unusable anyway. */
const OPTIONS_MAX = 500;

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
const canonical = (ip: string) => (ip.includes(":") ? (tryParseIp(ip)?.ip ?? ip) : ip);

interface Row {
  id: number;
  ip: string;
  hostname: string | null;
  hostname_override: string | null;
  description: string | null;
  tags: string[] | null;
  subnet_id: number | null;
  subnet_cidr: string | null;
  total: number;
  ports: number[] | null;
  protos: string[] | null;
  services: string[] | null;
  products: string[] | null;
  versions: string[] | null;
}

/**
 * Alive hosts (KV state up) matching `f`, in address order. One KV scan for the up set, one SQL
 * statement for the rows, their open ports and the total, one KV read for latencies.
 */
export async function listAliveHosts(
  db: Queryable,
  kv: StateStore,
  f: AliveFilter = {},
  /** The up set when the caller has just read it (saves a second KV scan). */
  upIps?: readonly string[],
  /** How many inventoried hosts are up, when the caller counted them already. */
  upTotal?: number,
): Promise<AliveList> {
  const up = upIps ? [...upIps] : await listUpIps(kv);
  if (up.length === 0) return { items: [], total: 0, alive: 0 };
  const unfiltered = f.subnet_id === undefined && !f.tag && !f.service && !f.q;
  const firstUp = unfiltered && upTotal !== undefined && up.length > FEW_UP
    ? await firstUpHostIds(db, new Set(up), Math.max(1, Math.min(5000, f.limit ?? 50)))
    : null;
  const params: SqlParam[] = firstUp ? [firstUp] : [up];
  const where = [firstUp ? "h.id = any($1::bigint[])" : "h.ip = any($1::inet[])"];
  const add = (sql: string, value: SqlParam) => {
    params.push(value);
    where.push(sql.replaceAll("$?", `$${params.length}`));
  };
  if (f.subnet_id !== undefined) {
    add(`h.ip <<= (select cidr from subnet where id = $?)`, f.subnet_id);
  }
  if (f.tag) add(`h.tags @> array[$?]::text[]`, f.tag);
  if (f.service !== undefined && f.service !== "") {
    add(
      `exists (select 1 from host_open_port p where p.host_id = h.id and p.current
         and p.state = 'open' and p.service = $?)`,
      f.service,
    );
  }
  if (f.q) {
    params.push(`${escapeLike(f.q.toLowerCase())}%`);
    const starts = `$${params.length}`;
    add(
      `(host(h.ip) like ${starts} or h.hostname ilike $? or h.hostname_override ilike $?
        or h.description ilike $? or h.mac ilike $? or array_to_string(h.tags, ' ') ilike $?)`,
      `%${escapeLike(f.q)}%`,
    );
  }
  params.push(Math.max(1, Math.min(5000, Math.trunc(f.limit ?? ALIVE_LIMIT_DEFAULT))));
  const limit = `$${params.length}`;
  // Ports come back as parallel arrays: both engines decode int[] and text[] the same way. They
  // are gathered for the page's rows only, after the limit (not for every match, as the total's
  // window would otherwise force).
  const rows = await db.query<Row>(
    `select m.id, host(m.ip) as ip, m.hostname, m.hostname_override, m.description, m.tags,
            m.subnet_id, m.subnet_cidr, m.total,
            p.ports, p.protos, p.services, p.products, p.versions
     from (
       select h.id, h.ip, h.hostname, h.hostname_override, h.description, h.tags, h.subnet_id,
              s.cidr::text as subnet_cidr, count(*) over ()::int as total
       from host h
       left join subnet s on s.id = h.subnet_id
       where ${where.join(" and ")}
       order by h.ip
       limit ${limit}
     ) m
     left join lateral (
       select array_agg(o.port order by o.port, o.proto) as ports,
              array_agg(o.proto order by o.port, o.proto) as protos,
              array_agg(o.service order by o.port, o.proto) as services,
              array_agg(o.product order by o.port, o.proto) as products,
              array_agg(o.version order by o.port, o.proto) as versions
       from host_open_port o where o.host_id = m.id and o.current and o.state = 'open'
     ) p on true
     order by m.ip`,
    params,
  );
  const ips = rows.map((r) => canonical(r.ip));
  const states = await readHostStates(kv, ips);
  const items = rows.map((r, i): AliveHost => {
    const s = states.get(ips[i]);
    const ports = (r.ports ?? []).map((port, j) => ({
      port: Number(port),
      proto: r.protos?.[j] ?? "tcp",
      service: r.services?.[j] ?? "",
      product: r.products?.[j] ?? "",
      version: r.versions?.[j] ?? "",
    }));
    return {
      id: Number(r.id),
      ip: ips[i],
      hostname: r.hostname,
      hostname_override: r.hostname_override,
      description: r.description,
      tags: r.tags ?? [],
      subnet_id: r.subnet_id === null ? null : Number(r.subnet_id),
      subnet_cidr: r.subnet_cidr,
      latency_ms: s?.up ? s.latency_ms : null,
      since: s?.since ? new Date(s.since).toISOString() : null,
      ports,
    };
  });
  const total = firstUp ? upTotal! : rows.length ? Number(rows[0].total) : 0;
  return { items, total, alive: up.length };
}

/** Above this many up addresses, the unfiltered list walks hosts in address order instead. */
const FEW_UP = 2000;
const WALK_PAGE = 1000;
const WALK_PAGES = 20;

/**
 * The ids of the first `limit` up hosts in address order, found by walking the host table in
 * address order and checking each against the up set here: with most hosts up that is one short
 * read, where "ip = any(every up address)" sends 100,000 addresses to SQL. Null when the walk
 * finds too few (most hosts down): the caller asks SQL then.
 */
async function firstUpHostIds(
  db: Queryable,
  up: ReadonlySet<string>,
  limit: number,
): Promise<number[] | null> {
  const ids: number[] = [];
  let after: string | null = null;
  for (let page = 0; page < WALK_PAGES; page++) {
    const rows: Array<{ id: number; ip: string }> = await db.query(
      after === null
        ? `select id, host(ip) as ip from host order by host.ip limit $1`
        : `select id, host(ip) as ip from host where host.ip > $2::inet order by host.ip limit $1`,
      after === null ? [WALK_PAGE] : [WALK_PAGE, after],
    );
    for (const r of rows) {
      if (!up.has(canonical(r.ip))) continue;
      ids.push(Number(r.id));
      if (ids.length >= limit) return ids;
    }
    if (rows.length < WALK_PAGE) return ids;
    after = rows[rows.length - 1].ip;
  }
  return null;
}

/** What the filter drop-downs offer: every subnet, tags in use, services on open ports. */
export async function aliveFilterOptions(db: Queryable): Promise<AliveFilterOptions> {
  const [subnets, tags, services] = await Promise.all([
    db.query<{ id: number; cidr: string; name: string | null }>(
      `select id, cidr::text as cidr, name from subnet order by cidr limit $1`,
      [OPTIONS_MAX],
    ),
    db.query<{ tag: string }>(
      `select distinct t as tag from host, unnest(tags) as t order by 1 limit $1`,
      [OPTIONS_MAX],
    ),
    db.query<{ service: string }>(
      `select distinct service from host_open_port
       where current and state = 'open' and service <> '' order by 1 limit $1`,
      [OPTIONS_MAX],
    ),
  ]);
  return {
    subnets: subnets.map((s) => ({ ...s, id: Number(s.id) })),
    tags: tags.map((t) => t.tag),
    services: services.map((s) => s.service),
  };
}
