// The dashboard's "Alive now" list: hosts discovery reports up, filtered by subnet, tag, service and text.
import { listUpIps, readHostStates, tryParseIp } from "@/services/ipam/mod.ts";
import type { Queryable, SqlParam } from "@/services/store/mod.ts";

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
  kv: Deno.Kv,
  f: AliveFilter = {},
  /** The up set when the caller has just read it (saves a second KV scan). */
  upIps?: readonly string[],
): Promise<AliveList> {
  const up = upIps ? [...upIps] : await listUpIps(kv);
  if (up.length === 0) return { items: [], total: 0, alive: 0 };
  const params: SqlParam[] = [up];
  const where = ["h.ip = any($1::inet[])"];
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
  // Ports come back as parallel arrays: both engines decode int[] and text[] the same way.
  const rows = await db.query<Row>(
    `select h.id, host(h.ip) as ip, h.hostname, h.hostname_override, h.description, h.tags,
            h.subnet_id, s.cidr::text as subnet_cidr, count(*) over ()::int as total,
            p.ports, p.protos, p.services, p.products, p.versions
     from host h
     left join subnet s on s.id = h.subnet_id
     left join lateral (
       select array_agg(o.port order by o.port, o.proto) as ports,
              array_agg(o.proto order by o.port, o.proto) as protos,
              array_agg(o.service order by o.port, o.proto) as services,
              array_agg(o.product order by o.port, o.proto) as products,
              array_agg(o.version order by o.port, o.proto) as versions
       from host_open_port o where o.host_id = h.id and o.current and o.state = 'open'
     ) p on true
     where ${where.join(" and ")}
     order by h.ip
     limit ${limit}`,
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
  return { items, total: rows.length ? Number(rows[0].total) : 0, alive: up.length };
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
