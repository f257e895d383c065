// Read-side SQL over current open ports: which services run where, and dashboard statistics.
import { keysetPage, type Queryable, type SqlParam } from "@/services/store/mod.ts";
import { normalizeIp } from "@/services/ipam/mod.ts";

/** One service name (as nmap reports it; "" = unidentified) across the inventory. */
export interface ServiceSummary {
  service: string;
  /** Hosts with at least one open port running it. */
  hosts: number;
  /** Open (host, port) pairs running it. */
  open_ports: number;
  /** Distinct port numbers, ascending (at most 50). */
  ports: number[];
  /** Distinct non-empty products, alphabetical (at most 20). */
  products: string[];
}

/** Where a service runs: one open port of one host. */
export interface ServiceLocation {
  host_id: number;
  ip: string;
  hostname: string | null;
  hostname_override: string | null;
  port: number;
  proto: string;
  service: string;
  product: string;
  version: string;
  scanned_at: string;
}

export interface PortStats {
  hosts: number;
  hosts_discovered: number;
  subnets: number;
  open_ports: number;
  hosts_with_open_ports: number;
  scans: {
    sweeps_total: number;
    sweeps_24h: number;
    portscans_total: number;
    portscans_24h: number;
    portscans_failed_24h: number;
    last_portscan_at: string | null;
  };
  top_open_ports: Array<{ port: number; proto: string; service: string; hosts: number }>;
  top_services: Array<{ service: string; hosts: number; open_ports: number }>;
}

const MAX_PORTS_LISTED = 50;
const MAX_PRODUCTS_LISTED = 20;

/** Opaque keyset cursors: base64url of a JSON array. */
export function encodeCursor(values: unknown[]): string {
  const bytes = new TextEncoder().encode(JSON.stringify(values));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
    .replaceAll("=", "");
}

export function decodeCursor(cursor: string): unknown[] | null {
  try {
    const bin = atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
    const v = JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0))));
    return Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}

const isServiceCursor = (v: unknown[] | null): v is [number, string] =>
  v !== null && v.length === 2 && Number.isInteger(v[0]) && typeof v[1] === "string";
const isLocationCursor = (v: unknown[] | null): v is [string, string, number] =>
  v !== null && v.length === 3 && typeof v[0] === "string" && normalizeIp(v[0]) !== null &&
  typeof v[1] === "string" && Number.isInteger(v[2]);

export const validServiceCursor = (c: string) => isServiceCursor(decodeCursor(c));
export const validLocationCursor = (c: string) => isLocationCursor(decodeCursor(c));

/** Services on current open ports, most widespread first (then by name). */
export async function listServices(
  q: Queryable,
  opts: { limit: number; cursor?: string },
): Promise<{ items: ServiceSummary[]; next_cursor: string | null }> {
  const params: SqlParam[] = [opts.limit + 1];
  let after = "";
  const c = opts.cursor ? decodeCursor(opts.cursor) : null;
  if (isServiceCursor(c)) {
    const a = params.push(c[0]);
    const b = params.push(c[1]);
    after = `where hosts < $${a} or (hosts = $${a} and service > $${b})`;
  }
  const rows = await q.query<
    { service: string; hosts: number; open_ports: number; ports: number[]; products: string[] }
  >(
    `with agg as (
       select service, count(distinct host_id)::int as hosts, count(*)::int as open_ports,
              array_agg(distinct port order by port) as ports,
              coalesce(array_agg(distinct product order by product)
                filter (where product <> ''), '{}') as products
       from host_open_port where current and state = 'open'
       group by service
     )
     select * from agg ${after} order by hosts desc, service limit $1`,
    params,
  );
  const items = rows.map((r) => ({
    service: r.service,
    hosts: Number(r.hosts),
    open_ports: Number(r.open_ports),
    ports: (r.ports ?? []).map(Number).slice(0, MAX_PORTS_LISTED),
    products: (r.products ?? []).slice(0, MAX_PRODUCTS_LISTED),
  }));
  return keysetPage(items, opts.limit, (last) => encodeCursor([last.hosts, last.service]));
}

