// Folded subnet view: known hosts in address order with unused ranges collapsed into gap rows.
import { AppError } from "@/services/errors.ts";
import {
  bigIntToIp,
  type IpFamily,
  parseCidr,
  type ParsedCidr,
  parseIp,
  tryParseIp,
  usableRange,
} from "./cidr.ts";

/** A host row: the caller's object, unchanged, tagged with `kind: "host"`. */
export type FoldedHost<T> = Omit<T, "kind"> & { kind: "host" };

/** A run of unused addresses; `count` is an exact decimal string (IPv6 ranges exceed 2^53). */
export interface FoldedGap {
  kind: "gap";
  first: string;
  last: string;
  count: string;
}

export type FoldedRow<T> = FoldedHost<T> | FoldedGap;

export interface FoldOptions {
  /**
   * Also show the IPv4 network/broadcast (IPv6: network) addresses inside gaps.
   * Default false: gaps cover only the usable range (see cidr.ts usableRange).
   */
  includeReserved?: boolean;
}

export interface ExpandGapOptions extends FoldOptions {
  /** Index of the first address to return, counted from `first`. Default 0. */
  offset?: number;
  /** Page size, 1..1024. Default 256. */
  limit?: number;
}

export interface GapPage {
  items: string[];
  /** Number of addresses in the whole gap, as a decimal string. */
  total: string;
  /** Offset of the next page, or null when this page reaches `last`. */
  next_offset: number | null;
}

export interface Utilization {
  /** All addresses in the prefix. */
  size: string;
  /** Addresses a host may use (see usableRange). */
  usable: string;
  used: string;
  alive: string;
  /** usable - used, never below 0. */
  free: string;
  /** used / usable in percent, floored to 2 decimals and capped at 100. */
  percent_used: number;
}

export const EXPAND_GAP_MAX_LIMIT = 1024;

function asCidr(cidr: string | ParsedCidr): ParsedCidr {
  return typeof cidr === "string" ? parseCidr(cidr) : cidr;
}

function viewRange(c: ParsedCidr, opts: FoldOptions): { first: bigint; last: bigint } {
  return opts.includeReserved ? { first: c.first, last: c.last } : usableRange(c);
}

function gap(first: bigint, last: bigint, family: IpFamily): FoldedGap {
  return {
    kind: "gap",
    first: bigIntToIp(first, family),
    last: bigIntToIp(last, family),
    count: (last - first + 1n).toString(),
  };
}

/**
 * Builds the folded view of `cidr`: every host inside the prefix (including one recorded on
 * a network or broadcast address) as a host row, and one gap row per contiguous unused range
 * of the usable range. Hosts outside the prefix, of the other family or with an unparseable
 * `ip` are left out. Hosts may come in any order; cost is one sort, never an enumeration of
 * the range, so a /64 with a thousand hosts is as cheap as a /24.
 */
export function foldAddresses<T extends { ip: string }>(
  cidr: string | ParsedCidr,
  hosts: readonly T[],
  opts: FoldOptions = {},
): FoldedRow<T>[] {
  const c = asCidr(cidr);
  const range = viewRange(c, opts);
  const inside: Array<{ value: bigint; host: T }> = [];
  for (const host of hosts) {
    const parsed = tryParseIp(host.ip);
    if (parsed && parsed.family === c.family && parsed.value >= c.first && parsed.value <= c.last) {
      inside.push({ value: parsed.value, host });
    }
  }
  inside.sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));

  const rows: FoldedRow<T>[] = [];
  let cursor = range.first; // lowest usable address not yet covered by a row
  for (const { value, host } of inside) {
    if (value > cursor && cursor <= range.last) {
      const end = value - 1n < range.last ? value - 1n : range.last;
      rows.push(gap(cursor, end, c.family));
    }
    const row = { ...host, kind: "host" } as FoldedHost<T>;
    rows.push(row);
    if (value + 1n > cursor) cursor = value + 1n;
  }
  if (cursor <= range.last) rows.push(gap(cursor, range.last, c.family));
  return rows;
}

/** A folded row before it is drawn: a host's address or a gap's bounds, as numbers. */
export interface FoldMark {
  kind: "host" | "gap";
  first: bigint;
  last: bigint;
  /** The host's address text (host marks only). */
  ip?: string;
}

/**
 * The fold of {@link foldAddresses} over addresses already parsed and sorted (ascending, inside
 * the prefix), with no text made: a subnet page draws only its window, so turning 20,000 rows into
 * strings would be wasted. {@link drawMark} turns one mark into its row.
 */
