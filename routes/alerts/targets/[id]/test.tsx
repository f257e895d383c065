// POST /alerts/targets/:id/test: Send test; waits briefly for the outcome so the log shows it.
import type { AppContext } from "@/web/env.ts";
import { getDelivery } from "@/services/alerts/mod.ts";
import { formAction, pathId } from "../../_forms.ts";

/** The page waits this long at most; the delivery goes on (retries too) whatever happens. */
const WAIT_MS = 5_000;

export function POST(c: AppContext) {
  return formAction(c, async () => {
    const deps = c.get("deps");
    const id = pathId(c);
    const alerts = deps.services.alerts;
    const queued = await alerts.sendTest(id);
    const deadline = Date.now() + Math.min(WAIT_MS, alerts.settings.timeoutMs + 1000);
    while (Date.now() < deadline) {
      const d = await getDelivery(deps.db, queued.id);
      const settled = d?.status === "succeeded" || d?.status === "failed" ||
        (d?.status === "queued" && d.attempts > 0);
      if (!d || settled) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    return c.redirect(`/alerts?target=${id}#deliveries`, 303);
  });
}
