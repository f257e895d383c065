// Runs Debian's arp-scan on one local interface for a list of IPv4 targets and parses who answered.
// Targets go in on stdin (`--file=-`), so exactly the addresses given are asked, never more.
import type { CommandRunner } from "@/services/jobs/mod.ts";

export interface ArpAnswer {
  ip: string;
  /** Lowercase colon form. */
  mac: string;
  /** Round-trip time of the first reply. */
  rttMs: number | null;
}

export interface ArpScanOptions {
  /** Initial per-host timeout (arp-scan -t, default 500 ms). */
  timeoutMs: number;
  /** Total attempts per host (arp-scan -r). */
  retries: number;
}

/** The argument array; user-chosen values only ever follow their own option. */
export function arpScanArgs(iface: string, o: ArpScanOptions): string[] {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,14}$/.test(iface)) {
    throw new Error(`interface name ${JSON.stringify(iface)} is not a Linux interface name`);
  }
  return [
    `--interface=${iface}`,
    "--plain", // no header or footer
    "--ignoredups",
    "--numeric", // targets are addresses, never names to resolve
    "--rtt",
    `--retry=${Math.max(1, Math.floor(o.retries))}`,
    `--timeout=${Math.max(10, Math.floor(o.timeoutMs))}`,
    "--format=${ip}\t${mac}\t${rtt}",
    "--file=-",
  ];
}

const LINE = /^(\d{1,3}(?:\.\d{1,3}){3})\t([0-9a-f]{2}(?::[0-9a-f]{2}){5})\t?([\d.]*)/i;

/** One answer per address (the first); lines that are not answers are ignored. */
export function parseArpScan(stdout: string): Map<string, ArpAnswer> {
  const found = new Map<string, ArpAnswer>();
  for (const line of stdout.split("\n")) {
    const m = LINE.exec(line.trim());
    if (!m || found.has(m[1])) continue;
    const rtt = m[3] ? Number(m[3]) : NaN;
    found.set(m[1], {
      ip: m[1],
      mac: m[2].toLowerCase(),
      rttMs: Number.isFinite(rtt) ? rtt : null,
    });
  }
  return found;
}

export interface ArpScanResult {
  found: Map<string, ArpAnswer>;
  /** Why the scan could not run or was cut short; null when it ran. */
  error: string | null;
}

/** Runs arp-scan; never throws for a missing tool, missing privilege or timeout. */
export async function runArpScan(
  runner: CommandRunner,
  iface: string,
  targets: readonly string[],
  o: ArpScanOptions & { deadlineMs: number; signal?: AbortSignal },
): Promise<ArpScanResult> {
  if (targets.length === 0) return { found: new Map(), error: null };
  const res = await runner("arp-scan", arpScanArgs(iface, o), {
    stdin: targets.join("\n") + "\n",
    timeoutMs: o.deadlineMs,
    ...(o.signal && { signal: o.signal }),
  });
  const found = parseArpScan(res.stdout);
  if (res.notFound) {
    return { found, error: "arp-scan unavailable (not installed: apt-get install arp-scan)" };
  }
  if (res.timedOut) return { found, error: `arp-scan stopped after ${o.deadlineMs} ms` };
  if (res.code !== 0) {
    const why = res.stderr.split("\n").find((l) => l.trim()) ?? `exit ${res.code}`;
    const hint = /permitted|permission|root/i.test(why) ? " (it needs root or CAP_NET_RAW)" : "";
    return { found, error: `arp-scan failed on ${iface}: ${why.trim().slice(0, 200)}${hint}` };
  }
  return { found, error: null };
}