export function foldSortedValues(
  cidr: string | ParsedCidr,
  hosts: ReadonlyArray<{ ip: string; value: bigint }>,
  opts: FoldOptions = {},
): FoldMark[] {
  const c = asCidr(cidr);
  const range = viewRange(c, opts);
  const marks: FoldMark[] = [];
  let cursor = range.first;
  for (const h of hosts) {
    if (h.value > cursor && cursor <= range.last) {
      marks.push({
        kind: "gap",
        first: cursor,
        last: h.value - 1n < range.last ? h.value - 1n : range.last,
      });
    }
    marks.push({ kind: "host", first: h.value, last: h.value, ip: h.ip });
    if (h.value + 1n > cursor) cursor = h.value + 1n;
  }
  if (cursor <= range.last) marks.push({ kind: "gap", first: cursor, last: range.last });
  return marks;
}

/** A gap mark as its row (exact decimal count), or a host mark's address. */
export function drawGap(mark: FoldMark, family: IpFamily): FoldedGap {
  return gap(mark.first, mark.last, family);
}

function checkPaging(offset: number, limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > EXPAND_GAP_MAX_LIMIT) {
    throw new AppError(
      422,
      "invalid_limit",
      `limit must be an integer 1-${EXPAND_GAP_MAX_LIMIT}, got ${limit}`,
    );
  }
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new AppError(422, "invalid_offset", `offset must be an integer >= 0, got ${offset}`);
  }
}

/**
 * Lists the real addresses of one gap, a page at a time. `first..last` must lie inside the
 * usable range of `cidr` (the whole prefix with `includeReserved`); whether those addresses
 * are still unused is the caller's business, this function only enumerates.
 * @throws AppError 422: invalid_ip, invalid_cidr, invalid_gap, invalid_limit, invalid_offset.
 */
export function expandGap(
  cidr: string | ParsedCidr,
  first: string,
  last: string,
  opts: ExpandGapOptions = {},
): GapPage {
  const { offset = 0, limit = 256 } = opts;
  checkPaging(offset, limit);
  const c = asCidr(cidr);
  const f = parseIp(first);
  const l = parseIp(last);
  const range = viewRange(c, opts);
  const where = `${f.ip}..${l.ip}`;
  if (f.family !== c.family || l.family !== c.family) {
    throw new AppError(422, "invalid_gap", `gap ${where} is not IPv${c.family} like ${c.cidr}`);
  }
  if (f.value > l.value) {
    throw new AppError(422, "invalid_gap", `gap ${where}: first is after last`);
  }
  if (f.value < range.first || l.value > range.last) {
    const usable = `${bigIntToIp(range.first, c.family)}..${bigIntToIp(range.last, c.family)}`;
    throw new AppError(
      422,
      "invalid_gap",
      `gap ${where} is outside the usable range ${usable} of ${c.cidr}`,
      {
        usable_first: bigIntToIp(range.first, c.family),
        usable_last: bigIntToIp(range.last, c.family),
      },
    );
  }
  const total = l.value - f.value + 1n;
  const items: string[] = [];
  for (let v = f.value + BigInt(offset); v <= l.value && items.length < limit; v++) {
    items.push(bigIntToIp(v, c.family));
  }
  const consumed = BigInt(offset) + BigInt(items.length);
  return {
    items,
    total: total.toString(),
    next_offset: consumed < total ? offset + items.length : null,
  };
}

/**
 * Lowest usable address of `cidr` not in `usedIps`, or null when the subnet is full.
 * Entries that do not parse or lie elsewhere are ignored (they cannot collide).
 */
export function nextFree(cidr: string | ParsedCidr, usedIps: Iterable<string>): string | null {
  const c = asCidr(cidr);
  const range = usableRange(c);
  const used = new Set<bigint>();
  for (const ip of usedIps) {
    const p = tryParseIp(ip);
    if (p && p.family === c.family && p.value >= range.first && p.value <= range.last) {
      used.add(p.value);
    }
  }
  let candidate = range.first;
  while (candidate <= range.last && used.has(candidate)) candidate++;
  return candidate <= range.last ? bigIntToIp(candidate, c.family) : null;
}

function count(name: string, value: number | bigint): bigint {
  const ok = typeof value === "bigint" ? value >= 0n : Number.isSafeInteger(value) && value >= 0;
  if (!ok) {
    throw new AppError(422, "invalid_count", `${name} must be an integer >= 0, got ${value}`);
  }
  return BigInt(value);
}

/** Size and usage figures for a subnet; counts are decimal strings so a /64 stays exact. */
export function utilization(
  cidr: string | ParsedCidr,
  usedCount: number | bigint,
  aliveCount: number | bigint,
): Utilization {
  const c = asCidr(cidr);
  const used = count("usedCount", usedCount);
  const alive = count("aliveCount", aliveCount);
  const range = usableRange(c);
  const usable = range.last - range.first + 1n;
  const free = usable > used ? usable - used : 0n;
  const hundredths = (used * 10_000n) / usable; // floored hundredths of a percent
  const percent = Math.min(100, Number(hundredths) / 100);
  return {
    size: (c.last - c.first + 1n).toString(),
    usable: usable.toString(),
    used: used.toString(),
    alive: alive.toString(),
    free: free.toString(),
    percent_used: percent,
  };
}
