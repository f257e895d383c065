// Turns a subnet and its known hosts into the exact list of addresses a sweep may probe.
import ipaddr from "ipaddr.js";
import { AppError } from "@/services/errors.ts";
import { normalizeIp } from "@/services/ipam/mod.ts";

/** Largest IPv4 subnet swept by default: a /16 (65,534 addresses). */
export const DEFAULT_MAX_SWEEP_PREFIX = 16;

/** The addresses one sweep of one subnet will probe. */
export interface SweepPlan {
  /** The subnet in canonical form (`198.51.100.0/24`, `2001:db8::/64`). */
  cidr: string;
  family: 4 | 6;
  /** How many addresses `targets` yields. */
  count: number;
  /**
   * Every address to probe, in ascending order; re-iterable and lazy for IPv4 ranges, so a /16
   * never sits in memory twice. Never yields an address outside `cidr`.
   */
  targets: Iterable<string>;
  /** IPv4: the contiguous range `targets` covers; IPv6 (known hosts only): null. */
  range: { first: string; last: string } | null;
}

export interface PlanOptions {
  /**
   * Smallest IPv4 prefix length that may be swept (default 16, i.e. at most a /16). Operators
   * raise the limit with the MAX_SWEEP_PREFIX setting. IPv6 plans only hold known hosts, so
   * this does not apply to them.
   */
  maxSweepPrefix?: number;
}

/**
 * Plans a sweep of `cidr`.
 *
 * - IPv4: every usable address (network and broadcast excluded, except in /31 and /32, where all
 *   addresses are hosts). `knownHosts` add nothing, since they are already covered.
 * - IPv6: only the `knownHosts` inside the subnet (a /64 cannot be enumerated), deduplicated and
 *   sorted; hosts outside it, of the other family or unparsable are ignored.
 *
 * Throws AppError 422 `invalid_cidr` for malformed input and `subnet_too_large` for /0 or an IPv4
 * prefix shorter than `maxSweepPrefix`.
 */
export function planSweep(
  cidr: string,
  knownHosts: Iterable<string> = [],
  opts: PlanOptions = {},
): SweepPlan {
  const maxSweepPrefix = opts.maxSweepPrefix ?? DEFAULT_MAX_SWEEP_PREFIX;
  const { addr, prefix, family } = parseSubnet(cidr);
  const canonical = `${family === 4 ? addr.toString() : toV6String(addr)}/${prefix}`;

  if (prefix === 0) {
    throw new AppError(
      422,
      "subnet_too_large",
      `refusing to sweep ${canonical}: a /0 is the whole address space; sweep a real subnet`,
    );
  }

  if (family === 4) {
    if (prefix < maxSweepPrefix) {
      const size = 2 ** (32 - prefix) - 2;
      throw new AppError(
        422,
        "subnet_too_large",
        `refusing to sweep ${canonical}: ${size} addresses exceed the limit of /${maxSweepPrefix}` +
          ` (${2 ** (32 - maxSweepPrefix) - 2} addresses); split it into smaller subnets or set` +
          ` MAX_SWEEP_PREFIX=${prefix} to allow sweeping a /${prefix}`,
        { cidr: canonical, prefix, max_sweep_prefix: maxSweepPrefix },
      );
    }
    const network = v4ToNumber(addr as ipaddr.IPv4);
    const size = 2 ** (32 - prefix);
    const [first, last] = prefix >= 31
      ? [network, network + size - 1]
      : [network + 1, network + size - 2];
    return {
      cidr: canonical,
      family,
      count: last - first + 1,
      targets: new Ipv4Range(first, last),
      range: { first: numberToV4(first), last: numberToV4(last) },
    };
  }

  const inside = new Map<string, number[]>();
  for (const host of knownHosts) {
    const parsed = normalizeIp(host);
    if (!parsed || parsed.family !== 6) continue;
    const hostAddr = ipaddr.IPv6.parse(parsed.ip);
    if (!hostAddr.match(addr as ipaddr.IPv6, prefix)) continue;
    inside.set(parsed.ip, hostAddr.toByteArray());
  }
  const targets = [...inside.entries()].sort((a, b) => compareBytes(a[1], b[1])).map(([ip]) => ip);
  return { cidr: canonical, family, count: targets.length, targets, range: null };
}

/** Inclusive IPv4 range that can be walked more than once without materializing it. */
class Ipv4Range implements Iterable<string> {
  constructor(private readonly first: number, private readonly last: number) {}
  *[Symbol.iterator](): Iterator<string> {
    for (let n = this.first; n <= this.last; n++) yield numberToV4(n);
  }
}

function parseSubnet(
  cidr: string,
): { addr: ipaddr.IPv4 | ipaddr.IPv6; prefix: number; family: 4 | 6 } {
  const text = cidr.trim();
  const expected = 'expected a subnet such as "198.51.100.0/24" or "2001:db8::/64"';
  const slash = text.indexOf("/");
  if (slash < 0) {
    throw new AppError(
      422,
      "invalid_cidr",
      `invalid CIDR "${cidr}": missing "/prefix"; ${expected}`,
    );
  }
  const addrText = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  const parsed = normalizeIp(addrText);
  if (!parsed) {
    throw new AppError(
      422,
      "invalid_cidr",
      `invalid CIDR "${cidr}": "${addrText}" is not an IPv4 dotted quad or IPv6 address; ${expected}`,
    );
  }
  const bits = parsed.family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits) {
    throw new AppError(
      422,
      "invalid_cidr",
      `invalid CIDR "${cidr}": prefix "${prefixText}" must be an integer from 0 to ${bits}`,
    );
  }
  const prefix = Number(prefixText);
  const addr = ipaddr.parse(parsed.ip);
  const network = parsed.family === 4
    ? ipaddr.IPv4.networkAddressFromCIDR(`${parsed.ip}/${prefix}`)
    : ipaddr.IPv6.networkAddressFromCIDR(`${parsed.ip}/${prefix}`);
  if (compareBytes(network.toByteArray(), addr.toByteArray()) !== 0) {
    const fixed = parsed.family === 4 ? network.toString() : toV6String(network);
    throw new AppError(
      422,
      "invalid_cidr",
      `invalid CIDR "${cidr}": host bits are set; the subnet is ${fixed}/${prefix}`,
    );
  }
  return { addr, prefix, family: parsed.family };
}

function toV6String(addr: ipaddr.IPv4 | ipaddr.IPv6): string {
  return (addr as ipaddr.IPv6).toRFC5952String();
}

function v4ToNumber(addr: ipaddr.IPv4): number {
  const [a, b, c, d] = addr.octets;
  return ((a * 256 + b) * 256 + c) * 256 + d;
}

function numberToV4(n: number): string {
  return `${Math.floor(n / 16777216) % 256}.${Math.floor(n / 65536) % 256}.${
    Math.floor(n / 256) % 256
  }.${n % 256}`;
}

function compareBytes(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return a.length - b.length;
}
