// Time partitions of the history tables (migration 0100): created ahead by the scheduler, and
// retention that drops whole partitions instead of deleting rows.
import type { Db, Queryable } from "./db.ts";

export type PartitionUnit = "day" | "month";

/**
 * Every time-partitioned table, its partition key and period. Day partitions where retention is
 * counted in days (raw status rows, raw flows, the NetFlow minute roll-ups): retention then drops
 * exactly the expired days. Month partitions for the hourly status roll-up, which is kept for good:
 * twelve partitions a year instead of 365.
 */
export const HISTORY_TABLES = {
  host_status: { column: "ts", unit: "day" },
  host_status_hourly: { column: "hour", unit: "month" },
  netflow_flow: { column: "end_at", unit: "day" },
  netflow_pair_minute: { column: "minute", unit: "day" },
  netflow_port_minute: { column: "minute", unit: "day" },
} as const satisfies Record<string, { column: string; unit: PartitionUnit }>;

export type HistoryTable = keyof typeof HISTORY_TABLES;

/**
 * Periods created ahead of time: a week of days (the scheduler may be down that long before rows
 * fall into the default partition) and two months.
 */
const AHEAD: Record<PartitionUnit, number> = { day: 7, month: 2 };
/** Rows in a default partition younger than this get their own partition (older ones expire). */
const DRAIN_DAYS = 31;
const DAY_MS = 86_400_000;
/**
 * Creating or dropping a partition needs a short exclusive lock on its table; behind a long read it
 * would queue every insert. Give up after this and try again next run (partitions exist ahead).
 */
const LOCK_TIMEOUT = "5s";

/** The start of `unit` holding `t`, in UTC. */
export function periodStart(t: Date, unit: PartitionUnit): Date {
  return unit === "day"
    ? new Date(Math.floor(t.getTime() / DAY_MS) * DAY_MS)
    : new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), 1));
}

/**
 * Creates each history table's partitions for the current period and the next ones (a week of
 * days, two months), and moves rows that landed in a default partition in the last month into
 * partitions of their own. Idempotent; the scheduler role runs it hourly. Returns the partitions
 * it created.
 */
export async function ensureHistoryPartitions(db: Db, now: number): Promise<string[]> {
  const created: string[] = [];
  const drainFrom = new Date(now - DRAIN_DAYS * DAY_MS);
  for (const [table, { column, unit }] of Object.entries(HISTORY_TABLES)) {
    // One transaction per table: a lock time-out postpones one table, not all.
    const names = await db.tx(async (tx) => {
      await tx.exec(`set local lock_timeout = '${LOCK_TIMEOUT}'`);
      return await tx.query<{ name: string }>(
        `select history_partitions_ensure($1, $2, $3, $4, $5, $6) as name`,
        [table, column, unit, new Date(now), AHEAD[unit], drainFrom],
      );
    });
    created.push(...names.map((r) => r.name));
  }
  return created;
}

export interface DropResult {
  /** Partitions dropped whole. */
  partitions: string[];
  /** Rows deleted one by one: expired rows that waited in the default partition. */
  defaultRows: number;
}

/**
 * Retention of one history table: drops its partitions that end at or before `before` (floored to
 * the table's period, so no partition is cut) and deletes the expired rows still in the default
 * partition — normally none. Runs inside the caller's transaction `tx` (the status roll-up
 * aggregates and drops in one; the lock time-out is set for that transaction).
 */
export async function dropHistoryBefore(
  tx: Queryable,
  table: HistoryTable,
  before: Date,
): Promise<DropResult> {
  const { column, unit } = HISTORY_TABLES[table];
  const cutoff = periodStart(before, unit);
  await tx.exec(`set local lock_timeout = '${LOCK_TIMEOUT}'`);
  const dropped = await tx.query<{ name: string }>(
    `select history_partitions_drop_before($1, $2) as name`,
    [table, cutoff],
  );
  // Only the default partition can still hold rows before the cutoff: the planner prunes the rest.
  const [left] = await tx.query<{ n: number }>(
    `with gone as (delete from ${table} where ${column} < $1 returning 1)
     select count(*)::int as n from gone`,
    [cutoff],
  );
  return { partitions: dropped.map((r) => r.name), defaultRows: Number(left?.n ?? 0) };
}
