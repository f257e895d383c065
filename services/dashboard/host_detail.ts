// Everything the host drawer shows, in one call: the host, its live state, current ports, latest
// events, uptime and a 24-hour sparkline. Strings are returned verbatim; the UI escapes them.
import { type HostRecord, requireHost } from "@/services/ipam/mod.ts";
import type { Queryable, StateStore } from "@/services/store/mod.ts";
import {
  type HostEvent,
  hostUptime,
  listEvents,
  readStates,
  statusSeries,
  type UptimeWindow,
} from "@/services/sweeps/mod.ts";
import {
  currentPorts,
  latestPortScan,
  type PortEventKind,
  type PortRow,
  type PortScan,
} from "@/services/portscans/mod.ts";

/** The live state as the API shows it (ISO times; all null when never checked). */
export interface HostStateView {
  status: "up" | "down" | "unknown";
  latency_ms: number | null;
  since: string | null;
  last_seen: string | null;
  method: string | null;
  checked_at: string | null;
}

/** A host event of any kind: up/down flips, discovery, renames and port changes. */
export type HostDetailEvent = Omit<HostEvent, "kind"> & { kind: HostEvent["kind"] | PortEventKind };

/** One sparkline bucket: the share of sweeps that found the host up, and their mean latency. */
export interface SparkPoint {
  /** Bucket start, ISO 8601. */
  t: string;
  /** 0…1, null when no sweep fell in the bucket. */
  up: number | null;
  latency_ms: number | null;
}

export interface HostDetail {
  host: HostRecord;
  state: HostStateView;
  /** Latest observation of each port, open ones first. */
  ports: PortRow[];
  /** The newest port scan of any outcome (when it ran, whether it failed), or null. */
  last_scan: PortScan | null;
  /** Newest first. */
  events: HostDetailEvent[];
  uptime: { h24: UptimeWindow; d7: UptimeWindow };
  /** Oldest first, `buckets` points ending with the bucket that holds `now`. */
  sparkline: SparkPoint[];
}

export interface HostDetailOptions {
  /** Events to return (default 50). */
  events?: number;
  /** Sparkline points over the last 24 hours (default 96, i.e. 15 minutes each). */
  buckets?: number;
}

const DAY_MS = 86_400_000;
const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());

/** Throws AppError 404 when the host does not exist. */
export async function loadHostDetail(
  deps: { db: Queryable; kv: StateStore; now: () => number },
  hostId: number,
  opts: HostDetailOptions = {},
): Promise<HostDetail> {
  const { db, kv } = deps;
  const now = deps.now();
  const host = await requireHost(db, hostId);
  const buckets = Math.max(1, Math.min(1440, Math.floor(opts.buckets ?? 96)));
  const stepS = Math.max(60, Math.round(DAY_MS / 1000 / buckets));
  // Whole buckets on the epoch grid, the last one holding `now`, so a refresh lines up.
  const end = (Math.floor(now / (stepS * 1000)) + 1) * stepS * 1000;
  const from = end - buckets * stepS * 1000;

  const [states, ports, lastScan, events, uptime, series] = await Promise.all([
    readStates(kv, [host.ip]),
    currentPorts(db, hostId),
    latestPortScan(db, hostId),
    listEvents(db, hostId, { limit: opts.events ?? 50 }),
    hostUptime(db, hostId, now),
    statusSeries(db, hostId, new Date(from), new Date(end), stepS),
  ]);

  const s = states.get(host.ip);
  const byTs = new Map(series.map((b) => [Date.parse(b.ts), b]));
  const sparkline: SparkPoint[] = [];
  for (let t = from; t < end; t += stepS * 1000) {
    const b = byTs.get(t);
    sparkline.push({
      t: new Date(t).toISOString(),
      up: b && b.samples > 0 ? b.up_ratio : null,
      latency_ms: b?.avg_latency_ms ?? null,
    });
  }

  return {
    host,
    state: {
      status: !s ? "unknown" : s.up ? "up" : "down",
      latency_ms: s?.latency_ms ?? null,
      since: iso(s?.since),
      last_seen: iso(s?.last_seen),
      method: s?.method ?? null,
      checked_at: iso(s?.checked_at),
    },
    ports,
    last_scan: lastScan,
    events: events.items as HostDetailEvent[],
    uptime: { h24: uptime.uptime_24h, d7: uptime.uptime_7d },
    sparkline,
  };
}
