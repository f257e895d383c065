// GET /api/v1/stats: inventory and scan counts from SQL plus "alive now" from the live KV state.
import type { Queryable, StateStore } from "@/services/store/mod.ts";
import { type PortStats, portStats } from "@/services/portscans/mod.ts";
import { countUp } from "@/services/sweeps/mod.ts";

export interface Stats extends PortStats {
  /** Hosts whose live state is up right now. */
  alive: number;
  generated_at: string;
}

const DAY_MS = 86_400_000;

export async function loadStats(
  deps: { db: Queryable; kv: StateStore; now: () => number },
  opts: { top?: number } = {},
): Promise<Stats> {
  const now = deps.now();
  const [sql, alive] = await Promise.all([
    portStats(deps.db, { since: new Date(now - DAY_MS), top: opts.top ?? 10 }),
    countUp(deps.kv),
  ]);
  return { ...sql, alive, generated_at: new Date(now).toISOString() };
}
