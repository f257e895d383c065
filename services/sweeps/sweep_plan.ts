// Turns a subnet and its known hosts into the exact list of addresses a sweep may probe.
import { AppError } from "@/services/errors.ts";
import { bigIntToIp, hostBits, parseIpLenient } from "@/services/ipam/mod.ts";

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
   * never sits in memory twice. Never yields an address outside `cidr` or inside `exclude`.
   */
  targets: Iterable<string>;
  /** IPv4: the range `targets` lies in (minus `excluded`); IPv6 (known hosts only): null. */
  range: { first: string; last: string } | null;
  /** The excluded prefixes that lie inside the subnet, canonical (child subnets scanning off). */
  excluded: string[];
}

export interface PlanOptions {
  /**
   * Smallest IPv4 prefix length that may be swept (default 16, i.e. at most a /16). Operators
   * raise the limit with the MAX_SWEEP_PREFIX setting. IPv6 plans only hold known hosts, so
   * this does not apply to them.
   */
  maxSweepPrefix?: number;
  /**
   * Prefixes whose addresses are never probed: the child subnets with scanning off (at any
   * depth). Prefixes outside the subnet or unparsable are ignored.
   */
  exclude?: Iterable<string>;
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
  const subnet = parseSubnet(cidr);
  const { prefix, family } = subnet;
  const canonical = `${bigIntToIp(subnet.first, family)}/${prefix}`;
  const excluded = insidePrefixes(opts.exclude ?? [], subnet);

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
    const network = Number(subnet.first);
    const size = 2 ** (32 - prefix);
    const [first, last] = prefix >= 31
      ? [network, network + size - 1]
      : [network + 1, network + size - 2];
    const holes = mergeHoles(excluded.map((e) => e.v4!), first, last);
    return {
      cidr: canonical,
      family,
      count: last - first + 1 - holes.reduce((n, [a, b]) => n + b - a + 1, 0),
      targets: new Ipv4Range(first, last, holes),
      range: { first: numberToV4(first), last: numberToV4(last) },
      excluded: excluded.map((e) => e.cidr),
    };
  }

  const inside = new Map<string, bigint>();
  for (const host of knownHosts) {
    const parsed = parseIpLenient(host);
    if (!parsed || parsed.family !== 6) continue;
    if (!within(parsed.value, subnet)) continue;
    if (excluded.some((e) => within(parsed.value, e))) continue;
    inside.set(parsed.ip, parsed.value);
  }
  const targets = [...inside.entries()].sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([ip]) => ip);
  return {
    cidr: canonical,
    family,
    count: targets.length,
    targets,
    range: null,
    excluded: excluded.map((e) => e.cidr),
  };
}

/** A parsed prefix: its network address and the host-part mask. */
interface Prefix {
  first: bigint;
  mask: bigint;
  prefix: number;
  family: 4 | 6;
}

interface Excluded extends Prefix {
  cidr: string;
  /** IPv4: the inclusive numeric range. */
  v4?: [number, number];
}

const within = (value: bigint, p: Prefix) => (value & ~p.mask) === p.first;

/** The prefixes of `list` inside the subnet (the subnet itself included), parsed. */
function insidePrefixes(list: Iterable<string>, subnet: Prefix): Excluded[] {
  const out: Excluded[] = [];
  for (const text of list) {
    let e: Prefix;
    try {
      e = parseSubnet(text);
    } catch {
      continue;
    }
    if (e.family !== subnet.family || e.prefix < subnet.prefix || !within(e.first, subnet)) {
      continue;
    }
    const cidr = `${bigIntToIp(e.first, e.family)}/${e.prefix}`;
    out.push(
      e.family === 4 ? { ...e, cidr, v4: [Number(e.first), Number(e.first | e.mask)] } : {
        ...e,
        cidr,
      },
    );
  }
  return out;
}

/** Excluded ranges clipped to [first, last], sorted and merged (nested children collapse). */
function mergeHoles(ranges: Array<[number, number]>, first: number, last: number) {
  const clipped = ranges
    .map(([a, b]): [number, number] => [Math.max(a, first), Math.min(b, last)])
    .filter(([a, b]) => a <= b)
    .sort((x, y) => x[0] - y[0]);
  const merged: Array<[number, number]> = [];
  for (const r of clipped) {
    const top = merged.at(-1);
    if (top && r[0] <= top[1] + 1) top[1] = Math.max(top[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

/** Inclusive IPv4 range minus sorted disjoint holes, walkable more than once, never materialized. */
class Ipv4Range implements Iterable<string> {
  constructor(
    private readonly first: number,
    private readonly last: number,
    private readonly holes: ReadonlyArray<readonly [number, number]> = [],
  ) {}
  *[Symbol.iterator](): Iterator<string> {
    let h = 0;
    for (let n = this.first; n <= this.last; n++) {
      while (h < this.holes.length && this.holes[h][1] < n) h++;
      if (h < this.holes.length && this.holes[h][0] <= n) {
        n = this.holes[h][1];
        continue;
      }
      yield numberToV4(n);
    }
  }
}

function parseSubnet(cidr: string): Prefix {
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
  const parsed = parseIpLenient(addrText);
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
  const mask = hostBits(parsed.family, prefix);
  const first = parsed.value & ~mask;
  if (first !== parsed.value) {
    throw new AppError(
      422,
      "invalid_cidr",
      `invalid CIDR "${cidr}": host bits are set; the subnet is ${
        bigIntToIp(first, parsed.family)
      }/${prefix}`,
    );
  }
  return { first, mask, prefix, family: parsed.family };
}

function numberToV4(n: number): string {
  return `${Math.floor(n / 16777216) % 256}.${Math.floor(n / 65536) % 256}.${
    Math.floor(n / 256) % 256
  }.${n % 256}`;
}
