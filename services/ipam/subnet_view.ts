// The folded address view of one subnet, with live state from KV: what the API and the page show.
import { AppError } from "@/services/errors.ts";
import type { Db, Queryable, StateStore } from "@/services/store/mod.ts";
import { bigIntToIp, parseCidr, type ParsedCidr, parseIp } from "./cidr.ts";
import {
  drawGap,
  expandGap,
  type FoldedGap,
  type FoldMark,
  foldSortedValues,
  nextFree,
  type Utilization,
  utilization,
} from "./fold.ts";
import { type HostRecord, listHostsByIp, usedIpsIn } from "./host_repo.ts";
import { type AddressIndex, addressIndex, indexRange } from "./address_index.ts";
import { type HostState, type HostStatus, readHostStates, statusOf } from "./host_state.ts";
import { hostStateSnapshot } from "./host_state_cache.ts";
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
  /** Offset of the window before this one, or null on the first. */
  prev_offset: number | null;
  /** Lowest free usable address, or null when the subnet is full. */
  next_free: string | null;
  /** With `at`: the row holding that address (its host row or the gap around it), else null. */
  at_row: AddressRow | null;
}

export interface AddressViewOptions {
  order?: AddressOrder;
  offset?: number;
  /** Rows per page; absent = all rows. */
  limit?: number;
  /**
   * Jump to an address: the window (aligned to `limit`) holding its row wins over `offset`.
   * @throws AppError 422 invalid_ip when it does not parse, not_in_subnet when it lies elsewhere.
   */
  at?: string;
}

/**
 * Epoch ms as ISO text. Every listed host converts two times, and under load that was a fifth of
 * an API call's CPU; hosts of one sweep share their times, so recent answers are kept.
 */
const isoByMs = new Map<number, string>();
const ISO_KEPT = 4096;
function isoMs(ms: number | null | undefined): string | null {
  if (ms == null || ms <= 0) return null;
  let iso = isoByMs.get(ms);
  if (iso === undefined) {
    if (isoByMs.size >= ISO_KEPT) isoByMs.clear();
    iso = new Date(ms).toISOString();
    isoByMs.set(ms, iso);
  }
  return iso;
}

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
  kv: StateStore,
  hosts: readonly HostRecord[],
): Promise<AddressHostRow[]> {
  const states = await readHostStates(kv, hosts.map((h) => h.ip));
  return hosts.map((h) => withStatus(h, states.get(h.ip)));
}

const RANK: Record<HostStatus, number> = { up: 0, down: 1, unknown: 2 };

/** The text every address of an IPv4 prefix of /8 or longer starts with: "10.21." for a /16. */
export function addressTextPrefix(c: ParsedCidr): string | undefined {
  if (c.family !== 4 || c.prefix < 8) return undefined;
  const octets = bigIntToIp(c.first, 4).split(".").slice(0, Math.min(3, Math.floor(c.prefix / 8)));
  return `${octets.join(".")}.`;
}

