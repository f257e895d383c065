// Which local interface a subnet is on: the kernel's IPv4 addresses (`ip -j -4 addr show`), and the
// one whose network holds the subnet or whose address lies inside it. Off-link subnets get none.
import { cidrContains, parseCidr, type ParsedCidr, parseIpLenient } from "@/services/ipam/mod.ts";
import type { CommandRunner } from "@/services/jobs/mod.ts";

export interface InterfaceAddress {
  ifname: string;
  /** Address with prefix, e.g. 198.51.100.1/24. */
  cidr: string;
}

/** Parses `ip -j -4 addr show`; skips loopback and interfaces that are down. */
export function parseInterfaceAddresses(json: string): InterfaceAddress[] {
  let links: Array<{
    ifname?: string;
    operstate?: string;
    flags?: string[];
    addr_info?: Array<{ family?: string; local?: string; prefixlen?: number }>;
  }>;
  try {
    links = JSON.parse(json || "[]");
  } catch {
    return [];
  }
  const out: InterfaceAddress[] = [];
  for (const link of Array.isArray(links) ? links : []) {
    if (!link.ifname || link.flags?.includes("LOOPBACK") || !link.flags?.includes("UP")) continue;
    for (const a of link.addr_info ?? []) {
      if (a.family !== "inet" || !a.local || typeof a.prefixlen !== "number") continue;
      out.push({ ifname: link.ifname, cidr: `${a.local}/${a.prefixlen}` });
    }
  }
  return out;
}

/** The interface an IPv4 subnet is directly attached to, or null (IPv6 and off-link: null). */
export function interfaceFor(subnet: string, addrs: readonly InterfaceAddress[]): string | null {
  let net: ParsedCidr;
  try {
    net = parseCidr(subnet, { normalize: true });
  } catch {
    return null;
  }
  if (net.family !== 4) return null;
  for (const a of addrs) {
    let iface: ParsedCidr;
    try {
      iface = parseCidr(a.cidr, { normalize: true });
    } catch {
      continue;
    }
    const addr = parseIpLenient(a.cidr.slice(0, a.cidr.indexOf("/")));
    const subnetInsideIface = net.prefix >= iface.prefix && cidrContains(iface, net.network);
    const ifaceInsideSubnet = addr !== null && cidrContains(net, addr);
    if (subnetInsideIface || ifaceInsideSubnet) return a.ifname;
  }
  return null;
}

export async function readInterfaceAddresses(runner: CommandRunner): Promise<InterfaceAddress[]> {
  const res = await runner("ip", ["-j", "-4", "addr", "show"], { timeoutMs: 5_000 });
  return res.code === 0 ? parseInterfaceAddresses(res.stdout) : [];
}
