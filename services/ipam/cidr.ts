// Strict parsing of IP addresses and CIDR prefixes into canonical strings and bigint ranges.
import ipaddr from "ipaddr.js";
import { AppError } from "@/services/errors.ts";

export type IpFamily = 4 | 6;

/** A validated address. `ip` is canonical (IPv6: RFC 5952, compressed lowercase). */
export interface ParsedIp {
  ip: string;
  family: IpFamily;
  value: bigint;
}

/** A validated prefix. `first`/`last` are the numeric network and last (broadcast) address. */
export interface ParsedCidr {
  /** Canonical `network/prefix`, e.g. `198.51.100.0/24`, `2001:db8::/48`. */
  cidr: string;
  family: IpFamily;
  prefix: number;
  first: bigint;
  last: bigint;
  /** Canonical network address without the prefix. */
  network: string;
}

export interface ParseCidrOptions {
  /** Accept host bits (`10.0.0.5/24`) and return the network (`10.0.0.0/24`) instead of refusing. */
  normalize?: boolean;
}

const BITS: Record<IpFamily, number> = { 4: 32, 6: 128 };
const EXAMPLES = "expected an address like 198.51.100.10 or 2001:db8::10";

/** Why an address string is not acceptable, or the parsed address. */
type AddressCheck = { ok: true; parsed: ParsedIp } | { ok: false; reason: string };

/** Shows user input in messages: quoted, control characters escaped, bounded length. */
function quote(input: string): string {
  const shown = input.length > 80 ? input.slice(0, 77) + "..." : input;
  return JSON.stringify(shown);
}

function describeChar(ch: string): string {
  const code = ch.codePointAt(0)!;
  return `${JSON.stringify(ch)} (U+${code.toString(16).toUpperCase().padStart(4, "0")})`;
}

/** Characters no address or prefix may contain; checked first so the message names the culprit. */
function badCharacter(text: string): string | null {
  if (/^[0-9A-Fa-f.:/%]*$/.test(text)) return null; // fast path: nothing to report
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (/\s/u.test(ch)) return "contains whitespace";
    if (code < 0x20 || code === 0x7f) return `contains the control character ${describeChar(ch)}`;
    if (code > 0x7e) return `contains the non-ASCII character ${describeChar(ch)}`;
  }
  return null;
}

/** Numeric value of a strict dotted quad, or the reason it is not one. */
function ipv4Value(text: string): number | string {
  const octets = text.split(".");
  if (octets.length !== 4) {
    return `expected 4 dot-separated octets like 198.51.100.10, got ${octets.length}`;
  }
  let value = 0;
  for (const octet of octets) {
    if (octet === "") return "empty octet; expected 4 numbers 0-255 separated by dots";
    if (!/^[0-9]+$/.test(octet)) return `octet ${quote(octet)} is not a decimal number 0-255`;
    // inet_aton reads "010" as octal 8 while most people mean 10: refuse rather than guess.
    if (octet.length > 1 && octet.startsWith("0")) {
      return `octet ${quote(octet)} has a leading zero (ambiguous: octal or decimal?)`;
    }
    const n = Number(octet);
    if (n > 255) return `octet ${n} > 255`;
    value = value * 256 + n;
  }
  return value;
}

function ipv6Problem(text: string): string | null {
  if ((text.match(/::/g) ?? []).length > 1) return `"::" may appear only once`;
  if (/:::/.test(text)) return `":::" is not valid; use "::" once`;
  const groups = text.split(":");
  const last = groups[groups.length - 1];
  const hasV4Tail = last.includes(".");
  if (hasV4Tail) {
    const v4 = ipv4Value(last);
    if (typeof v4 === "string") return `embedded IPv4 part ${quote(last)}: ${v4}`;
  }
  for (const group of hasV4Tail ? groups.slice(0, -1) : groups) {
    if (group !== "" && !/^[0-9a-fA-F]{1,4}$/.test(group)) {
      return `group ${quote(group)} is not 1-4 hex digits`;
    }
  }
  const maxGroups = hasV4Tail ? 7 : 8;
  const filled = groups.filter((g) => g !== "").length;
  if (!text.includes("::") && groups.length !== maxGroups) {
    return `has ${groups.length} groups; expected ${maxGroups} or a "::"`;
  }
  if (filled > maxGroups - (text.includes("::") ? 1 : 0)) {
    return `has too many groups (${filled}) for an address with "::"`;
  }
  return null;
}