/** Index of the mark holding `value` in address-ordered marks (binary search), or -1. */
function markIndexOf(marks: readonly FoldMark[], value: bigint): number {
  let lo = 0;
  let hi = marks.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (value < marks[mid].first) hi = mid - 1;
    else if (value > marks[mid].last) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/** A prefix's inventoried addresses, sorted, and their fold: what a subnet page is drawn from. */
interface PrefixFold {
  ips: string[];
  marks: FoldMark[];
}

/** Folds by prefix, per address index (so a new index, after a change of hosts, starts empty). */
const folds = new WeakMap<AddressIndex, Map<string, PrefixFold>>();
/** Prefixes whose fold is kept (each of a /16 is a few MB). */
const FOLDS_KEPT = 8;

/**
 * The fold of every address inside `cidr`, made once per change of the set of inventoried
 * addresses (address_index.ts): while a fleet's sweeps stream in, the addresses stay the same and
 * a /17 page no longer reads and folds its 32,766 addresses on every request.
 */
async function prefixFold(db: Queryable, cidr: ParsedCidr): Promise<PrefixFold> {
  const index = await addressIndex(db);
  let byCidr = folds.get(index);
  if (!byCidr) folds.set(index, byCidr = new Map());
  let fold = byCidr.get(cidr.cidr);
  if (fold) {
    byCidr.delete(cidr.cidr);
  } else {
    const [from, to] = indexRange(index, cidr.family, cidr.first, cidr.last);
    const ips = index.ips.slice(from, to);
    const addresses = ips.map((ip, i) => ({ ip, value: index.values[from + i] }));
    fold = { ips, marks: foldSortedValues(cidr, addresses) };
  }
  byCidr.set(cidr.cidr, fold);
  while (byCidr.size > FOLDS_KEPT) byCidr.delete(byCidr.keys().next().value!);
  return fold;
}

/**
 * Every host inside the subnet's prefix (child subnets included: their addresses are not free
 * here either) and one gap row per unused range, a window at a time. The fold covers every
 * address (so gap rows are exact whatever the window), but rows are drawn and full host records
 * read only for the window: cost is the prefix's fold (kept while the host set is unchanged), one
 * lookup per address in the live state and a window-sized query, never an enumeration of the
 * prefix.
 */
export async function loadSubnetAddresses(
  db: Db,
  kv: StateStore,
  subnet: SubnetRecord,
  opts: AddressViewOptions = {},
): Promise<SubnetAddresses> {
  const cidr = parseCidr(subnet.cidr);
  const { ips, marks: byAddress } = await prefixFold(db, cidr);
  // The process cache as it is (a copy of 32,766 of its entries cost more than the page).
  const states: ReadonlyMap<string, HostState> = await hostStateSnapshot(kv) ??
    await readHostStates(kv, ips, { textPrefix: addressTextPrefix(cidr) });
  let alive = 0;
  for (const ip of ips) if (states.get(ip)?.up) alive++;
  const firstGap = byAddress.find((m) => m.kind === "gap");
  let marks = byAddress;
  if (opts.order === "alive_first") {
    // Hosts by status, each group in address order (the sort is stable), then the free ranges.
    const rank = (m: FoldMark) => RANK[statusOf(states.get(m.ip!))];
    const hostMarks = byAddress.filter((m) => m.kind === "host").sort((a, b) => rank(a) - rank(b));
    marks = [...hostMarks, ...byAddress.filter((m) => m.kind === "gap")];
  }
  let offset = opts.offset ?? 0;
  let atMark: FoldMark | null = null;
  if (opts.at !== undefined) {
    const target = parseIp(opts.at);
    if (target.family !== cidr.family || target.value < cidr.first || target.value > cidr.last) {
      throw new AppError(422, "not_in_subnet", `${target.ip} is not inside ${cidr.cidr}`);
    }
    const i = markIndexOf(byAddress, target.value);
    // Network and broadcast addresses have no row of their own: the nearest row stands for them.
    const mark = byAddress[i] ??
      (target.value < (byAddress[0]?.first ?? 0n) ? byAddress[0] : byAddress.at(-1));
    if (mark) {
      atMark = mark;
      const index = marks.indexOf(mark);
      offset = opts.limit ? Math.floor(index / opts.limit) * opts.limit : 0;
    }
  }
  const end = opts.limit === undefined ? marks.length : offset + opts.limit;
  const slice = marks.slice(offset, end);
  const windowIps = slice.filter((m) => m.kind === "host").map((m) => m.ip!);
  const records = new Map(
    (windowIps.length ? await listHostsByIp(db, windowIps) : []).map((h) => [h.ip, h]),
  );
  const rows: AddressRow[] = [];
  let atRow: AddressRow | null = null;
  for (const m of slice) {
    let row: AddressRow;
    if (m.kind === "gap") row = drawGap(m, cidr.family);
    else {
      const record = records.get(m.ip!);
      // A host deleted between the two queries simply drops out of this window.
      if (!record) continue;
      row = withStatus(record, states.get(record.ip));
    }
    if (m === atMark) atRow = row;
    rows.push(row);
  }
  return {
    utilization: utilization(cidr, ips.length, alive),
    rows,
    total_rows: marks.length,
    offset,
    next_offset: end < marks.length ? end : null,
    prev_offset: offset > 0 ? Math.max(0, offset - (opts.limit ?? offset)) : null,
    next_free: firstGap ? bigIntToIp(firstGap.first, cidr.family) : null,
    at_row: atRow,
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
