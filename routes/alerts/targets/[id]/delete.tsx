// POST /alerts/targets/:id/delete: remove a target (admin).
import type { AppContext } from "@/web/env.ts";
import { requireRole } from "@/services/auth/mod.ts";
import { deleteTarget } from "@/services/alerts/mod.ts";
import { formAction, pathId } from "../../_forms.ts";

export function POST(c: AppContext) {
  return formAction(c, async () => {
    requireRole(c.get("user"), "admin");
    await deleteTarget(c.get("deps").db, pathId(c));
    return c.redirect("/alerts", 303);
  });
}