function bytesToBigInt(bytes: number[]): bigint {
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  return value;
}

const DOTTED_QUAD =
  /^(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})$/;

/** Validates one address (already trimmed); never throws. */
function checkAddress(text: string): AddressCheck {
  // Fast path for the common case (folding thousands of stored IPv4 hosts).
  const quad = DOTTED_QUAD.exec(text);
  if (quad) {
    const a = +quad[1], b = +quad[2], c = +quad[3], d = +quad[4];
    if (a < 256 && b < 256 && c < 256 && d < 256) {
      const value = BigInt(((a << 24) >>> 0) + (b << 16) + (c << 8) + d);
      return { ok: true, parsed: { ip: text, family: 4, value } };
    }
  }
  if (text === "") return { ok: false, reason: `empty; ${EXAMPLES}` };
  const bad = badCharacter(text);
  if (bad) return { ok: false, reason: bad };
  if (text.includes("%")) {
    return { ok: false, reason: "zone ids (%eth0) are not allowed; give the address only" };
  }
  if (text.includes(":")) {
    if (!ipaddr.IPv6.isValid(text)) {
      return { ok: false, reason: ipv6Problem(text) ?? "not a valid IPv6 address" };
    }
    const addr = ipaddr.IPv6.parse(text);
    if (addr.isIPv4MappedAddress()) {
      const v4 = addr.toIPv4Address().toString();
      return { ok: false, reason: `IPv4-mapped IPv6 address; use the IPv4 form ${v4}` };
    }
    return {
      ok: true,
      parsed: { ip: addr.toRFC5952String(), family: 6, value: bytesToBigInt(addr.toByteArray()) },
    };
  }
  if (!text.includes(".")) return { ok: false, reason: `not an IP address; ${EXAMPLES}` };
  // Strict dotted quads only: ipaddr.js would also take "10.1", "0x0a.0.0.1" and octal "010".
  const value = ipv4Value(text);
  if (typeof value === "string") return { ok: false, reason: value };
  // No leading zeros means the text is already canonical.
  return { ok: true, parsed: { ip: text, family: 4, value: BigInt(value) } };
}

/** Non-throwing parse for callers that skip bad data (e.g. folding rows read from storage). */
export function tryParseIp(input: string): ParsedIp | null {
  const check = checkAddress(String(input).trim());
  return check.ok ? check.parsed : null;
}

/**
 * Parses one address. Whitespace around it is trimmed; leading-zero octets, IPv4-mapped
 * IPv6 addresses, zone ids and prefixes are refused.
 * @throws AppError(422, "invalid_ip") with a message like `invalid IP "10.0.0.300": octet 300 > 255`.
 */
export function parseIp(input: string): ParsedIp {
  const text = String(input).trim();
  if (text.includes("/")) {
    throw new AppError(
      422,
      "invalid_ip",
      `invalid IP ${quote(text)}: a prefix length is not allowed here; expected a single address`,
    );
  }
  const check = checkAddress(text);
  if (!check.ok) {
    throw new AppError(422, "invalid_ip", `invalid IP ${quote(text)}: ${check.reason}`);
  }
  return check.parsed;
}

function cidrError(text: string, reason: string, details?: unknown): AppError {
  return new AppError(422, "invalid_cidr", `invalid CIDR ${quote(text)}: ${reason}`, details);
}

function hostMask(family: IpFamily, prefix: number): bigint {
  return (1n << BigInt(BITS[family] - prefix)) - 1n;
}

/**
 * Parses `address/prefix`. The result is canonical, so two spellings of one network
 * compare equal as strings. /0 is refused (it is never a subnet anyone manages).
 * @throws AppError(422, "invalid_cidr"); for host bits set, `details` is `{ network }`.
 */
