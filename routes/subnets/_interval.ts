// The scan interval rule of the subnet forms (create on /subnets, edit on /subnets/:id).
import type { AppContext } from "@/web/env.ts";
import { intervalProblem } from "@/shared/scan_interval.ts";

/**
 * The scheduler's rule for an interval typed in a form: 422 in the form's words when it would not
 * be kept (30 s with a one-minute tick), so the page never shows an interval that is not honoured.
 */
export function formIntervalProblem(c: AppContext, raw: unknown): string | null {
  if (typeof raw !== "string" || !/^\d{1,7}$/.test(raw.trim())) return null;
  return intervalProblem(Number(raw.trim()), c.get("deps").cfg.SCAN_ICMP_INTERVAL_SECONDS);
}
