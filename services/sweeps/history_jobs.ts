// The scheduler's periodic history work, one list for every scheduler (the single box's and the
// scaled-out one): partitions created ahead, then the daily roll-up that drops old raw partitions.
import type { Db } from "@/services/store/mod.ts";
import { ensureHistoryPartitions } from "@/services/store/mod.ts";
import { log } from "@/services/logger.ts";
import { rollUp } from "./rollup.ts";
import type { PeriodicJob } from "./sweep_scheduler.ts";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export function historyJobs(o: { db: Db; now: () => number; rawDays: number }): PeriodicJob[] {
  return [{
    // First, so a fresh start has today's partitions before the first roll-up; hourly, so a
    // missed run costs nothing (partitions exist a week ahead).
    name: "history-partitions",
    everyMs: HOUR_MS,
    run: async () => {
      const created = await ensureHistoryPartitions(o.db, o.now());
      if (created.length) log.info("history partitions created", { created });
    },
  }, {
    name: "rollup",
    everyMs: DAY_MS,
    run: () => rollUp(o.db, { now: o.now(), rawDays: o.rawDays }),
  }];
}
