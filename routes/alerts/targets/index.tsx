// POST /alerts/targets: add a target from the alerts page (admin); a generated secret is shown once.
import type { AppContext } from "@/web/env.ts";
import { requireRole } from "@/services/auth/mod.ts";
import { createTarget, type TargetKind } from "@/services/alerts/mod.ts";
import { renderAlerts } from "../../alerts.tsx";
import { formAction, optText, text } from "../_forms.ts";

export function POST(c: AppContext) {
  return formAction(c, async (form) => {
    requireRole(c.get("user"), "admin");
    const deps = c.get("deps");
    const name = text(form, "name");
    const { target, generatedSecret } = await createTarget(deps.db, {
      name: name.slice(0, 100) || "target",
      kind: text(form, "kind") as TargetKind,
      url: text(form, "url"),
      secret: optText(form, "secret") ?? undefined,
    }, deps.services.alerts.settings.policy);
    return await renderAlerts(c, {
      notice: `Target ${target.name} added.`,
      targetId: target.id,
      newSecret: generatedSecret ? { target: target.name, secret: generatedSecret } : undefined,
    }, 201);
  });
}
