// Turns a numeric indicator value and optional thresholds into a status (pure).
import type { IndicatorStatus, Thresholds } from "./inputs.ts";

/**
 * Critical beats warning; "above" means strictly greater, "below" strictly less. Without a
 * numeric value or thresholds the given status stands (default "unknown").
 */
export function indicatorStatus(
  value: number | string | null,
  thresholds: Thresholds | null | undefined,
  given: IndicatorStatus | undefined,
): IndicatorStatus {
  const t = thresholds ?? {};
  const hasThresholds = Object.values(t).some((v) => v !== undefined);
  if (typeof value !== "number" || !hasThresholds) return given ?? "unknown";
  const over = (limit: number | undefined) => limit !== undefined && value > limit;
  const under = (limit: number | undefined) => limit !== undefined && value < limit;
  if (over(t.critical_above) || under(t.critical_below)) return "critical";
  if (over(t.warning_above) || under(t.warning_below)) return "warning";
  return "ok";
}
