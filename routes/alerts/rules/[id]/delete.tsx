// POST /alerts/rules/:id/delete: remove a rule.
import type { AppContext } from "@/web/env.ts";
import { deleteRule } from "@/services/alerts/mod.ts";
import { formAction, pathId } from "../../_forms.ts";

export function POST(c: AppContext) {
  return formAction(c, async () => {
    await deleteRule(c.get("deps").db, pathId(c));
    return c.redirect("/alerts", 303);
  });
}
