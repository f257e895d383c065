// POST /alerts/silences/:id/delete: end a mute, maintenance window or quiet hours now.
import type { AppContext } from "@/web/env.ts";
import { deleteSilence, SILENCE_KINDS } from "@/services/alerts/mod.ts";
import { formAction, pathId } from "../../_forms.ts";

export function POST(c: AppContext) {
  return formAction(c, async () => {
    await deleteSilence(c.get("deps").db, pathId(c), SILENCE_KINDS);
    return c.redirect("/alerts", 303);
  });
}
