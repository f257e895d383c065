// Uptime over 24 h and 7 d, and series step choice, from raw rows and hourly roll-ups alike.
import { AppError } from "@/services/errors.ts";
import type { Queryable } from "@/services/store/mod.ts";
import { windowTotals } from "./history_repo.ts";

export interface UptimeWindow {
  /** Fraction of samples in the window where the host answered; null with no samples. */
  ratio: number | null;
  samples: number;
  up_samples: number;
  from: string;
  to: string;
}

export interface Uptime {
  uptime_24h: UptimeWindow;
  uptime_7d: UptimeWindow;
}

const DAY_MS = 86_400_000;
/** Steps a series may use when the caller gives none: the first that fits in MAX_POINTS. */
const STEPS_S = [60, 300, 900, 3600, 6 * 3600, 86_400, 7 * 86_400];
export const MAX_POINTS = 2000;

/**
 * Sample-weighted uptime: every sweep counts once, whether still raw or already in an hourly
 * roll-up (which keeps its sample counts), so the number does not move when the roll-up runs.
 */
export function uptimeRatio(samples: number, upSamples: number): number | null {
  return samples > 0 ? upSamples / samples : null;
}

export async function hostUptime(q: Queryable, hostId: number, now: number): Promise<Uptime> {
  const window = async (ms: number): Promise<UptimeWindow> => {
    const from = new Date(now - ms);
    const to = new Date(now + 1); // include a sample written at `now`
    const t = await windowTotals(q, hostId, from, to);
    return {
      ratio: uptimeRatio(t.samples, t.up_samples),
      samples: t.samples,
      up_samples: t.up_samples,
      from: from.toISOString(),
      to: new Date(now).toISOString(),
    };
  };
  return { uptime_24h: await window(DAY_MS), uptime_7d: await window(7 * DAY_MS) };
}

/**
 * Validates a series request: `to` after `from`, and a step (seconds) that yields at most
 * MAX_POINTS buckets; without a step, the smallest standard one that does.
 */
export function seriesStep(fromMs: number, toMs: number, stepS?: number): number {
  if (!(toMs > fromMs)) {
    throw new AppError(422, "invalid_range", "`to` must be after `from`", {
      from: new Date(fromMs).toISOString(),
      to: new Date(toMs).toISOString(),
    });
  }
  const spanS = (toMs - fromMs) / 1000;
  if (stepS === undefined) {
    return STEPS_S.find((s) => spanS / s <= MAX_POINTS) ?? Math.ceil(spanS / MAX_POINTS);
  }
  if (spanS / stepS > MAX_POINTS) {
    throw new AppError(
      422,
      "too_many_points",
      `step ${stepS}s over ${Math.round(spanS)}s gives more than ${MAX_POINTS} points; ` +
        `use step >= ${Math.ceil(spanS / MAX_POINTS)}`,
    );
  }
  return stepS;
}
