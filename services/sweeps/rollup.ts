// Roll-up of status history: raw rows older than HISTORY_RAW_DAYS become one row per host per hour.
import { type Db, dropHistoryBefore, periodStart } from "@/services/store/mod.ts";

export interface RollupResult {
  /** Raw rows aggregated and removed. */
  rawRows: number;
  /** Hourly rows created or merged into. */
  hourlyRows: number;
  /** Raw rows before this instant (a whole UTC day) were rolled up. */
  cutoff: string;
  /** Day partitions of host_status dropped whole. */
  partitions: string[];
}

/**
 * The roll-up boundary: `rawDays` before `now`, rounded down to a whole UTC day — host_status is
 * partitioned by day, so the rolled-up rows go by dropping whole partitions, never by DELETE.
 */
export function rollupCutoff(now: number, rawDays: number): Date {
  return periodStart(new Date(now - rawDays * 86_400_000), "day");
}

/**
 * Aggregates every raw row before the cutoff into host_status_hourly and drops the day partitions
 * that held them (rows that waited in the default partition are deleted), in one transaction, so a sample is always counted exactly once (raw or hourly, never both). Hours that
 * already have a roll-up (raw rows that arrived late) are merged with sample-weighted averages.
 * Safe to run again: a second run finds nothing to do. Callers hold a lease so two instances never
 * roll up at once.
 */
export async function rollUp(
  db: Db,
  opts: { now: number; rawDays: number },
): Promise<RollupResult> {
  const cutoff = rollupCutoff(opts.now, opts.rawDays);
  return await db.tx(async (tx) => {
    const [merged] = await tx.query<{ raw: number; hourly: number }>(
      `with agg as (
         select host_id, date_trunc('hour', ts at time zone 'UTC') at time zone 'UTC' as hour,
                count(*) as samples, count(*) filter (where is_up) as up_samples,
                (count(*) filter (where is_up))::float8 / count(*) as up_ratio,
                count(latency_ms) as latency_samples, min(latency_ms) as min_l,
                avg(latency_ms) as avg_l, max(latency_ms) as max_l
         from host_status where ts < $1
         group by 1, 2
       ), ins as (
       insert into host_status_hourly as h (host_id, hour, samples, up_samples, up_ratio,
         latency_samples, min_latency_ms, avg_latency_ms, max_latency_ms)
       select host_id, hour, samples, up_samples, up_ratio, latency_samples, min_l, avg_l, max_l
       from agg
       on conflict (host_id, hour) do update set
         samples = h.samples + excluded.samples,
         up_samples = h.up_samples + excluded.up_samples,
         up_ratio = (h.up_samples + excluded.up_samples)::float8 / (h.samples + excluded.samples),
         latency_samples = h.latency_samples + excluded.latency_samples,
         min_latency_ms = least(h.min_latency_ms, excluded.min_latency_ms),
         max_latency_ms = greatest(h.max_latency_ms, excluded.max_latency_ms),
         avg_latency_ms = case when h.latency_samples + excluded.latency_samples = 0 then null
           else (coalesce(h.avg_latency_ms * h.latency_samples, 0)
                 + coalesce(excluded.avg_latency_ms * excluded.latency_samples, 0))
                / (h.latency_samples + excluded.latency_samples) end
       returning 1)
       select (select coalesce(sum(samples), 0) from agg)::bigint as raw,
              (select count(*) from ins)::bigint as hourly`,
      [cutoff],
    );
    const dropped = await dropHistoryBefore(tx, "host_status", cutoff);
    return {
      rawRows: Number(merged?.raw ?? 0),
      hourlyRows: Number(merged?.hourly ?? 0),
      cutoff: cutoff.toISOString(),
      partitions: dropped.partitions,
    };
  });
}
