// Background starters of discovery: the sweep scheduler (Deno.cron + sub-minute timer), the
// known-host cycle beside it, and the shutdown hook that ends live event streams before the HTTP
// server drains.
import type { BackgroundTask, Deps } from "@/services/services.ts";
import { log } from "@/services/logger.ts";
import { hostsInScannedSubnets, listScanEnabledSubnets } from "@/services/ipam/mod.ts";
import { startMinuteTicks } from "@/services/jobs/mod.ts";
import { historyJobs } from "./history_jobs.ts";
import { createScheduler } from "./sweep_scheduler.ts";
import { checkKnownHosts, sweepSubnet } from "./sweep_service.ts";
import { createKnownHostCycle, type KnownHostCycle } from "./known_host_cycle.ts";

const CRON_NAME = "pingfold-sweeps";

/**
 * The known-host cycle over this process's discovery wiring. `site` limits it to one site's
 * subnets (scaled out, the scheduler pings only the hosts of its own site).
 */
export function knownHostCycleFor(deps: Deps, o: { site?: string } = {}): KnownHostCycle {
  const env = deps.services.sweeps.env;
  return createKnownHostCycle({
    kv: deps.kv,
    listHosts: () => hostsInScannedSubnets(deps.db),
    listSubnets: () => listScanEnabledSubnets(deps.db),
    scope: env.scope,
    check: (hosts, signal) => checkKnownHosts(env, hosts, { signal }),
    now: deps.now,
    everyS: deps.cfg.SCAN_ICMP_INTERVAL_SECONDS,
    minIntervalS: deps.cfg.SCAN_ICMP_INTERVAL_SECONDS,
    instance: env.instance,
    ...(o.site !== undefined && { site: o.site }),
  });
}

/**
 * Ticks `cycle` every SCAN_ICMP_INTERVAL_SECONDS, the first one period after start (the first
 * sweeps have just checked every host then); `when` gates each tick (scaled out: only while
 * leading). Returns the stop, which waits for a running check to store what it has.
 */
export function startKnownHostTicks(
  cycle: KnownHostCycle,
  everyS: number,
  when: () => boolean = () => true,
): () => Promise<void> {
  const timer = setInterval(() => {
    if (!when()) return;
    cycle.tick().catch((err) => log.warn("known-host check failed", { error: String(err) }));
  }, everyS * 1000);
  return async () => {
    clearInterval(timer);
    await cycle.stop();
  };
}

/**
 * Starts sweeping scan-enabled subnets and checking their known hosts in between; null when
 * DISABLE_SCHEDULER is set.
 */
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
    jobs: historyJobs({ db: deps.db, now: deps.now, rawDays: deps.cfg.HISTORY_RAW_DAYS }),
  });
  deps.services.sweepScheduler = scheduler;
  const stopCycle = startKnownHostTicks(
    knownHostCycleFor(deps),
    deps.cfg.SCAN_ICMP_INTERVAL_SECONDS,
  );

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
      await stopCycle();
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