/** Current open ports running `service` (optionally one port/proto), in address order. */
export async function serviceLocations(
  q: Queryable,
  opts: { service?: string; port?: number; proto?: string; limit: number; cursor?: string },
): Promise<{ items: ServiceLocation[]; next_cursor: string | null }> {
  const params: SqlParam[] = [opts.limit + 1];
  const where = ["p.current", "p.state = 'open'"];
  if (opts.service !== undefined) where.push(`p.service = $${params.push(opts.service)}`);
  if (opts.port !== undefined) where.push(`p.port = $${params.push(opts.port)}`);
  if (opts.proto !== undefined) where.push(`p.proto = $${params.push(opts.proto)}`);
  const c = opts.cursor ? decodeCursor(opts.cursor) : null;
  if (isLocationCursor(c)) {
    const a = params.push(c[0]);
    const b = params.push(c[1]);
    const d = params.push(c[2]);
    where.push(`(h.ip, p.proto, p.port) > ($${a}::inet, $${b}, $${d})`);
  }
  const rows = await q.query<Omit<ServiceLocation, "scanned_at"> & { scanned_at: Date | string }>(
    `select p.host_id, host(h.ip) as ip, h.hostname, h.hostname_override, p.port, p.proto,
            p.service, p.product, p.version, s.finished_at as scanned_at
     from host_open_port p join host h on h.id = p.host_id join port_scan s on s.id = p.scan_id
     where ${where.join(" and ")}
     order by h.ip, p.proto, p.port limit $1`,
    params,
  );
  const items = rows.map((r) => ({
    ...r,
    host_id: Number(r.host_id),
    ip: normalizeIp(r.ip)?.ip ?? r.ip,
    port: Number(r.port),
    scanned_at: new Date(r.scanned_at).toISOString(),
  }));
  return keysetPage(items, opts.limit, (last) => encodeCursor([last.ip, last.proto, last.port]));
}

/** Counts for the dashboard; `since` bounds the "last 24 h" figures. */
export async function portStats(
  q: Queryable,
  opts: { since: Date; top: number },
): Promise<PortStats> {
  const [counts] = await q.query<Record<string, number | string | Date | null>>(
    `select
       (select count(*) from host)::int as hosts,
       (select count(*) from host where discovered)::int as hosts_discovered,
       (select count(*) from subnet)::int as subnets,
       (select count(*) from host_open_port where current and state = 'open')::int as open_ports,
       (select count(distinct host_id) from host_open_port
         where current and state = 'open')::int as hosts_with_open_ports,
       (select count(*) from scan_run)::int as sweeps_total,
       (select count(*) from scan_run where started_at >= $1)::int as sweeps_24h,
       (select count(*) from port_scan)::int as portscans_total,
       (select count(*) from port_scan where started_at >= $1)::int as portscans_24h,
       (select count(*) from port_scan
         where started_at >= $1 and status <> 'succeeded')::int as portscans_failed_24h,
       (select max(finished_at) from port_scan) as last_portscan_at`,
    [opts.since],
  );
  const topPorts = await q.query<{ port: number; proto: string; service: string; hosts: number }>(
    `select port, proto, mode() within group (order by service) as service,
            count(distinct host_id)::int as hosts
     from host_open_port where current and state = 'open'
     group by port, proto order by hosts desc, port, proto limit $1`,
    [opts.top],
  );
  const topServices = await q.query<{ service: string; hosts: number; open_ports: number }>(
    `select service, count(distinct host_id)::int as hosts, count(*)::int as open_ports
     from host_open_port where current and state = 'open' and service <> ''
     group by service order by hosts desc, service limit $1`,
    [opts.top],
  );
  const n = (k: string) => Number(counts?.[k] ?? 0);
  const last = counts?.last_portscan_at;
  return {
    hosts: n("hosts"),
    hosts_discovered: n("hosts_discovered"),
    subnets: n("subnets"),
    open_ports: n("open_ports"),
    hosts_with_open_ports: n("hosts_with_open_ports"),
    scans: {
      sweeps_total: n("sweeps_total"),
      sweeps_24h: n("sweeps_24h"),
      portscans_total: n("portscans_total"),
      portscans_24h: n("portscans_24h"),
      portscans_failed_24h: n("portscans_failed_24h"),
      last_portscan_at: last ? new Date(last as string).toISOString() : null,
    },
    top_open_ports: topPorts.map((r) => ({ ...r, port: Number(r.port), hosts: Number(r.hosts) })),
    top_services: topServices.map((r) => ({
      ...r,
      hosts: Number(r.hosts),
      open_ports: Number(r.open_ports),
    })),
  };
}
