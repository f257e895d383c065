// MAC addresses of hosts on a local segment, from the kernel's neighbour table (`ip neigh show`).
import type { CommandRunner } from "@/services/jobs/mod.ts";
import { normalizeIp } from "@/services/ipam/mod.ts";

export interface Neighbor {
  ip: string;
  mac: string;
  dev: string;
  state: string;
}

/** States whose link-layer address is no longer (or not yet) trustworthy. */
const UNUSABLE = new Set(["FAILED", "INCOMPLETE", "NONE"]);
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/**
 * Parses `ip neigh show` (IPv4 and IPv6 lines alike):
 * `198.51.100.10 dev br0 lladdr 5e:2d:aa:01:02:03 REACHABLE`. Entries without a usable MAC
 * (FAILED, INCOMPLETE, NOARP all-zero, broadcast) are left out; the first entry per address wins.
 */
export function parseNeighbors(text: string): Map<string, Neighbor> {
  const out = new Map<string, Neighbor>();
  for (const line of text.split("\n")) {
    const words = line.trim().split(/\s+/);
    if (words.length < 3) continue;
    const ip = normalizeIp(words[0])?.ip;
    const field = (name: string) => {
      const i = words.indexOf(name);
      return i > 0 && i + 1 < words.length ? words[i + 1] : null;
    };
    const mac = field("lladdr")?.toLowerCase() ?? null;
    const state = words.at(-1)!.toUpperCase();
    if (!ip || !mac || !MAC.test(mac) || UNUSABLE.has(state)) continue;
    if (mac === "00:00:00:00:00:00" || mac === "ff:ff:ff:ff:ff:ff") continue;
    if (!out.has(ip)) out.set(ip, { ip, mac, dev: field("dev") ?? "", state });
  }
  return out;
}

/** Reads the table with the given runner; an empty map when `ip` is missing or fails. */
export async function readNeighbors(runner: CommandRunner): Promise<Map<string, Neighbor>> {
  const res = await runner("ip", ["neigh", "show"], { timeoutMs: 5_000 });
  if (res.code !== 0) return new Map();
  return parseNeighbors(res.stdout);
}
