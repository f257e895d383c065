// The folded address view of one subnet, with live state from KV: what the API and the page show.
import { AppError } from "@/services/errors.ts";
import type { Db } from "@/services/store/mod.ts";
import { parseCidr, parseIp } from "./cidr.ts";
import {
  expandGap,
  foldAddresses,
  type FoldedGap,
  nextFree,
  type Utilization,
  utilization,
} from "./fold.ts";
import { type HostRecord, listHosts, usedIpsIn } from "./host_repo.ts";
import { type HostState, type HostStatus, readHostStates, statusOf } from "./host_state.ts";
import type { SubnetRecord } from "./subnet_repo.ts";

export type AddressOrder = "address" | "alive_first";

/** A host as it appears in the folded view: the record plus its live status. */
export interface AddressHostRow extends HostRecord {
  kind: "host";
  status: HostStatus;
  latency_ms: number | null;
  /** When the current status began (ISO), if discovery knows. */
  status_since: string | null;
}

export type AddressRow = AddressHostRow | FoldedGap;

export interface SubnetAddresses {
  utilization: Utilization;
  rows: AddressRow[];
  total_rows: number;
  offset: number;
  next_offset: number | null;
  /** Lowest free usable address, or null when the subnet is full. */
  next_free: string | null;
}

export interface AddressViewOptions {
  order?: AddressOrder;
  offset?: number;
  /** Rows per page; absent = all rows. */
  limit?: number;
}

const isoMs = (ms: number | null | undefined) =>
  ms == null || ms <= 0 ? null : new Date(ms).toISOString();

/** Merges the KV state into a host record. */
export function withStatus(host: HostRecord, state: HostState | undefined): AddressHostRow {
  const lastSeen = isoMs(state?.last_seen);
  return {
    ...host,
    kind: "host",
    status: statusOf(state),
    latency_ms: state?.up ? state.latency_ms : null,
    status_since: isoMs(state?.since),
    // The live value is newer than the stored one whenever both exist.
    last_seen_at: lastSeen && (!host.last_seen_at || lastSeen > host.last_seen_at)
      ? lastSeen
      : host.last_seen_at,
  };
}

/** Hosts with their live status, in address order. */
export async function hostsWithStatus(
  kv: Deno.Kv,
  hosts: readonly HostRecord[],
): Promise<AddressHostRow[]> {
  const states = await readHostStates(kv, hosts.map((h) => h.ip));
  return hosts.map((h) => withStatus(h, states.get(h.ip)));
}

const RANK: Record<HostStatus, number> = { up: 0, down: 1, unknown: 2 };

/**
 * Every host inside the subnet's prefix (child subnets included: their addresses are not free
 * here either) and one gap row per unused range. Cost is one query, one KV scan and one sort,
 * never an enumeration of the prefix.
 */
export async function loadSubnetAddresses(
  db: Db,
  kv: Deno.Kv,
  subnet: SubnetRecord,
  opts: AddressViewOptions = {},
): Promise<SubnetAddresses> {
  const cidr = parseCidr(subnet.cidr);
  const hosts = await hostsWithStatus(kv, await listHosts(db, { within: subnet.cidr }));
  const folded = foldAddresses(cidr, hosts);
  const alive = hosts.filter((h) => h.status === "up").length;
  const firstGap = folded.find((r): r is FoldedGap => r.kind === "gap");
  let rows: AddressRow[] = folded as AddressRow[];
  if (opts.order === "alive_first") {
    // Hosts by status, each group in address order (the sort is stable), then the free ranges.
    const hostRows = folded.filter((r): r is AddressHostRow => r.kind === "host")
      .sort((a, b) => RANK[a.status] - RANK[b.status]);
    rows = [...hostRows, ...folded.filter((r): r is FoldedGap => r.kind === "gap")];
  }
  const offset = opts.offset ?? 0;
  const end = opts.limit === undefined ? rows.length : offset + opts.limit;
  return {
    utilization: utilization(cidr, hosts.length, alive),
    rows: rows.slice(offset, end),
    total_rows: rows.length,
    offset,
    next_offset: end < rows.length ? end : null,
    next_free: firstGap?.first ?? null,
  };
}

/** Lowest free usable address of the subnet (child subnets' hosts count as used), or null. */
export async function nextFreeAddress(db: Db, subnet: SubnetRecord): Promise<string | null> {
  return nextFree(subnet.cidr, await usedIpsIn(db, subnet.cidr));
}

export interface FreePage {
  first: string;
  last: string;
  /** Addresses in the requested range, as a decimal string. */
  total: string;
  /** Free addresses of this page (addresses taken since the page was drawn are left out). */
  items: string[];
  next_offset: number | null;
}

/** One page of the real addresses of a gap, minus any that became used meanwhile. */
export async function expandFree(
  db: Db,
  subnet: SubnetRecord,
  first: string,
  last: string,
  opts: { offset?: number; limit?: number } = {},
): Promise<FreePage> {
  const page = expandGap(subnet.cidr, first, last, opts);
  const used = page.items.length
    ? new Set(
      await usedIpsIn(db, subnet.cidr, { first: page.items[0], last: page.items.at(-1)! }),
    )
    : new Set<string>();
  return {
    first: parseIp(first).ip,
    last: parseIp(last).ip,
    total: page.total,
    items: page.items.filter((ip) => !used.has(ip)),
    next_offset: page.next_offset,
  };
}

/** Parses `first-last` (IPv6 has no "-", so the dash is unambiguous). */
export function parseRangeParam(text: string): { first: string; last: string } {
  const parts = text.split("-");
  if (parts.length !== 2 || !parts[0].trim() || !parts[1].trim()) {
    throw new AppError(
      422,
      "invalid_gap",
      `expand must be first-last like 198.51.100.15-198.51.100.200, got ${
        JSON.stringify(text.slice(0, 100))
      }`,
    );
  }
  return { first: parts[0].trim(), last: parts[1].trim() };
}
