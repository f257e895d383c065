// A host's live state as a pill: Up (with latency), Down or Unknown; plain props so islands can use it too.

import { formatAge, formatLatency as formatLatencyText } from "@/shared/state_view.ts";

export type PillState = "up" | "down" | "unknown";

export interface StatusPillProps {
  state: PillState;
  latencyMs?: number | null;
  /** When the state began: milliseconds since the epoch or an ISO string. */
  since?: number | string | null;
  /** When the host last answered (same forms); lets a live island keep the tooltip current. */
  lastSeen?: number | string | null;
}

const LABEL: Record<PillState, string> = { up: "Up", down: "Down", unknown: "Unknown" };

/** "0.4 ms", "12 ms": the same text the live island writes when it patches a pill. */
export function formatLatency(ms: number): string {
  return formatLatencyText(ms) ?? "";
}

function toMs(value: number | string | null | undefined): number | null {
  if (value === null || value === undefined || value === "" || value === 0) return null;
  const ms = typeof value === "number" ? value : Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

export function StatusPill(p: StatusPillProps) {
  const label = LABEL[p.state] ?? LABEL.unknown;
  const latency = p.state === "up" && typeof p.latencyMs === "number"
    ? formatLatency(p.latencyMs)
    : null;
  const since = toMs(p.since);
  const lastSeen = toMs(p.lastSeen);
  const sinceIso = since === null ? null : new Date(since).toISOString().replace(/\.\d{3}Z$/, "Z");
  return (
    <span
      class={`pill pill-${p.state in LABEL ? p.state : "unknown"}`}
      title={sinceIso
        ? `${label.toLowerCase()} ${formatAge(Date.now() - since!)} ago (since ${sinceIso})`
        : undefined}
      data-status={p.state}
      data-since={since ?? undefined}
      data-last-seen={lastSeen ?? undefined}
    >
      {label}
      {latency && <span class="sr-only">, latency</span>}
      {latency && <span class="pill-latency">{latency}</span>}
    </span>
  );
}
