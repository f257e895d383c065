// Which of a host's names wins: a person's override, then its DNS name (reverse DNS, or typed or
// imported), then the SNMP sysName. One rule, used by the poller and shown in the UI.
import { hostnameFromSysName } from "./text.ts";

export type HostnameSource = "ptr" | "snmp" | null;
export type NameSource = "override" | "ptr" | "entered" | "snmp";

export interface NameFacts {
  hostname_override: string | null;
  hostname: string | null;
  hostname_source: HostnameSource;
  /** The last sysName read from the host (cleaned), if any. */
  snmp_sys_name: string | null;
}

export interface NameCandidate {
  source: NameSource;
  name: string | null;
}

export interface HostNames {
  /** The name a person sees, or null (the address is shown). */
  shown: string | null;
  winner: NameSource | null;
  /** Every source in precedence order, with what it holds (null when it has nothing). */
  candidates: NameCandidate[];
}

/** Precedence, strongest first. */
export const NAME_PRECEDENCE: readonly NameSource[] = ["override", "ptr", "entered", "snmp"];

export function resolveHostNames(f: NameFacts): HostNames {
  const dns = f.hostname_source === "snmp" ? null : f.hostname;
  const candidates: NameCandidate[] = [
    { source: "override", name: f.hostname_override },
    { source: "ptr", name: f.hostname_source === "ptr" ? dns : null },
    { source: "entered", name: f.hostname_source === null ? dns : null },
    {
      source: "snmp",
      name: f.hostname_source === "snmp" ? f.hostname : hostnameFromSysName(f.snmp_sys_name),
    },
  ];
  const win = candidates.find((c) => c.name);
  return { shown: win?.name ?? null, winner: win?.source ?? null, candidates };
}
