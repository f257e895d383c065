// Long-running work started beside the HTTP server (scheduler, NetFlow collector), stopped in order.
import type { BackgroundTask, Deps } from "@/services/services.ts";
import { startDiscoveryScheduler, startLiveShutdownHook } from "@/services/sweeps/mod.ts";
import { startPortScanScheduler } from "@/services/portscans/mod.ts";
import { startNetflowCollector } from "@/services/netflow/mod.ts";

export type { BackgroundTask };

type Starter = (deps: Deps) => Promise<BackgroundTask | null>;

/** Domains add their starters here; each returns null when disabled by config. */
// Port scans first: their start-up check of NMAP_ARGS refuses a bad value before anything starts.
const starters: Starter[] = [
  startPortScanScheduler,
  startLiveShutdownHook,
  startDiscoveryScheduler,
  startNetflowCollector,
];

export async function startBackground(deps: Deps): Promise<{ stop(): Promise<void> }> {
  const running: BackgroundTask[] = [];
  for (const start of starters) {
    const task = await start(deps);
    if (task) running.push(task);
  }
  return {
    async stop() {
      for (const task of running.reverse()) await task.stop();
    },
  };
}
