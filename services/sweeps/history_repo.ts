// SQL history of hosts: status rows per sweep, events on flips, and reads over raw + hourly rows.
import { keysetPage, type Queryable, type SqlParam } from "@/services/store/mod.ts";

export interface StatusRow {
  hostId: number;
  isUp: boolean;
  latencyMs: number | null;
  method: string;
}

export type EventKind = "up" | "down" | "discovered" | "hostname_changed";

/** Every kind a host_event row holds: discovery's and the port scans' (migration 0030). */
export const HOST_EVENT_KINDS = [
  "up",
  "down",
  "discovered",
  "hostname_changed",
  "port_opened",
  "port_closed",
  "service_changed",
] as const;
export type HostEventKind = typeof HOST_EVENT_KINDS[number];

export interface NewEvent {
  hostId: number;
  kind: EventKind;
  detail: Record<string, unknown>;
}

export interface HostEvent {
  id: number;
  host_id: number;
  ts: string;
  kind: HostEventKind;
  detail: Record<string, unknown>;
}

/** One bucket of a status series: raw rows and hourly roll-ups merged with sample weights. */
export interface StatusBucket {
  ts: string;
  samples: number;
  up_samples: number;
  up_ratio: number;
  min_latency_ms: number | null;
  avg_latency_ms: number | null;
  max_latency_ms: number | null;
}

/** Appends one row per host of a sweep in a single statement. */
export async function insertStatuses(
  q: Queryable,
  ts: Date,
  rows: readonly StatusRow[],
): Promise<void> {
  if (rows.length === 0) return;
  await q.query(
    `insert into host_status (host_id, ts, is_up, latency_ms, method)
     select u.host_id, $1, u.is_up, u.latency_ms, u.method
     from unnest($2::bigint[], $3::bool[], $4::float8[], $5::text[])
       as u(host_id, is_up, latency_ms, method)`,
    [
      ts,
      rows.map((r) => r.hostId),
      rows.map((r) => r.isUp),
      rows.map((r) => r.latencyMs),
      rows.map((r) => r.method),
    ],
  );
}

/**
 * Appends events in a single statement: flips, discoveries and renames, and (through
 * insertPortEvents) port changes, the other kinds host_event holds.
 */
export async function insertEvents(
  q: Queryable,
  ts: Date,
  // Port scans add their own kinds (port_opened…) through the same writer.
  events: readonly (NewEvent | { hostId: number; kind: string; detail: Record<string, unknown> })[],
): Promise<void> {
  if (events.length === 0) return;
  await q.query(
    `insert into host_event (host_id, ts, kind, detail)
     select u.host_id, $1, u.kind, u.detail::jsonb
     from unnest($2::bigint[], $3::text[], $4::text[]) as u(host_id, kind, detail)`,
    [
      ts,
      events.map((e) => e.hostId),
      events.map((e) => e.kind),
      events.map((e) => JSON.stringify(e.detail)),
    ],
  );
}

/** A host's events, newest first, keyset-paged by (ts, id) through an opaque cursor. */
export async function listEvents(
  q: Queryable,
  hostId: number,
  opts: { limit: number; cursor?: string | null; from?: Date; to?: Date },
): Promise<{ items: HostEvent[]; next_cursor: string | null }> {
  const params: SqlParam[] = [hostId, opts.limit + 1];
  const where = ["host_id = $1"];
  if (opts.from) where.push(`ts >= $${params.push(opts.from)}`);
  if (opts.to) where.push(`ts < $${params.push(opts.to)}`);
  const after = opts.cursor ? decodeCursor(opts.cursor) : null;
  if (after) {
    const a = params.push(new Date(after.ts));
    const b = params.push(after.id);
    where.push(`(ts, id) < ($${a}, $${b})`);
  }
  const rows = await q.query<
    { id: number; host_id: number; ts: Date; kind: HostEventKind; detail: unknown }
  >(
    `select id, host_id, ts, kind, detail from host_event where ${where.join(" and ")}
     order by ts desc, id desc limit $2`,
    params,
  );
  const page = rows.map((r) => ({
    id: r.id,
    host_id: r.host_id,
    ts: new Date(r.ts).toISOString(),
    kind: r.kind,
    detail: (typeof r.detail === "string" ? JSON.parse(r.detail) : r.detail) as Record<
      string,
      unknown
    >,
  }));
  return keysetPage(page, opts.limit, (last) => encodeCursor(last.ts, last.id));
}

