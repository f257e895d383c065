// Quick search: decides what the query looks like (address, prefix, CIDR, MAC, tag, text) and finds hosts and subnets.
import type { Queryable } from "@/services/store/mod.ts";
import { parseCidr, tryParseIp } from "./cidr.ts";
import { type HostFilter, type HostRecord, listHosts } from "./host_repo.ts";
import { normalizeMac } from "./input_schemas.ts";
import { listSubnets, type SubnetFilter, type SubnetRecord } from "./subnet_repo.ts";

export type SearchKind = "ip" | "cidr" | "prefix" | "mac" | "tag" | "text";

export interface SearchResults {
  query: string;
  kind: SearchKind;
  subnets: SubnetRecord[];
  hosts: HostRecord[];
  /** True when either list was cut at the limit. */
  truncated: boolean;
}

export interface SearchPlan {
  kind: SearchKind;
  hosts: HostFilter;
  subnets: SubnetFilter;
}

const IPV4_PREFIX = /^\d{1,3}(\.\d{1,3}){0,3}\.?$/;
/** Hex groups with at least one colon: an IPv6 prefix or a partial MAC. */
const HEX_COLON_PREFIX = /^[0-9a-f]{0,4}(:[0-9a-f]{0,4})+$/i;

/** Turns the user's text into filters; pure, so the interpretation is easy to test. */
export function planSearch(query: string): SearchPlan {
  const q = query.trim();
  const tag = /^tag:(.+)$/i.exec(q);
  if (tag) return { kind: "tag", hosts: { tag: tag[1].trim() }, subnets: { tag: tag[1].trim() } };
  const ip = tryParseIp(q);
  if (ip) return { kind: "ip", hosts: { ip: ip.ip }, subnets: { containing: ip.ip } };
  if (q.includes("/")) {
    try {
      const c = parseCidr(q, { normalize: true });
      return { kind: "cidr", hosts: { within: c.cidr }, subnets: { overlapping: c.cidr } };
    } catch { /* not a prefix: search it as text */ }
  }
  const mac = normalizeMac(q);
  // Subnets have no MAC: the empty filter is never run (see quickSearch).
  if (mac) return { kind: "mac", hosts: { mac }, subnets: {} };
  if ((IPV4_PREFIX.test(q) && q.includes(".")) || HEX_COLON_PREFIX.test(q)) {
    return { kind: "prefix", hosts: { prefix: q }, subnets: { prefix: q } };
  }
  return { kind: "text", hosts: { q }, subnets: { q } };
}

/** Runs the plan; each list is capped at `limit` (default 50). */
export async function quickSearch(
  q: Queryable,
  query: string,
  opts: { limit?: number } = {},
): Promise<SearchResults> {
  const limit = opts.limit ?? 50;
  const plan = planSearch(query);
  const skipSubnets = plan.kind === "mac";
  const [subnets, exact] = await Promise.all([
    skipSubnets ? [] : listSubnets(q, { ...plan.subnets, limit: limit + 1 }),
    listHosts(q, { ...plan.hosts, limit: limit + 1 }),
  ]);
  // No host at exactly that address: "203.0.113.5" still finds .53 and .54 as a prefix.
  const hosts = plan.kind === "ip" && exact.length === 0
    ? await listHosts(q, { prefix: plan.hosts.ip, limit: limit + 1 })
    : exact;
  // For an address, the most specific containing subnet is the interesting one: list it first.
  if (plan.kind === "ip") subnets.reverse();
  return {
    query: query.trim(),
    kind: plan.kind,
    subnets: subnets.slice(0, limit),
    hosts: hosts.slice(0, limit),
    truncated: subnets.length > limit || hosts.length > limit,
  };
}
