// A host's live state as a pill: Up (with latency), Down or Unknown; plain props so islands can use it too.

import { formatLatency as formatLatencyText, pillText, pillView } from "@/shared/state_view.ts";

export type PillState = "up" | "down" | "unknown";

export interface StatusPillProps {
  state: PillState;
  latencyMs?: number | null;
  /** When the state began: milliseconds since the epoch or an ISO string. */
  since?: number | string | null;
  /** When the host last answered (same forms); lets a live island keep the tooltip current. */
  lastSeen?: number | string | null;
  /** The host's address: lets the live island find and patch this pill. */
  ip?: string;
}

const STATES: readonly PillState[] = ["up", "down", "unknown"];

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
  const status: PillState = STATES.includes(p.state) ? p.state : "unknown";
  const since = toMs(p.since);
  const lastSeen = toMs(p.lastSeen);
  // The same text the live island writes (shared/state_view.ts), so a patch changes nothing else.
  const view = status === "unknown" || since === null ? null : pillView(
    {
      up: status === "up",
      latency_ms: typeof p.latencyMs === "number" ? p.latencyMs : null,
      since,
      last_seen: lastSeen,
    },
    Date.now(),
  );
  const { label, latency } = pillText(status, p.latencyMs);
  return (
    <span
      class={`pill pill-${status}`}
      title={view?.title}
      data-status={status}
      data-host-ip={p.ip}
      data-since={since ?? undefined}
      data-last-seen={lastSeen ?? undefined}
    >
      {label}
      {latency && <span class="sr-only">, latency</span>}
      {latency && <span class="pill-latency">{latency}</span>}
    </span>
  );
}