/**
 * Buckets of `stepS` seconds over [from, to), from raw rows and hourly roll-ups alike: a roll-up
 * row counts in the bucket holding its hour's start, weighted by its sample counts, so a series
 * reads the same before and after the roll-up job (exactly so when the step is whole hours).
 */
export async function statusSeries(
  q: Queryable,
  hostId: number,
  from: Date,
  to: Date,
  stepS: number,
): Promise<StatusBucket[]> {
  const rows = await q.query<{
    b: number;
    samples: number;
    up_samples: number;
    min_l: number | null;
    max_l: number | null;
    avg_l: number | null;
  }>(
    `with src as (
       select floor(extract(epoch from ts)::float8 / $4)::bigint as b, 1 as samples,
              case when is_up then 1 else 0 end as up_samples,
              latency_ms as min_l, latency_ms as max_l, latency_ms as sum_l,
              case when latency_ms is null then 0 else 1 end as n_l
       from host_status where host_id = $1 and ts >= $2 and ts < $3
       union all
       select floor(extract(epoch from hour)::float8 / $4)::bigint, samples, up_samples,
              min_latency_ms, max_latency_ms, avg_latency_ms * latency_samples, latency_samples
       from host_status_hourly where host_id = $1 and hour >= $2 and hour < $3
     )
     select b, sum(samples)::bigint as samples, sum(up_samples)::bigint as up_samples,
            min(min_l) as min_l, max(max_l) as max_l,
            (sum(sum_l) / nullif(sum(n_l), 0))::float8 as avg_l
     from src group by b order by b`,
    [hostId, from, to, stepS],
  );
  return rows.map((r) => ({
    ts: new Date(Number(r.b) * stepS * 1000).toISOString(),
    samples: Number(r.samples),
    up_samples: Number(r.up_samples),
    up_ratio: Number(r.samples) > 0 ? Number(r.up_samples) / Number(r.samples) : 0,
    min_latency_ms: r.min_l,
    avg_latency_ms: r.avg_l,
    max_latency_ms: r.max_l,
  }));
}

/** Samples and up samples of one host in [from, to), raw and rolled-up rows alike. */
export async function windowTotals(
  q: Queryable,
  hostId: number,
  from: Date,
  to: Date,
): Promise<{ samples: number; up_samples: number }> {
  const rows = await q.query<{ samples: number | null; up_samples: number | null }>(
    `select sum(samples)::bigint as samples, sum(up_samples)::bigint as up_samples from (
       select count(*) as samples, count(*) filter (where is_up) as up_samples
       from host_status where host_id = $1 and ts >= $2 and ts < $3
       union all
       select sum(samples), sum(up_samples)
       from host_status_hourly where host_id = $1 and hour >= $2 and hour < $3
     ) t`,
    [hostId, from, to],
  );
  return { samples: Number(rows[0]?.samples ?? 0), up_samples: Number(rows[0]?.up_samples ?? 0) };
}

function encodeCursor(ts: string, id: number): string {
  return btoa(JSON.stringify([ts, id])).replaceAll("+", "-").replaceAll("/", "_").replaceAll(
    "=",
    "",
  );
}

function decodeCursor(cursor: string): { ts: string; id: number } | null {
  try {
    const [ts, id] = JSON.parse(atob(cursor.replaceAll("-", "+").replaceAll("_", "/")));
    if (typeof ts === "string" && Number.isInteger(id) && !Number.isNaN(Date.parse(ts))) {
      return { ts, id };
    }
  } catch { /* fall through */ }
  return null;
}

/** True when `cursor` is one this module produced (routes answer 422 otherwise). */
export function isValidEventCursor(cursor: string): boolean {
  return decodeCursor(cursor) !== null;
}
