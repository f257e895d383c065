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

export function pillView(state: PillState | null | undefined, now: number): PillView {
  if (!state) return { status: "unknown", label: "Unknown", title: "never checked", latency: null };
  const ago = formatAge(now - state.since);
  if (state.up) {
    return {
      status: "up",
      label: "Up",
      title: `up ${ago} ago`,
      latency: formatLatency(state.latency_ms),
    };
  }
  const seen = state.last_seen === null
    ? "never seen up"
    : `last seen ${formatAge(now - state.last_seen)} ago`;
  return { status: "down", label: "Down", title: `down ${ago} ago (${seen})`, latency: null };
}
