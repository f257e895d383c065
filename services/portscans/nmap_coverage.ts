// What one nmap run covered (ports per protocol from <scaninfo>), which hosts it gave up on
// (--host-timeout) and which services version detection identified, from the raw `-oX -` report.
//
// The port diff needs these: a port missing from a report is closed only if the scan looked at
// it, a host nmap abandoned must not read as "every port closed", and a service name guessed from
// the port number must not count as a service change. Only attributes nmap itself writes are read,
// with plain regular expressions; no entity or DTD is ever expanded.
import { normalizeIp } from "@/services/ipam/mod.ts";

/** Inclusive port ranges per protocol ("tcp" → [[1, 1024], [8080, 8080]]). */
export type PortCoverage = Map<string, Array<[number, number]>>;

export interface NmapRunInfo {
  /** Ports each protocol scanned; null when the report has no <scaninfo> (coverage unknown). */
  coverage: PortCoverage | null;
  /** Addresses of hosts marked timedout="true" (results incomplete). */
  timedOut: Set<string>;
  /** `probedKey(ip, proto, port)` of ports whose service came from version probes. */
  probed: Set<string>;
}

export const probedKey = (ip: string, proto: string, port: number) => `${ip} ${proto}/${port}`;

const ATTR = /([A-Za-z_][\w.-]*)="([^"]*)"/g;

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(ATTR)) out[m[1]] = m[2];
  return out;
}

/** Parses nmap's port list ("1,3-4,6-7,9"); null when any item is not a port or range. */
export function parsePortList(list: string): Array<[number, number]> | null {
  const out: Array<[number, number]> = [];
  for (const item of list.split(",")) {
    const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(item.trim());
    if (!m) return null;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo > hi || hi > 65535) return null;
    out.push([lo, hi]);
  }
  return mergeRanges(out);
}

/** Sorted, non-overlapping ranges (what the binary search in {@link covers} relies on). */
function mergeRanges(ranges: Array<[number, number]>): Array<[number, number]> {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const [lo, hi] of sorted) {
    const last = out.at(-1);
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

export function readNmapRunInfo(xml: string): NmapRunInfo {
  let coverage: PortCoverage | null = null;
  for (const m of xml.matchAll(/<scaninfo\b([^>]*)>/g)) {
    const a = attributes(m[1]);
    if (!a.protocol || a.services === undefined) continue;
    const ranges = parsePortList(a.services);
    if (!ranges) {
      coverage = null;
      break;
    }
    coverage ??= new Map();
    coverage.set(a.protocol, mergeRanges([...(coverage.get(a.protocol) ?? []), ...ranges]));
  }
  return { coverage, ...readHosts(xml) };
}

function readHosts(xml: string): Pick<NmapRunInfo, "timedOut" | "probed"> {
  const timedOut = new Set<string>();
  const probed = new Set<string>();
  // "<host " or "<host>" only: <hosthint>, <hostnames> and <hostname> are other elements.
  for (const m of xml.matchAll(/<host(\s[^>]*)?>([\s\S]*?)<\/host>/g)) {
    let ip: string | null = null;
    for (const addr of m[2].matchAll(/<address\b([^>]*)>/g)) {
      const a = attributes(addr[1]);
      if (a.addrtype === "ipv4" || a.addrtype === "ipv6") {
        ip = normalizeIp(a.addr ?? "")?.ip ?? null;
      }
    }
    if (!ip) continue;
    if (attributes(m[1] ?? "").timedout === "true") timedOut.add(ip);
    for (const port of m[2].matchAll(/<port\b([^>]*)>([\s\S]*?)<\/port>/g)) {
      const p = attributes(port[1]);
      const service = /<service\b([^>]*)>/.exec(port[2]);
      if (service && attributes(service[1]).method === "probed") {
        probed.add(probedKey(ip, p.protocol ?? "", Number(p.portid)));
      }
    }
  }
  return { timedOut, probed };
}

/** Whether `coverage` includes the port; unknown coverage (null) counts as everything. */
export function covers(coverage: PortCoverage | null, proto: string, port: number): boolean {
  if (coverage === null) return true;
  const ranges = coverage.get(proto);
  if (!ranges) return false;
  // Ranges are few (nmap compresses the list); a binary search keeps -p- lists cheap too.
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [a, b] = ranges[mid];
    if (port < a) hi = mid - 1;
    else if (port > b) lo = mid + 1;
    else return true;
  }
  return false;
}
