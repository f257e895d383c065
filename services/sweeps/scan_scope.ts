// The scan scope: the only address ranges Pingfold may ever probe. Pure; the one owner of the rule.
import { AppError } from "@/services/errors.ts";
import {
  bytesToIp,
  ipToBytes,
  isIpv4Mapped,
  parseIpLenient,
  unmapIpv4,
} from "@/services/ipam/mod.ts";

/** Loopback and the private ranges: what a fresh install may probe (SCAN_SCOPE's default). */
export const DEFAULT_SCAN_SCOPE: readonly string[] = [
  "127.0.0.0/8",
  "::1/128",
  "10.0.0.0/8",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "100.64.0.0/10",
  "fc00::/7",
  "fe80::/10",
];

/** At most this many ranges in a scope; more is a mistake, not a network. */
export const MAX_SCOPE_ENTRIES = 1000;

/** One range of the scope, parsed once. */
export interface ScopeEntry {
  /** Canonical text (`10.0.0.0/8`, `fc00::/7`). */
  cidr: string;
  family: 4 | 6;
  bytes: number[];
  prefix: number;
}

/** A parsed scope; empty means nothing may be probed. */
export type ScanScope = readonly ScopeEntry[];

/** How the error tells an admin to widen the scope (the UI and the env both work). */
export const WIDEN_HINT = "an admin can widen it in Settings → Scan scope " +
  "(PUT /api/v1/settings/scan-scope) or with the SCAN_SCOPE setting";

interface Range {
  family: 4 | 6;
  bytes: number[];
  prefix: number;
}

/** An address or CIDR as a range, or null when it is neither (zone ids are refused). */
function toRange(text: string): Range | null {
  if (typeof text !== "string") return null;
  const t = text.trim();
  if (t.includes("%")) return null;
  const slash = t.indexOf("/");
  const addrText = slash < 0 ? t : t.slice(0, slash);
  // Dotted quads only: "10.1" or "0x0a000001" are not what anyone means in a scope.
  const parsed = parseIpLenient(addrText);
  if (!parsed) return null;
  if (slash < 0) {
    const a = unmapIpv4(parsed);
    return { family: a.family, bytes: ipToBytes(a), prefix: a.family === 4 ? 32 : 128 };
  }
  if (!/^\d{1,3}$/.test(t.slice(slash + 1))) return null;
  const prefix = Number(t.slice(slash + 1));
  if (prefix > (parsed.family === 4 ? 32 : 128)) return null;
  // An IPv4-mapped IPv6 range (::ffff:10.0.0.0/104) is the IPv4 range it maps.
  if (isIpv4Mapped(parsed) && prefix >= 96) {
    return networkOf({ family: 4, bytes: ipToBytes(unmapIpv4(parsed)), prefix: prefix - 96 });
  }
  return networkOf({ family: parsed.family, bytes: ipToBytes(parsed), prefix });
}

/** The range with its host bits cleared. */
function networkOf(r: Range): Range {
  const bytes = r.bytes.map((b, i) => {
    const keep = Math.max(0, Math.min(8, r.prefix - i * 8));
    return b & ((0xff << (8 - keep)) & 0xff);
  });
  return { ...r, bytes };
}

function rangeText(r: Range): string {
  return `${bytesToIp(r.bytes)}/${r.prefix}`;
}

/** Whether range `outer` contains range `inner` (same family, shorter or equal prefix). */
function contains(outer: Range, inner: Range): boolean {
  if (outer.family !== inner.family || outer.prefix > inner.prefix) return false;
  for (let bit = 0; bit < outer.prefix; bit += 8) {
    const keep = Math.min(8, outer.prefix - bit);
    const mask = (0xff << (8 - keep)) & 0xff;
    if ((outer.bytes[bit / 8] & mask) !== (inner.bytes[bit / 8] & mask)) return false;
  }
  return true;
}

/**
 * Parses a scope from a list (or a comma/space separated text) of CIDRs or single addresses.
 * Host bits are cleared (`10.1.2.3/8` → `10.0.0.0/8`), duplicates dropped.
 * @throws AppError 422 `invalid_scan_scope` naming every bad entry.
 */
export function parseScanScope(input: string | readonly string[]): ScanScope {
  const items = (typeof input === "string" ? input.split(/[\s,]+/) : [...input])
    .map((s) => String(s).trim()).filter((s) => s.length > 0);
  if (items.length > MAX_SCOPE_ENTRIES) {
    throw new AppError(
      422,
      "invalid_scan_scope",
      `cidrs: ${items.length} ranges given; at most ${MAX_SCOPE_ENTRIES} are allowed`,
      { field: "cidrs" },
    );
  }
  const bad: string[] = [];
  const seen = new Map<string, ScopeEntry>();
  for (const item of items) {
    const r = item.length <= 64 ? toRange(item) : null;
    if (!r) {
      bad.push(item.slice(0, 64));
      continue;
    }
    const cidr = rangeText(r);
    seen.set(cidr, { cidr, ...r });
  }
  if (bad.length > 0) {
    throw new AppError(
      422,
      "invalid_scan_scope",
      `cidrs: ${bad.map((b) => JSON.stringify(b)).join(", ")} ${
        bad.length === 1 ? "is not a CIDR" : "are not CIDRs"
      }; expected ranges such as "10.0.0.0/8" or "fd00::/8", or single addresses`,
      { field: "cidrs", invalid: bad },
    );
  }
  return [...seen.values()];
}

/** The scope's ranges as text, in the order given. */
export function scopeCidrs(scope: ScanScope): string[] {
  return scope.map((e) => e.cidr);
}

/**
 * Whether every address of `target` (an address or a CIDR) lies inside the scope. A range is in
 * scope when one entry holds it or when entries inside it together cover it (10.0.0.0/9 and
 * 10.128.0.0/9 cover 10.0.0.0/8). Anything unparsable is out of scope.
 */
export function inScope(target: string, scope: ScanScope): boolean {
  const r = toRange(target);
  return r !== null && covered(r, scope);
}

function covered(r: Range, scope: ScanScope): boolean {
  if (scope.some((e) => contains(e, r))) return true;
  const bits = r.family === 4 ? 32 : 128;
  // Splitting only helps when some entry lies strictly inside the range.
  if (r.prefix >= bits || !scope.some((e) => e.prefix > r.prefix && contains(r, e))) return false;
  const low: Range = { ...r, prefix: r.prefix + 1 };
  const highBytes = [...r.bytes];
  highBytes[Math.floor(r.prefix / 8)] |= 0x80 >> (r.prefix % 8);
  const high: Range = { ...r, bytes: highBytes, prefix: r.prefix + 1 };
  return covered(low, scope) && covered(high, scope);
}

/** The 422 for a target outside the scope, saying how to widen it. */
export function outOfScopeError(target: string, scope: ScanScope, what = "address"): AppError {
  const list = scope.length === 0
    ? "the scan scope is empty"
    : `the scan scope is ${scopeCidrs(scope).slice(0, 20).join(", ")}${
      scope.length > 20 ? `, … (${scope.length} ranges)` : ""
    }`;
  return new AppError(
    422,
    "outside_scan_scope",
    `${what} ${target} is outside the scan scope, so Pingfold will not probe it (${list}); ` +
      `to allow it, ${WIDEN_HINT}`,
    { target, scan_scope: scopeCidrs(scope) },
  );
}

/** Throws {@link outOfScopeError} unless `target` is inside the scope. */
export function assertInScope(target: string, scope: ScanScope, what?: string): void {
  if (!inScope(target, scope)) throw outOfScopeError(target, scope, what);
}
