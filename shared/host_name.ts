// Which of a host's names is in force, and why: a person's override, then its reverse-DNS (PTR)
// name, then a name typed or imported, then the SNMP sysName. One pure rule, used by the server
// (SNMP poller, host page) and by the islands (drawer, edit form), so they never disagree.

/** Where the host row's `hostname` column came from (null: typed or imported). */
export type HostnameSource = "ptr" | "snmp" | null;
export type NameSource = "override" | "ptr" | "entered" | "snmp";

export interface NameInputs {
  hostname_override: string | null;
  hostname: string | null;
  hostname_source: HostnameSource;
  /** The last SNMP sysName, already made DNS-safe; null when none. */
  snmp_name: string | null;
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

/** What each source is called in the UI. */
export const NAME_SOURCE_LABELS: Record<NameSource, string> = {
  override: "Override (typed)",
  ptr: "Reverse DNS (PTR)",
  entered: "DNS name (typed or imported)",
  snmp: "SNMP sysName",
};

/** Short "from …" words for a sentence. */
const FROM: Record<NameSource, string> = {
  override: "your override",
  ptr: "reverse DNS (PTR)",
  entered: "the name typed or imported",
  snmp: "the SNMP sysName",
};

export function resolveHostNames(f: NameInputs): HostNames {
  const dns = f.hostname_source === "snmp" ? null : f.hostname || null;
  const candidates: NameCandidate[] = [
    { source: "override", name: f.hostname_override || null },
    { source: "ptr", name: f.hostname_source === "ptr" ? dns : null },
    { source: "entered", name: f.hostname_source === null ? dns : null },
    {
      source: "snmp",
      name: (f.hostname_source === "snmp" ? f.hostname : f.snmp_name) || null,
    },
  ];
  const win = candidates.find((c) => c.name);
  return { shown: win?.name ?? null, winner: win?.source ?? null, candidates };
}

/** The strongest name below the override: what clearing the override goes back to. */
export function nameUnderOverride(n: HostNames): NameCandidate | null {
  return n.candidates.find((c) => c.source !== "override" && c.name) ?? null;
}

/** One sentence saying which name is in force and why ("In force: r1 (from reverse DNS (PTR))."). */
export function nameInForceText(n: HostNames): string {
  if (!n.shown || !n.winner) return "No name from any source: the address is shown.";
  return `In force: ${n.shown}, from ${FROM[n.winner]}.`;
}

/** The edit form's hint under the name field: what is in force and what clearing it does. */
export function overrideHint(n: HostNames): string {
  const under = nameUnderOverride(n);
  if (n.winner === "override") {
    return under
      ? `Your override is in force. Clear it to go back to ${under.name} (${FROM[under.source]}).`
      : "Your override is in force. Clear it to show the address.";
  }
  if (under) return `${nameInForceText(n)} Type a name to override it; leave blank to keep it.`;
  return "No discovered name (reverse DNS or SNMP) yet. Type a name to show instead of the address.";
}
