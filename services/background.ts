// Long-running work started beside the HTTP server (scheduler, NetFlow collector), stopped in order.
import type { Deps } from "@/services/web/env.ts";
import { startDiscoveryScheduler, startLiveShutdownHook } from "@/services/discovery/starters.ts";

export interface BackgroundTask {
  name: string;
  stop(): Promise<void>;
}

type Starter = (deps: Deps) => Promise<BackgroundTask | null>;

/** Domains add their starters here; each returns null when disabled by config. */
const starters: Starter[] = [startLiveShutdownHook, startDiscoveryScheduler];

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
