// Inventory and operations totals for GET /api/v1/stats: servers, organizations, scan results,
// indicators, action runs, and the most observed open ports and services over a window.
import { AppError } from "@/services/errors.ts";
import type { Queryable } from "@/services/store/mod.ts";

export interface WindowStats {
  /** "all", or a length such as "24h" / "7d". */
  name: string;
  since: string | null;
  scans: number;
  port_observations: number;
  top_open_ports: Array<
    { port: number; proto: string; service: string; hosts: number; observations: number }
  >;
  top_services: Array<{ service: string; hosts: number; observations: number }>;
}

export interface InventoryStats {
  servers: number;
  organizations: number;
  scan_results: { total: number; ping: number; sweep: number; port_scan: number };
  indicators: { ok: number; warning: number; critical: number; unknown: number };
  action_runs: { total: number; failed: number };
  window: WindowStats;
}

/** "all" → null; "36h" / "7d" → milliseconds; 422 otherwise. */
export function parseWindow(text: string): number | null {
  if (text === "all") return null;
  const m = /^(\d{1,4})([hd])$/.exec(text);
  if (!m || Number(m[1]) === 0) {
    throw new AppError(
      422,
      "invalid_window",
      `invalid window "${text.slice(0, 20)}": expected "all" or a length like 24h or 7d`,
      { field: "window" },
    );
  }
  return Number(m[1]) * (m[2] === "h" ? 3_600_000 : 86_400_000);
}

export async function inventoryStats(
  q: Queryable,
  opts: { now: number; window: string; top: number },
): Promise<InventoryStats> {
  const span = parseWindow(opts.window);
  const since = span === null ? null : new Date(opts.now - span);
  const [c] = await q.query<Record<string, number>>(
    `select
       (select count(*) from server)::int as servers,
       (select count(*) from organization)::int as organizations,
       (select count(*) from scan_result)::int as scans,
       (select count(*) from scan_result where kind = 'ping')::int as pings,
       (select count(*) from scan_result where kind = 'sweep')::int as sweeps,
       (select count(*) from scan_result where kind = 'port_scan')::int as port_scans,
       (select count(*) from scan_result where $1::timestamptz is null or started_at >= $1)::int
         as window_scans,
       (select count(*) from indicator where status = 'ok')::int as ind_ok,
       (select count(*) from indicator where status = 'warning')::int as ind_warning,
       (select count(*) from indicator where status = 'critical')::int as ind_critical,
       (select count(*) from indicator where status = 'unknown')::int as ind_unknown,
       (select count(*) from action_run)::int as runs,
       (select count(*) from action_run where status in ('failed', 'timed_out'))::int as runs_failed`,
    [since],
  );
  const obs = `with obs as (
      select p.port, p.proto, p.service, coalesce(host(h.ip), s.target) as addr
      from host_open_port p join port_scan s on s.id = p.scan_id left join host h on h.id = p.host_id
      where p.state = 'open' and ($1::timestamptz is null or s.started_at >= $1)
      union all
      select (e->>'port')::int, e->>'proto', coalesce(e->>'service', ''), r.target
      from scan_result r cross join lateral jsonb_array_elements(r.open_ports) e
      where r.open_ports is not null and jsonb_typeof(r.open_ports) = 'array'
        and ($1::timestamptz is null or r.started_at >= $1)
    )`;
  const ports = await q.query<Record<string, unknown>>(
    `${obs} select port, proto, mode() within group (order by service) as service,
       count(distinct addr)::int as hosts, count(*)::int as observations
     from obs group by port, proto order by hosts desc, observations desc, port limit $2`,
    [since, opts.top],
  );
  const services = await q.query<Record<string, unknown>>(
    `${obs} select service, count(distinct addr)::int as hosts, count(*)::int as observations
     from obs where service <> '' group by service order by hosts desc, service limit $2`,
    [since, opts.top],
  );
  const [total] = await q.query<{ n: number }>(
    `${obs} select count(*)::int as n from obs`,
    [since],
  );
  const n = (k: string) => Number(c?.[k] ?? 0);
  return {
    servers: n("servers"),
    organizations: n("organizations"),
    scan_results: {
      total: n("scans"),
      ping: n("pings"),
      sweep: n("sweeps"),
      port_scan: n("port_scans"),
    },
    indicators: {
      ok: n("ind_ok"),
      warning: n("ind_warning"),
      critical: n("ind_critical"),
      unknown: n("ind_unknown"),
    },
    action_runs: { total: n("runs"), failed: n("runs_failed") },
    window: {
      name: opts.window,
      since: since?.toISOString() ?? null,
      scans: n("window_scans"),
      port_observations: Number(total?.n ?? 0),
      top_open_ports: ports.map((r) => ({
        port: Number(r.port),
        proto: String(r.proto),
        service: String(r.service ?? ""),
        hosts: Number(r.hosts),
        observations: Number(r.observations),
      })),
      top_services: services.map((r) => ({
        service: String(r.service),
        hosts: Number(r.hosts),
        observations: Number(r.observations),
      })),
    },
  };
}
