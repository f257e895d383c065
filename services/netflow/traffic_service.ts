// What the /netflow page and API ask for, in one place: exporters (stored rows with this
// process's live counters on top) and raw-flow filters resolved from query text.
import { parseCidr, parseIp, requireSubnet } from "@/services/ipam/mod.ts";
import type { Queryable } from "@/services/store/mod.ts";
import type { Deps } from "@/services/services.ts";
import {
  emptyView,
  type ExporterCounterView,
  sumCounters,
} from "@/services/netflow/collector_counters.ts";
import type { CollectorStatus } from "./collector.ts";
import { listExporters } from "./flow_repo.ts";
import { type FlowFilter, parseProtocol } from "./traffic_query.ts";
import { parseWindow, type TrafficWindow, type WindowInput } from "./traffic_window.ts";

export interface ExporterView {
  exporter: string;
  first_seen_at: string | null;
  last_seen_at: string | null;
  records_stored: number;
  collector: string | null;
  /** True when the counters come from the collector running in this process right now. */
  live: boolean;
  counters: ExporterCounterView | null;
  counters_at: string | null;
  counters_since: string | null;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/**
 * Exporters known to SQL (any collector sharing the database) with, when this process runs the
 * collector, its live counters instead of the last saved ones. "*" gathers exporters beyond the
 * decoder's limit.
 */
export async function exporterViews(
  deps: Pick<Deps, "db" | "services" | "now">,
): Promise<
  { items: ExporterView[]; collector: CollectorStatus | null; totals: ExporterCounterView }
> {
  const collector = deps.services.netflow;
  const live = collector?.counters() ?? {};
  const status = collector?.status() ?? null;
  const rows = await listExporters(deps.db);
  const now = new Date(deps.now()).toISOString();
  const items: ExporterView[] = rows.map((r) => {
    const mine = live[r.addr] !== undefined && r.collector === collector?.name;
    return {
      exporter: r.addr,
      first_seen_at: iso(r.first_seen_at),
      last_seen_at: iso(r.last_seen_at),
      records_stored: r.records_stored,
      collector: r.collector,
      live: mine,
      // Counters saved by an older version lack the newer names: those read as 0.
      counters: mine
        ? live[r.addr]
        : r.counters
        ? { ...emptyView(), ...(r.counters as unknown as ExporterCounterView) }
        : null,
      counters_at: mine ? now : iso(r.counters_at),
      counters_since: mine ? status!.started_at : iso(r.counters_since),
    };
  });
  const stored = new Set(rows.map((r) => r.addr));
  for (const [exporter, counters] of Object.entries(live)) {
    if (stored.has(exporter)) continue;
    items.push({
      exporter,
      first_seen_at: null,
      last_seen_at: null,
      records_stored: 0,
      collector: collector!.name,
      live: true,
      counters,
      counters_at: now,
      counters_since: status!.started_at,
    });
  }
  return {
    items,
    collector: status,
    totals: sumCounters(items.flatMap((i) => (i.counters ? [i.counters] : []))),
  };
}

export interface FlowQuery extends WindowInput {
  ip?: string;
  subnet?: string;
  port?: number;
  proto?: string;
  exporter?: string;
  cursor?: string;
  limit: number;
}

/** Turns query text into a FlowFilter: addresses canonical, a subnet id or CIDR as a prefix. */
export async function resolveFlowFilter(
  db: Queryable,
  q: FlowQuery,
  nowMs: number,
): Promise<FlowFilter> {
  const window: TrafficWindow = parseWindow(q, nowMs);
  const filter: FlowFilter = { window, limit: q.limit, cursor: q.cursor };
  if (q.ip) filter.ip = parseIp(q.ip).ip;
  if (q.exporter) filter.exporter = parseIp(q.exporter).ip;
  if (q.subnet) {
    filter.within = /^\d+$/.test(q.subnet.trim())
      ? (await requireSubnet(db, Number(q.subnet))).cidr
      : parseCidr(q.subnet, { normalize: true }).cidr;
  }
  if (q.port !== undefined) filter.port = q.port;
  if (q.proto) filter.protocol = parseProtocol(q.proto);
  return filter;
}
