// How a host state reads on a pill (label, tooltip, latency badge); pure, shared by server and island.

export interface PillState {
  up: boolean;
  latency_ms: number | null;
  since: number;
  last_seen: number | null;
}

export interface PillView {
  status: "up" | "down" | "unknown";
  label: "Up" | "Down" | "Unknown";
  /** Tooltip: "down 12m ago", "up 3h ago", "never checked". */
  title: string;
  /** Latency badge text ("0.4 ms"), null when down or unknown. */
  latency: string | null;
}

/** "45s", "12m", "3h", "2d": coarse on purpose, a pill is not a log. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

/** "0.4 ms", "12 ms", "1.2 s": pills (server-rendered and live-patched) show the same text. */
export function formatLatency(ms: number | null): string | null {
  if (ms === null || !Number.isFinite(ms)) return null;
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${Number((ms / 1000).toFixed(1))} s`;
}

const LABEL = { up: "Up", down: "Down", unknown: "Unknown" } as const;

/**
 * The visible text of a pill (label and latency badge) for a status: the one function both the
 * server-rendered pill and the live-patched one use, so a patch never changes the wording.
 */
export function pillText(
  status: PillView["status"],
  latencyMs: number | null | undefined,
): Pick<PillView, "label" | "latency"> {
  return {
    label: LABEL[status] ?? LABEL.unknown,
    latency: status === "up" ? formatLatency(latencyMs ?? null) : null,
  };
}

export function pillView(state: PillState | null | undefined, now: number): PillView {
  if (!state) return { status: "unknown", ...pillText("unknown", null), title: "never checked" };
  const ago = formatAge(now - state.since);
  if (state.up) {
    return { status: "up", ...pillText("up", state.latency_ms), title: `up ${ago} ago` };
  }
  const seen = state.last_seen === null
    ? "never seen up"
    : `last seen ${formatAge(now - state.last_seen)} ago`;
  return { status: "down", ...pillText("down", null), title: `down ${ago} ago (${seen})` };
}
