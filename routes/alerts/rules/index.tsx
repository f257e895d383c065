// POST /alerts/rules: add a rule from the alerts page.
import type { AppContext } from "@/web/env.ts";
import { createRule, type EventKind } from "@/services/alerts/mod.ts";
import { AppError } from "@/services/errors.ts";
import { renderAlerts } from "../../alerts.tsx";
import { formAction, list, optId, optInt, optText, text } from "../_forms.ts";

export function POST(c: AppContext) {
  return formAction(c, async (form) => {
    const events = list(form, "events") as EventKind[];
    const targets = list(form, "target_ids").map(Number).filter((n) => Number.isSafeInteger(n));
    if (events.length === 0) {
      throw new AppError(422, "validation_failed", "invalid form: events: pick at least one event");
    }
    if (targets.length === 0) {
      throw new AppError(
        422,
        "validation_failed",
        "invalid form: target_ids: pick at least one target",
      );
    }
    const rule = await createRule(c.get("deps").db, {
      name: text(form, "name").slice(0, 100) || "rule",
      events,
      subnet_id: optId(form, "subnet_id"),
      host_id: optId(form, "host_id"),
      tag: optText(form, "tag"),
      down_after: optInt(form, "down_after"),
      flap_window_s: optInt(form, "flap_window_s"),
      target_ids: targets,
    });
    return await renderAlerts(c, { notice: `Rule ${rule.name} added.` }, 201);
  });
}
