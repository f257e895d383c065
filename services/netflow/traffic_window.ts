// The time window of the traffic page and API: a preset (15m, 1h, 24h…) ending now, or a custom
// from/to; with the bucket size of the bytes-over-time chart (at most ~120 bars).
import { AppError } from "@/services/errors.ts";
import { MINUTE_MS } from "./rollup.ts";

export const WINDOW_PRESETS: Record<string, { ms: number; label: string }> = {
  "15m": { ms: 15 * MINUTE_MS, label: "last 15 min" },
  "1h": { ms: 60 * MINUTE_MS, label: "last hour" },
  "6h": { ms: 6 * 60 * MINUTE_MS, label: "last 6 hours" },
  "24h": { ms: 24 * 60 * MINUTE_MS, label: "last 24 hours" },
  "7d": { ms: 7 * 24 * 60 * MINUTE_MS, label: "last 7 days" },
};
export const DEFAULT_WINDOW = "1h";
/** The longest custom window (roll-ups are per minute; more would make slow pages). */
export const MAX_WINDOW_MS = 90 * 24 * 60 * MINUTE_MS;
const BUCKETS_MINUTES = [1, 2, 5, 10, 15, 30, 60, 120, 360, 720, 1440];
const MAX_BUCKETS = 120;

export interface TrafficWindow {
  /** The preset key, or "custom". */
  key: string;
  fromMs: number;
  toMs: number;
  bucketMs: number;
  label: string;
}

export interface WindowInput {
  window?: string;
  /** ISO 8601 times of a custom window (`to` defaults to now). */
  from?: string;
  to?: string;
}

function parseTime(name: string, text: string): number {
  const t = Date.parse(text);
  if (!Number.isFinite(t)) {
    throw new AppError(
      422,
      "invalid_window",
      `${name} "${text.slice(0, 40)}" is not a time: expected ISO 8601, e.g. 2024-05-01T10:00:00Z`,
    );
  }
  return t;
}

export function bucketFor(spanMs: number): number {
  for (const m of BUCKETS_MINUTES) {
    if (spanMs / (m * MINUTE_MS) <= MAX_BUCKETS) return m * MINUTE_MS;
  }
  return BUCKETS_MINUTES.at(-1)! * MINUTE_MS;
}

export function parseWindow(input: WindowInput, nowMs: number): TrafficWindow {
  const custom = input.window === "custom" || (!input.window && (input.from || input.to));
  if (custom) {
    if (!input.from) {
      throw new AppError(
        422,
        "invalid_window",
        "a custom window needs `from` (and optionally `to`), as ISO 8601 times",
      );
    }
    const fromMs = parseTime("from", input.from);
    const toMs = input.to ? parseTime("to", input.to) : nowMs;
    if (toMs <= fromMs) {
      throw new AppError(422, "invalid_window", "`to` must be later than `from`");
    }
    if (toMs - fromMs > MAX_WINDOW_MS) {
      throw new AppError(422, "invalid_window", "a window may span at most 90 days");
    }
    return {
      key: "custom",
      fromMs,
      toMs,
      bucketMs: bucketFor(toMs - fromMs),
      label: `${new Date(fromMs).toISOString()} – ${new Date(toMs).toISOString()}`,
    };
  }
  const key = input.window || DEFAULT_WINDOW;
  const preset = WINDOW_PRESETS[key];
  if (!preset) {
    throw new AppError(
      422,
      "invalid_window",
      `window "${key.slice(0, 20)}" is unknown: expected one of ${
        Object.keys(WINDOW_PRESETS).join(", ")
      } or custom with from/to`,
    );
  }
  return {
    key,
    fromMs: nowMs - preset.ms,
    toMs: nowMs,
    bucketMs: bucketFor(preset.ms),
    label: preset.label,
  };
}
