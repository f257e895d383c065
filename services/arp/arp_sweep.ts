// The optional active ARP pass of a subnet sweep: for an IPv4 subnet on a local interface, ask the
// sweep's own targets (within the scan scope) by ARP, so hosts that drop ICMP and TCP still show
// up, and their MAC addresses are known even when the kernel never talked to them.
import type { CommandRunner } from "@/services/jobs/mod.ts";
import { type ArpAnswer, runArpScan } from "./arp_scan.ts";
import { interfaceFor, readInterfaceAddresses } from "./local_interface.ts";

export interface ArpSweepOptions {
  runner: CommandRunner;
  timeoutMs: number;
  retries: number;
  /** The scan scope, read per pass: addresses outside it are never asked. */
  scope?: () => Promise<(ip: string) => boolean>;
}

export interface ArpPass {
  /** The interface asked on; null when the subnet is not on a local interface (nothing sent). */
  iface: string | null;
  found: Map<string, ArpAnswer>;
  errors: string[];
  notes: string[];
}

export interface ArpSweep {
  scan(subnet: string, targets: Iterable<string>, signal?: AbortSignal): Promise<ArpPass>;
}

/** Above this many targets a subnet is not ARP-swept (a /20 takes about a minute per attempt). */
export const MAX_ARP_TARGETS = 4096;

export function createArpSweep(o: ArpSweepOptions): ArpSweep {
  const scope = o.scope ?? (() => Promise.resolve(() => true));
  return {
    async scan(subnet, targets, signal) {
      const pass: ArpPass = { iface: null, found: new Map(), errors: [], notes: [] };
      pass.iface = interfaceFor(subnet, await readInterfaceAddresses(o.runner));
      if (!pass.iface) return pass;
      const inScope = await scope();
      const list: string[] = [];
      for (const ip of targets) {
        if (ip.includes(":") || !inScope(ip)) continue;
        list.push(ip);
        if (list.length > MAX_ARP_TARGETS) break;
      }
      if (list.length > MAX_ARP_TARGETS) {
        pass.notes.push(`ARP sweep skipped: more than ${MAX_ARP_TARGETS} addresses`);
        return pass;
      }
      // Each attempt paces packets at arp-scan's default 256 kbit/s (~2 ms each) plus a timeout.
      const deadlineMs = 10_000 + o.retries * (list.length * 3 + o.timeoutMs * 2);
      const res = await runArpScan(o.runner, pass.iface, list, {
        timeoutMs: o.timeoutMs,
        retries: o.retries,
        deadlineMs,
        ...(signal && { signal }),
      });
      pass.found = res.found;
      if (res.error) pass.errors.push(res.error);
      return pass;
    },
  };
}

/** A sweep's verdict on one address (the same shape as the sweeper's, without importing it). */
export interface ProbeVerdict<M extends string = string> {
  ip: string;
  up: boolean;
  latencyMs: number | null;
  method: M;
}

/**
 * Marks hosts that answered ARP but nothing else as up (method "arp"); the sweep's own verdicts
 * stand for the rest. Returns the merged list and how many ARP alone found.
 */
export function mergeArpAnswers<M extends string>(
  results: readonly ProbeVerdict<M>[],
  found: ReadonlyMap<string, ArpAnswer>,
): { results: ProbeVerdict<M | "arp">[]; arpOnly: number } {
  let arpOnly = 0;
  const merged = results.map((r): ProbeVerdict<M | "arp"> => {
    const a = found.get(r.ip);
    if (r.up || !a) return r;
    arpOnly++;
    return { ip: r.ip, up: true, latencyMs: a.rttMs, method: "arp" };
  });
  return { results: merged, arpOnly };
}
