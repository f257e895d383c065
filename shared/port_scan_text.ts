// Port scans in the UI's words: the port-list choices of "Scan ports" (as allowlisted nmap options)
// and nmap's failures as plain sentences. Pure, shared by the scanner page and the drawer island.

export type PortChoice = "scheduled" | "top100" | "top1000" | "custom";

export const PORT_CHOICES: ReadonlyArray<{ value: PortChoice; label: string }> = [
  { value: "scheduled", label: "As scheduled scans" },
  { value: "top100", label: "Top 100 ports" },
  { value: "top1000", label: "Top 1000 ports" },
  { value: "custom", label: "These ports…" },
];

/** A port list as typed ("22, 80, 8000-8100"): a reason it is wrong, or null. */
export function portListProblem(text: string): string | null {
  const items = text.split(",").map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) return "Type at least one port, such as 22,80,443 or 8000-8100.";
  if (items.length > 1000) return "At most 1000 ports or ranges at once.";
  for (const item of items) {
    const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(item);
    if (!m) return `"${item.slice(0, 20)}" is not a port or a range like 8000-8100.`;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo < 1 || hi > 65535) return `Ports go from 1 to 65535 ("${item}").`;
    if (lo > hi) return `The range "${item}" is reversed.`;
  }
  return null;
}

/**
 * nmap options for a choice, inside the server's allowlist: a TCP connect scan (no root needed)
 * with version detection, as the default scan does, over the chosen ports. "scheduled" sends
 * none, so the server uses NMAP_ARGS like its scheduled scans.
 */
export function portScanArgs(choice: PortChoice, ports = ""): string[] | undefined {
  if (choice === "scheduled") return undefined;
  const base = ["-Pn", "-T3", "-sT", "-sV"];
  if (choice === "top100") return [...base, "--top-ports", "100"];
  if (choice === "top1000") return [...base, "--top-ports", "1000"];
  return [...base, "-p", ports.split(",").map((s) => s.trim()).filter(Boolean).join(",")];
}

/** "Top 100 ports", "ports 22,80", "default options" from a scan's recorded arguments. */
export function portSetText(args: readonly string[]): string {
  const top = args.indexOf("--top-ports");
  if (top >= 0 && args[top + 1]) return `top ${args[top + 1]} ports`;
  const p = args.findIndex((a) => a === "-p" || /^-p./.test(a));
  if (p >= 0) {
    const list = args[p] === "-p" ? args[p + 1] ?? "" : args[p].slice(2);
    return list === "-"
      ? "all ports"
      : `ports ${list.length > 40 ? `${list.slice(0, 40)}…` : list}`;
  }
  if (args.includes("-F")) return "top 100 ports";
  return "nmap's default ports";
}

/** A recorded nmap failure as a sentence a person can act on. */
export function nmapErrorText(error: string | null | undefined): string {
  const e = (error ?? "").trim();
  if (!e) return "";
  let m = /timed out after (\d+) ms/.exec(e);
  if (m) {
    return `nmap did not finish within ${Math.round(Number(m[1]) / 1000)} seconds; ` +
      "scan fewer ports or raise NMAP_TIMEOUT_SECONDS.";
  }
  if (/not installed|nmap_not_found/.test(e)) return "nmap is not installed on this server.";
  if (/^stopped before|aborted/.test(e)) return "Stopped before nmap finished.";
  if (/--host-timeout/.test(e)) {
    return "nmap gave up on this host; its ports were left as they were.";
  }
  m = /nmap found the host (\w+)/.exec(e);
  if (m) return `nmap found the host ${m[1]}; its ports were left as they were.`;
  if (/did not report/.test(e)) return "nmap did not report on this host (down or filtered?).";
  m = /nmap exited with code (\d+)[^:]*(?::\s*(.*))?/.exec(e);
  if (m) {
    return `nmap stopped with an error${m[2] ? `: ${m[2].slice(0, 160)}` : ` (code ${m[1]})`}.`;
  }
  return e.length > 200 ? `${e.slice(0, 200)}…` : e;
}