export function parseCidr(input: string, opts: ParseCidrOptions = {}): ParsedCidr {
  const text = String(input).trim();
  if (text === "") throw cidrError(text, "empty; expected a prefix like 198.51.100.0/24");
  const bad = badCharacter(text);
  if (bad) throw cidrError(text, bad);
  const slash = text.indexOf("/");
  if (slash < 0) {
    throw cidrError(text, "missing prefix length; expected address/prefix like 198.51.100.0/24");
  }
  const addressText = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  if (prefixText.includes("/")) throw cidrError(text, `more than one "/"`);
  const check = checkAddress(addressText);
  if (!check.ok) throw cidrError(text, check.reason);
  const { family, value } = check.parsed;
  const bits = BITS[family];

  if (!/^[0-9]+$/.test(prefixText)) {
    throw cidrError(text, `prefix ${quote(prefixText)} is not a number 1-${bits}`);
  }
  if (prefixText.length > 1 && prefixText.startsWith("0")) {
    throw cidrError(
      text,
      `prefix /${prefixText} has a leading zero; expected /${Number(prefixText)}`,
    );
  }
  const prefix = Number(prefixText);
  if (prefix > bits) throw cidrError(text, `prefix /${prefix} > ${bits}`);
  if (prefix === 0) throw cidrError(text, "prefix /0 covers the whole address space");

  const mask = hostMask(family, prefix);
  const first = value & ~mask;
  const last = first | mask;
  const network = bigIntToIp(first, family);
  if (first !== value && !opts.normalize) {
    throw cidrError(text, `host bits set; the network is ${network}/${prefix}`, {
      network: `${network}/${prefix}`,
    });
  }
  return { cidr: `${network}/${prefix}`, family, prefix, first, last, network };
}

/** Accepts a string (parsed strictly) or an already parsed value. */
function asCidr(cidr: string | ParsedCidr): ParsedCidr {
  return typeof cidr === "string" ? parseCidr(cidr) : cidr;
}

function asIp(ip: string | ParsedIp): ParsedIp {
  return typeof ip === "string" ? parseIp(ip) : ip;
}

/** Numeric value of an address (IPv4 fits in 32 bits, IPv6 in 128). @throws AppError 422 */
export function ipToBigInt(ip: string): bigint {
  return parseIp(ip).value;
}

/** Canonical text of a numeric address. @throws RangeError if the value does not fit the family. */
export function bigIntToIp(value: bigint, family: IpFamily): string {
  if (value < 0n || value >= 1n << BigInt(BITS[family])) {
    throw new RangeError(`value ${value} is out of range for IPv${family}`);
  }
  if (family === 4) {
    const n = Number(value);
    return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
  }
  const parts = new Array<number>(8);
  let rest = value;
  for (let i = 7; i >= 0; i--) {
    parts[i] = Number(rest & 0xffffn);
    rest >>= 16n;
  }
  return new ipaddr.IPv6(parts).toRFC5952String();
}

/** True when `ip` lies inside `cidr` (false across families). @throws AppError 422 on bad input */
export function cidrContains(cidr: string | ParsedCidr, ip: string | ParsedIp): boolean {
  const c = asCidr(cidr);
  const a = asIp(ip);
  return a.family === c.family && a.value >= c.first && a.value <= c.last;
}

/** Number of addresses in the prefix, network and broadcast included. */
export function subnetSize(cidr: string | ParsedCidr): bigint {
  const c = asCidr(cidr);
  return c.last - c.first + 1n;
}

/**
 * The addresses a host may use, as an inclusive numeric range.
 * - IPv4: network and broadcast are excluded, except /31 (RFC 3021 point-to-point) and /32.
 * - IPv6: there is no broadcast; only the network address is excluded (it is the
 *   subnet-router anycast address, RFC 4291 §2.6.1), except /127 (RFC 6164) and /128.
 *   The top 128 reserved anycast addresses (RFC 2526) are kept usable: they are rarely
 *   used in practice and excluding them would surprise people counting a /120.
 */
export function usableRange(cidr: string | ParsedCidr): { first: bigint; last: bigint } {
  const c = asCidr(cidr);
  const bits = BITS[c.family];
  if (c.prefix >= bits - 1) return { first: c.first, last: c.last };
  if (c.family === 4) return { first: c.first + 1n, last: c.last - 1n };
  return { first: c.first + 1n, last: c.last };
}

/** Count of usable addresses (see usableRange). */
export function usableSize(cidr: string | ParsedCidr): bigint {
  const r = usableRange(cidr);
  return r.last - r.first + 1n;
}

/** A dotted quad exactly as its canonical form prints it: 0–255, no leading zeros. */
const OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
const CANONICAL_V4 = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);

