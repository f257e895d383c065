// The alerts domain for one app instance: built once from deps, shared by discovery's hooks, the
// API, the pages and the background worker.
import { Alerts, alertSettings } from "@/services/alerts/mod.ts";
import type { Deps } from "./env.ts";
import { log } from "./logger.ts";

export function alertsOf(deps: Deps): Alerts {
  const found = deps.services.alerts as Alerts | undefined;
  if (found) return found;
  const alerts = new Alerts({
    db: deps.db,
    now: deps.now,
    settings: alertSettings(deps.cfg),
    userAgent: `Pingfold/${deps.version}`,
    // Live listeners ride discovery's hub; no hub yet means no browser is listening.
    publish: (event) => {
      const d = deps.services.discovery as
        | { live?: { publish(e: { type: "alert"; event: typeof event }): void } }
        | undefined;
      d?.live?.publish({ type: "alert", event });
    },
    log: (level, msg, fields) => log[level](msg, fields),
  });
  deps.services.alerts = alerts;
  return alerts;
}

/** Background starter: the delivery worker and the condition timer (never off: sending is cheap). */
export function startAlerts(deps: Deps): Promise<{ name: string; stop(): Promise<void> }> {
  const alerts = alertsOf(deps);
  alerts.start();
  return Promise.resolve({ name: "alerts", stop: () => alerts.stop() });
}
