// Pure comparison of a host's current ports with a new scan: which ports opened, closed or changed
// service, and which current rows the new scan replaces.

export type PortEventKind = "port_opened" | "port_closed" | "service_changed";

/** One port as a scan saw it (also a stored current row). */
export interface PortObservation {
  port: number;
  proto: string;
  /** nmap's state: open, closed, filtered, open|filtered… */
  state: string;
  service: string;
  product: string;
  version: string;
  /** The service came from version detection (-sV), not from nmap's port-number table. */
  probed: boolean;
}

export interface PortChange {
  kind: PortEventKind;
  port: number;
  proto: string;
  /** What host_event.detail stores: the port, its service, and what changed. */
  detail: Record<string, unknown>;
}

export interface PortDiff {
  changes: PortChange[];
  /** Current rows the new scan supersedes (it covered them); the others stay current. */
  retire: Array<{ port: number; proto: string }>;
}

export const portKey = (p: { proto: string; port: number }) => `${p.proto}/${p.port}`;
const isOpen = (p: PortObservation | undefined) => p?.state === "open";
const serviceOf = (p: PortObservation) => ({
  service: p.service,
  product: p.product,
  version: p.version,
});

/**
 * `prev` is the host's current set, or null when the host was never scanned: the first scan is a
 * baseline and reports no changes. `covered(proto, port)` says whether the new scan looked at a
 * port; a previously open port the scan did not cover (a narrower manual scan) is neither closed
 * nor retired. Service changes count only between two version-detected observations, so
 * alternating scans with and without -sV do not flap.
 */
export function diffPorts(
  prev: readonly PortObservation[] | null,
  next: readonly PortObservation[],
  covered: (proto: string, port: number) => boolean,
): PortDiff {
  const nextByKey = new Map(next.map((p) => [portKey(p), p]));
  const retire: PortDiff["retire"] = [];
  const changes: PortChange[] = [];
  const prevByKey = new Map((prev ?? []).map((p) => [portKey(p), p]));

  for (const p of prev ?? []) {
    if (nextByKey.has(portKey(p)) || covered(p.proto, p.port)) {
      retire.push({ port: p.port, proto: p.proto });
    }
  }
  if (prev === null) return { changes, retire };

  for (const n of next) {
    const before = prevByKey.get(portKey(n));
    if (!isOpen(n)) continue;
    if (!isOpen(before)) {
      changes.push({
        kind: "port_opened",
        port: n.port,
        proto: n.proto,
        detail: {
          port: n.port,
          proto: n.proto,
          ...serviceOf(n),
          previous_state: before?.state ?? null,
        },
      });
    } else if (
      before && before.probed && n.probed &&
      (before.service !== n.service || before.product !== n.product ||
        before.version !== n.version)
    ) {
      changes.push({
        kind: "service_changed",
        port: n.port,
        proto: n.proto,
        detail: { port: n.port, proto: n.proto, from: serviceOf(before), to: serviceOf(n) },
      });
    }
  }

  for (const p of prev) {
    if (!isOpen(p)) continue;
    const now = nextByKey.get(portKey(p));
    if (isOpen(now)) continue;
    if (!now && !covered(p.proto, p.port)) continue;
    changes.push({
      kind: "port_closed",
      port: p.port,
      proto: p.proto,
      // nmap folds most closed or filtered ports into one summary line: state null = not listed.
      detail: { port: p.port, proto: p.proto, ...serviceOf(p), state: now?.state ?? null },
    });
  }
  changes.sort((a, b) => a.proto.localeCompare(b.proto) || a.port - b.port);
  return { changes, retire };
}
