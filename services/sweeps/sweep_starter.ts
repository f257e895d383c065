// Background starters of discovery: the sweep scheduler (Deno.cron + sub-minute timer) and the
// shutdown hook that ends live event streams before the HTTP server drains.
import type { BackgroundTask, Deps } from "@/services/services.ts";
import { log } from "@/services/logger.ts";
import { listScanEnabledSubnets } from "@/services/ipam/mod.ts";
import { startMinuteTicks } from "@/services/jobs/mod.ts";
import { rollUp } from "./rollup.ts";
import { createScheduler } from "./sweep_scheduler.ts";
import { sweepSubnet } from "./sweep_service.ts";

const CRON_NAME = "pingfold-sweeps";
const DAY_MS = 86_400_000;

/** Starts sweeping scan-enabled subnets; null when DISABLE_SCHEDULER is set. */
export function startDiscoveryScheduler(deps: Deps): Promise<BackgroundTask | null> {
  if (deps.cfg.DISABLE_SCHEDULER) return Promise.resolve(null);
  const d = deps.services.sweeps;
  const scheduler = createScheduler({
    kv: deps.kv,
    listSubnets: () => listScanEnabledSubnets(deps.db),
    runSubnet: (subnet, signal) => sweepSubnet(d.env, subnet, { trigger: "schedule", signal }),
    scope: d.env.scope,
    now: deps.now,
    jitter: deps.cfg.SCAN_JITTER,
    minIntervalS: deps.cfg.SCAN_ICMP_INTERVAL_SECONDS,
    instance: d.env.instance,
    jobs: [{
      name: "rollup",
      everyMs: DAY_MS,
      run: () => rollUp(deps.db, { now: deps.now(), rawDays: deps.cfg.HISTORY_RAW_DAYS }),
    }],
  });
  deps.services.sweepScheduler = scheduler;

  const tick = () =>
    scheduler.tick().catch((err) => log.warn("scheduler tick failed", { error: String(err) }));
  // Cron resolution is one minute; shorter floors need a timer of their own.
  const intervalS = deps.cfg.SCAN_ICMP_INTERVAL_SECONDS;
  const stopTicks = startMinuteTicks({
    cronName: CRON_NAME,
    tick,
    timerNote: "Deno.cron unavailable; ticking on a timer",
    alsoEveryMs: intervalS < 60 ? intervalS * 1000 : undefined,
  });

  return Promise.resolve({
    name: "discovery-scheduler",
    async stop() {
      stopTicks();
      await scheduler.stop();
      deps.services.sweepScheduler = null;
    },
  });
}

/**
 * Live event streams never end on their own, and the HTTP server's graceful shutdown waits for
 * every response: on SIGINT/SIGTERM the hub closes first, ending the streams, so shutdown is quick.
 */
export function startLiveShutdownHook(deps: Deps): Promise<BackgroundTask | null> {
  const close = () => deps.services.sweeps.live.close();
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, close);
  return Promise.resolve({
    name: "live-events",
    stop() {
      for (const s of signals) Deno.removeSignalListener(s, close);
      close();
      return Promise.resolve();
    },
  });
}
