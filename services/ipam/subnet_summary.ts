// Subnets with their tree depth and utilization (used/alive/free), for the dashboard and the API.
import type { Queryable, StateStore } from "@/services/store/mod.ts";
import { parseCidr } from "./cidr.ts";
import { type Utilization, utilization } from "./fold.ts";
import { listUpIps } from "./host_state.ts";
import { listSubnets, type SubnetFilter, type SubnetRecord, subnetUsage } from "./subnet_repo.ts";

export interface SubnetSummary extends SubnetRecord {
  /** 0 for a top-level subnet, 1 for its children, ... (relative to the listed set). */
  depth: number;
  utilization: Utilization;
}

/**
 * Depth of each subnet in address order: a subnet is nested under every earlier one whose
 * range still contains it (the order is the tree's pre-order walk).
 */
export function treeDepths(subnets: readonly Pick<SubnetRecord, "cidr">[]): number[] {
  const stack: Array<{ family: number; last: bigint }> = [];
  return subnets.map((s) => {
    const c = parseCidr(s.cidr);
    while (
      stack.length &&
      (stack[stack.length - 1].family !== c.family || stack[stack.length - 1].last < c.first)
    ) {
      stack.pop();
    }
    const depth = stack.length;
    stack.push({ family: c.family, last: c.last });
    return depth;
  });
}

/** Adds utilization to already loaded subnets (one SQL query and one KV scan for all). */
export async function summarize(
  q: Queryable,
  kv: StateStore,
  subnets: readonly SubnetRecord[],
  opts: {
    all?: boolean;
    upIps?: readonly string[];
    /** Every subnet's counts when the caller has them already (the dashboard's status board). */
    usage?: ReadonlyMap<number, { used: number; alive: number }>;
  } = {},
): Promise<SubnetSummary[]> {
  if (subnets.length === 0) return [];
  const usage = opts.usage ?? await subnetUsage(
    q,
    opts.upIps ?? await listUpIps(kv),
    opts.all ? undefined : subnets.map((s) => s.id),
  );
  const depths = treeDepths(subnets);
  return subnets.map((s, i) => {
    const u = usage.get(s.id) ?? { used: 0, alive: 0 };
    return { ...s, depth: depths[i], utilization: utilization(s.cidr, u.used, u.alive) };
  });
}

/** listSubnets plus utilization and depth. */
export async function listSubnetSummaries(
  q: Queryable,
  kv: StateStore,
  filter: SubnetFilter = {},
  opts: {
    upIps?: readonly string[];
    usage?: ReadonlyMap<number, { used: number; alive: number }>;
  } = {},
): Promise<SubnetSummary[]> {
  const subnets = await listSubnets(q, filter);
  const unfiltered = Object.values(filter).every((v) => v === undefined || v === "");
  return await summarize(q, kv, subnets, { all: unfiltered, ...opts });
}
