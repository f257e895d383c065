// POST /alerts/silences: add a mute, maintenance window or quiet hours from the alerts page.
import type { AppContext } from "@/web/env.ts";
import { createSilence, type SilenceKind } from "@/services/alerts/mod.ts";
import { renderAlerts } from "../../alerts.tsx";
import { formAction, optId, optText, optUtc, text } from "../_forms.ts";

export function POST(c: AppContext) {
  return formAction(c, async (form) => {
    const deps = c.get("deps");
    const s = await createSilence(deps.db, {
      kind: text(form, "kind") as SilenceKind,
      host_id: optId(form, "host_id"),
      subnet_id: optId(form, "subnet_id"),
      tag: optText(form, "tag"),
      starts_at: optUtc(form, "starts_at"),
      ends_at: optUtc(form, "ends_at"),
      daily_from: optText(form, "daily_from"),
      daily_to: optText(form, "daily_to"),
      time_zone: optText(form, "time_zone") ?? "UTC",
      reason: text(form, "reason").slice(0, 500),
    }, deps.now());
    return await renderAlerts(c, { notice: `${s.kind} added.` }, 201);
  });
}
