// Long-running work started beside the HTTP server (scheduler, NetFlow collector), stopped in order.
import type { BackgroundTask, Deps } from "@/services/services.ts";
import { startDiscoveryScheduler, startLiveShutdownHook } from "@/services/sweeps/mod.ts";
import { startPortScanScheduler } from "@/services/portscans/mod.ts";
import { startNetflowCollector } from "@/services/netflow/mod.ts";
import { startAlerts } from "@/services/alerts/mod.ts";
import { hasRole, isClustered, type Role } from "@/services/config/config.ts";

export type { BackgroundTask };

type Starter = (deps: Deps) => Promise<BackgroundTask | null>;

/**
 * Domains add their starters here, with the role that runs them; each returns null when disabled
 * by config. ROLE=all (the single box) has every role, so every starter runs as before. Scaled out
 * (NATS_URL), sweeps and port scans go through the cluster instead (services/cluster).
 */
// Port scans first: their start-up check of NMAP_ARGS refuses a bad value before anything starts.
// `ingestOnly`: scaled out, it runs here only beside the ingest role (a collector elsewhere sends
// its flows through NATS and services/cluster starts it).
const starters: Array<{ role: Role; start: Starter; local?: true; ingestOnly?: true }> = [
  // Scaled out, port scans run at the hosts' sites: services/cluster starts the scheduler then.
  { role: "scheduler", start: (deps) => startPortScanScheduler(deps), local: true },
  { role: "web", start: startLiveShutdownHook },
  { role: "scheduler", start: startDiscoveryScheduler, local: true },
  { role: "collector", start: startNetflowCollector, ingestOnly: true },
  { role: "scheduler", start: startAlerts },
];

export async function startBackground(deps: Deps): Promise<{ stop(): Promise<void> }> {
  const running: BackgroundTask[] = [];
  const clustered = isClustered(deps.cfg);
  for (const { role, start, local, ingestOnly } of starters) {
    if (!hasRole(deps.cfg, role) || (local && clustered)) continue;
    if (ingestOnly && clustered && !hasRole(deps.cfg, "ingest")) continue;
    const task = await start(deps);
    if (task) running.push(task);
  }
  return {
    async stop() {
      for (const task of running.reverse()) await task.stop();
    },
  };
}
