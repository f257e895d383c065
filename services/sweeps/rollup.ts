// Roll-up of status history: raw rows older than HISTORY_RAW_DAYS become one row per host per hour.
import type { Db } from "@/services/store/mod.ts";

export interface RollupResult {
  /** Raw rows aggregated and removed. */
  rawRows: number;
  /** Hourly rows created or merged into. */
  hourlyRows: number;
  /** Raw rows before this instant (a whole hour) were rolled up. */
  cutoff: string;
}

const HOUR_MS = 3_600_000;

/** The roll-up boundary: `rawDays` before `now`, rounded down to a whole hour. */
export function rollupCutoff(now: number, rawDays: number): Date {
  const t = now - rawDays * 86_400_000;
  return new Date(Math.floor(t / HOUR_MS) * HOUR_MS);
}

/**
 * Aggregates every raw row before the cutoff into host_status_hourly and deletes it, in one
 * transaction, so a sample is always counted exactly once (raw or hourly, never both). Hours that
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
    const merged = await tx.query<{ host_id: number }>(
      `insert into host_status_hourly as h (host_id, hour, samples, up_samples, up_ratio,
         latency_samples, min_latency_ms, avg_latency_ms, max_latency_ms)
       select host_id, date_trunc('hour', ts at time zone 'UTC') at time zone 'UTC',
              count(*), count(*) filter (where is_up),
              (count(*) filter (where is_up))::float8 / count(*),
              count(latency_ms), min(latency_ms), avg(latency_ms), max(latency_ms)
       from host_status where ts < $1
       group by 1, 2
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
       returning host_id`,
      [cutoff],
    );
    const [deleted] = await tx.query<{ n: number }>(
      `with d as (delete from host_status where ts < $1 returning 1) select count(*)::int as n from d`,
      [cutoff],
    );
    return {
      rawRows: Number(deleted?.n ?? 0),
      hourlyRows: merged.length,
      cutoff: cutoff.toISOString(),
    };
  });
}