/**
 * Canonical text of a literal IP address, or null when `text` is not one. IPv4 must be a dotted
 * quad (no "10.1" or hex/octal forms); IPv6 is returned in RFC 5952 form; zone ids are refused
 * because a sweep target must not depend on which interface the scanner happens to use.
 */
export function normalizeIp(text: string): { ip: string; family: 4 | 6 } | null {
  // Most addresses arrive canonical already (fping lines, Postgres' host(), sweep plans): a
  // sweep of a /20 normalizes each several times, and the full parse costs ~8 µs an address.
  if (typeof text === "string" && CANONICAL_V4.test(text)) return { ip: text, family: 4 };
  const parsed = parseIpLenient(text);
  return parsed && { ip: parsed.ip, family: parsed.family };
}

export interface LenientOptions {
  /**
   * Also take the IPv4 forms `inet_aton` reads ("127.1", "0x7f.0.0.1", octal "010.0.0.1"), as
   * networking stacks and proxies do. Off by default: a sweep target or scope entry is a dotted quad.
   */
  anyIpv4Form?: boolean;
}

/**
 * A literal address in canonical form with its numeric value, or null. Unlike `parseIp` it keeps
 * IPv4-mapped IPv6 addresses (as IPv6) and never throws; zone ids are refused. IPv4 must be a
 * dotted quad unless `anyIpv4Form`.
 */
export function parseIpLenient(text: string, opts: LenientOptions = {}): ParsedIp | null {
  if (typeof text !== "string") return null;
  const trimmed = text.trim();
  if (
    opts.anyIpv4Form ? ipaddr.IPv4.isValid(trimmed) : ipaddr.IPv4.isValidFourPartDecimal(trimmed)
  ) {
    const a = ipaddr.IPv4.parse(trimmed);
    return { ip: a.toString(), family: 4, value: bytesToBigInt(a.toByteArray()) };
  }
  if (ipaddr.IPv6.isValid(trimmed) && !trimmed.includes("%")) {
    const a = ipaddr.IPv6.parse(trimmed);
    return { ip: a.toRFC5952String(), family: 6, value: bytesToBigInt(a.toByteArray()) };
  }
  return null;
}

const MAPPED_PREFIX = 0xffffn << 32n;

/** True for an IPv4-mapped IPv6 address (`::ffff:10.0.0.1`). */
export function isIpv4Mapped(ip: Pick<ParsedIp, "family" | "value">): boolean {
  return ip.family === 6 && ip.value >> 32n === 0xffffn;
}

/** The IPv4 address an IPv4-mapped IPv6 address carries; any other address unchanged. */
export function unmapIpv4(ip: ParsedIp): ParsedIp {
  if (!isIpv4Mapped(ip)) return ip;
  const value = ip.value - MAPPED_PREFIX;
  return { ip: bigIntToIp(value, 4), family: 4, value };
}

/** The address in network byte order (4 or 16 bytes). */
export function ipToBytes(ip: Pick<ParsedIp, "family" | "value">): number[] {
  const width = ip.family === 4 ? 4 : 16;
  return Array.from(
    { length: width },
    (_, i) => Number((ip.value >> BigInt(8 * (width - 1 - i))) & 0xffn),
  );
}

/** Canonical text of 4 (IPv4) or 16 (IPv6) bytes in network order. @throws RangeError */
export function bytesToIp(bytes: ArrayLike<number>): string {
  if (bytes.length !== 4 && bytes.length !== 16) {
    throw new RangeError(`an address has 4 or 16 bytes, not ${bytes.length}`);
  }
  return bigIntToIp(bytesToBigInt(Array.from(bytes)), bytes.length === 4 ? 4 : 6);
}

/** The prefix length of a dotted IPv4 netmask ("255.255.255.0" → 24), or null if it is not one. */
export function netmaskToPrefix(mask: string): number | null {
  if (!ipaddr.IPv4.isValidFourPartDecimal(mask)) return null;
  return ipaddr.IPv4.parse(mask).prefixLengthFromSubnetMask();
}

/** The bit mask of the host part of a prefix (all ones below the prefix). */
export function hostBits(family: IpFamily, prefix: number): bigint {
  return hostMask(family, prefix);
}
