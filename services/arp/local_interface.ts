// Which local interface a subnet is on: the kernel's IPv4 addresses (`ip -j -4 addr show`), and the
// one whose network holds the subnet or whose address lies inside it. Off-link subnets get none.
import ipaddr from "ipaddr.js";
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
  let net: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    net = ipaddr.parseCIDR(subnet);
  } catch {
    return null;
  }
  if (net[0].kind() !== "ipv4") return null;
  for (const a of addrs) {
    const [addr, len] = ipaddr.IPv4.parseCIDR(a.cidr);
    const ifaceNet: [ipaddr.IPv4, number] = [ipaddr.IPv4.networkAddressFromCIDR(a.cidr), len];
    const subnetInsideIface = net[1] >= len && (net[0] as ipaddr.IPv4).match(ifaceNet);
    const ifaceInsideSubnet = addr.match(net as [ipaddr.IPv4, number]);
    if (subnetInsideIface || ifaceInsideSubnet) return a.ifname;
  }
  return null;
}

export async function readInterfaceAddresses(runner: CommandRunner): Promise<InterfaceAddress[]> {
  const res = await runner("ip", ["-j", "-4", "addr", "show"], { timeoutMs: 5_000 });
  return res.code === 0 ? parseInterfaceAddresses(res.stdout) : [];
}
