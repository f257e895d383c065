// Everything the dashboard page reads, in one go and shared by concurrent requests (through
// read_memo.ts). The up set comes from the host-state cache; the rest is a handful of queries.
import { listSubnetSummaries, listUpIps } from "@/services/ipam/mod.ts";
import {
  indicatorCounts,
  type IndicatorStatus,
  listIndicatorRows,
} from "@/services/inventory/mod.ts";
import { listEvents } from "@/services/alerts/mod.ts";
import { memoRead, type Queryable, type StateStore } from "@/services/store/mod.ts";
import { type AliveFilter, aliveFilterOptions, listAliveHosts } from "./alive_hosts.ts";
import { loadStatusBoard } from "./status_board.ts";

export interface DashboardInput {
  filter: AliveFilter;
  indicatorStatus: IndicatorStatus | null;
  /** Alive rows to read (the page shows the last page of them). */
  aliveLimit: number;
  board: { subnetLimit: number; downLimit: number; downOffset: number };
}

export type DashboardData = Awaited<ReturnType<typeof readDashboard>>;

async function readDashboard(deps: { db: Queryable; kv: StateStore }, input: DashboardInput) {
  const { db, kv } = deps;
  const upIps = await listUpIps(kv);
  // The board counts every subnet and the totals in one statement first; the subnet list and the
  // alive list reuse those counts instead of sending every live address to SQL again (at 100,000
  // hosts each copy cost about a quarter of a second).
  const board = await loadStatusBoard(db, kv, input.board);
  const totals = { hosts: board.totals.hosts, alive: board.totals.up };
  const [subnets, latest, alive, options, indicatorTotals, indicatorRows] = await Promise.all([
    listSubnetSummaries(db, kv, {}, { usage: board.usage }),
    listEvents(db, { limit: 6 }),
    listAliveHosts(db, kv, { ...input.filter, limit: input.aliveLimit }, upIps, totals.alive),
    aliveFilterOptions(db),
    indicatorCounts(db),
    listIndicatorRows(db, { status: input.indicatorStatus ?? undefined, limit: 50 }),
  ]);
  return { board, subnets, latest, totals, alive, options, indicatorTotals, indicatorRows };
}

/** The dashboard's data for these filters; concurrent and recent identical reads share one. */
export function loadDashboard(
  deps: { db: Queryable; kv: StateStore },
  input: DashboardInput,
): Promise<DashboardData> {
  return memoRead(deps.db, JSON.stringify(["dashboard", input]), () => readDashboard(deps, input), {
    live: true,
  });
}
