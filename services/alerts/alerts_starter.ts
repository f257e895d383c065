// The alerts domain for one app instance (deps.services.alerts) and its background starter.
import type { BackgroundTask, Deps } from "@/services/services.ts";
import { log } from "@/services/logger.ts";
import { Alerts, alertSettings } from "./alerts_service.ts";

/** Built once per app by services/services.ts; discovery's hooks, the API and pages share it. */
export function createAlerts(deps: Deps): Alerts {
  return new Alerts({
    db: deps.db,
    now: deps.now,
    settings: alertSettings(deps.cfg),
    userAgent: `Pingfold/${deps.version}`,
    // Live listeners ride the sweeps' live hub (the SSE channel of /api/v1/events).
    publish: (event) => deps.services.sweeps.live.publish({ type: "alert", event }),
    log: (level, msg, fields) => log[level](msg, fields),
  });
}

/** The delivery worker and the condition timer (never off: sending is cheap). */
export function startAlerts(deps: Deps): Promise<BackgroundTask | null> {
  const alerts = deps.services.alerts;
  alerts.start();
  return Promise.resolve({ name: "alerts", stop: () => alerts.stop() });
}
