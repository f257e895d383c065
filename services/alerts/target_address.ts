// SSRF guard for alert targets: which resolved addresses a delivery may connect to.
import { lookup as dnsLookup } from "node:dns/promises";
import {
  cidrContains,
  parseCidr,
  type ParsedCidr,
  parseIpLenient,
  tryParseIp,
  unmapIpv4,
} from "@/services/ipam/mod.ts";

/**
 * Refused unless ALERT_TARGET_ALLOW lists them. Private LAN ranges (10/8, 172.16/12, 192.168/16,
 * fc00::/7) stay allowed: receivers usually live there. Most specific reason first.
 */
const BLOCKED: ReadonlyArray<readonly [string, string]> = [
  ["169.254.169.254/32", "a cloud metadata address"],
  ["100.100.100.200/32", "a cloud metadata address"],
  ["fd00:ec2::254/128", "a cloud metadata address"],
  ["127.0.0.0/8", "loopback"],
  ["::1/128", "loopback"],
  ["0.0.0.0/8", "unspecified"],
  ["::/128", "unspecified"],
  ["169.254.0.0/16", "link-local"],
  ["fe80::/10", "link-local"],
  ["224.0.0.0/4", "multicast"],
  ["ff00::/8", "multicast"],
  ["255.255.255.255/32", "broadcast"],
  ["240.0.0.0/4", "reserved"],
  // Documentation ranges never host a real receiver.
  ["192.0.2.0/24", "a documentation range"], // host-network guard
  ["198.51.100.0/24", "a documentation range"],
  ["203.0.113.0/24", "a documentation range"],
  ["2001:db8::/32", "a documentation range"],
];
const BLOCKED_PARSED = BLOCKED.map(([c, why]) => [parseCidr(c), why] as const);

export interface AddressPolicy {
  /** CIDRs allowed even when blocked above (ALERT_TARGET_ALLOW). */
  allow: readonly ParsedCidr[];
}

/** Parses ALERT_TARGET_ALLOW ("127.0.0.1/32, 10.9.0.0/16"); bare addresses mean /32 or /128. */
export function parseAllowList(text: string): ParsedCidr[] {
  return text.split(/[\s,]+/).filter(Boolean).map((item) => {
    if (item.includes("/")) return parseCidr(item, { normalize: true });
    const ip = tryParseIp(item);
    return parseCidr(`${item}/${ip?.family === 6 ? 128 : 32}`);
  });
}

/** IPv4-mapped IPv6 (::ffff:127.0.0.1) is judged as the IPv4 address it maps. */
function canonical(address: string): string | null {
  const ip = parseIpLenient(address.replace(/^\[|\]$/g, "").replace(/%.*$/, ""), {
    anyIpv4Form: true,
  });
  return ip ? unmapIpv4(ip).ip : null;
}

/** Why `address` is refused, or null when a delivery may connect to it. */
export function refusal(address: string, policy: AddressPolicy): string | null {
  const ip = tryParseIp(canonical(address) ?? "");
  if (!ip) return `${JSON.stringify(address)} is not an IP address`;
  if (policy.allow.some((c) => cidrContains(c, ip))) return null;
  for (const [cidr, why] of BLOCKED_PARSED) {
    if (cidrContains(cidr, ip)) {
      return `${ip.ip} is ${why}; list it in ALERT_TARGET_ALLOW to allow it`;
    }
  }
  return null;
}

/** The error a refused connection fails with (recorded as the delivery's last error). */
export class TargetRefused extends Error {
  override name = "TargetRefused";
}

export type Resolver = (host: string) => Promise<Array<{ address: string; family: number }>>;

/** The system resolver (getaddrinfo: /etc/hosts and DNS), what an unpinned client would use. */
export const systemResolver: Resolver = async (host) =>
  (await dnsLookup(host, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family,
  }));

/**
 * Resolves `host` and returns the addresses a connection may use. Every resolved address must
 * pass: a name that also points at a refused address is refused as a whole, so a rebinding
 * answer cannot be picked by the socket later.
 */
export async function resolveAllowed(
  host: string,
  policy: AddressPolicy,
  resolve: Resolver = systemResolver,
): Promise<Array<{ address: string; family: number }>> {
  const bare = host.replace(/^\[|\]$/g, "");
  const literal = canonical(bare);
  const found = literal && tryParseIp(literal)
    ? [{ address: literal, family: literal.includes(":") ? 6 : 4 }]
    : await resolve(bare).catch((e) => {
      throw new Error(`cannot resolve ${bare}: ${(e as Error).message}`);
    });
  if (found.length === 0) throw new Error(`${bare} resolves to no address`);
  for (const a of found) {
    const why = refusal(a.address, policy);
    if (why) throw new TargetRefused(`refused ${bare}: ${why}`);
  }
  return found;
}
