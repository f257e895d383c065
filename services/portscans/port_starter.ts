// Background starter of scheduled port scans: refuses a bad NMAP_ARGS at start-up, then ticks each
// minute (Deno.cron, or a timer when the cron name is taken) and again whenever a batch ends.
import { listUpIps, normalizeIp } from "@/services/ipam/mod.ts";
import type { Queryable, StateStore } from "@/services/store/mod.ts";
import type { BackgroundTask, Deps } from "@/services/services.ts";
import { log } from "@/services/logger.ts";
import { startMinuteTicks } from "@/services/jobs/mod.ts";
import { validateNmapConfig } from "./nmap_config.ts";
import { lastPortScanTimes } from "./port_repo.ts";
import { createPortScheduler } from "./port_scheduler.ts";
import { scanHosts, type ScanTarget } from "./portscan_service.ts";
import { inScope } from "@/services/sweeps/mod.ts";

const CRON_NAME = "pingfold-portscans";

/** Hosts in the inventory whose live state (KV) is up. */
export async function aliveScanTargets(kv: StateStore, q: Queryable): Promise<ScanTarget[]> {
  const ips = await listUpIps(kv);
  if (ips.length === 0) return [];
  const rows = await q.query<ScanTarget>(
    `select id, host(ip) as ip, subnet_id from host where ip = any($1::inet[]) order by id`,
    [ips],
  );
  return rows.map((r) => ({ ...r, id: Number(r.id), ip: normalizeIp(r.ip)?.ip ?? r.ip }));
}

/**
 * Validates NMAP_ARGS first (a ConfigError stops start-up even when scheduling is off), then
 * starts the scheduler unless DISABLE_SCHEDULER is set or ENABLE_NMAP_SCHEDULER is off.
 * Scaled out, services/cluster starts it with `runBatch` sending port jobs to the hosts' sites.
 */
export function startPortScanScheduler(
  deps: Deps,
  /** Scaled out, batches are sent to the hosts' sites instead of running nmap here. */
  o: { runBatch?: (hosts: ScanTarget[], signal: AbortSignal) => Promise<unknown> } = {},
): Promise<BackgroundTask | null> {
  validateNmapConfig(deps.cfg);
  if (deps.cfg.DISABLE_SCHEDULER || !deps.cfg.ENABLE_NMAP_SCHEDULER) return Promise.resolve(null);
  const ports = deps.services.ports;
  const env = ports.env;
  let tick = () => {};
  const scheduler = createPortScheduler({
    kv: deps.kv,
    now: deps.now,
    instance: env.instance,
    intervalMs: ports.intervalMs,
    jitter: ports.jitter,
    maxConcurrent: deps.cfg.NMAP_MAX_CONCURRENT,
    batchSize: env.batchSize,
    // Hosts outside the scan scope are not due at all (scanHosts would refuse them anyway).
    listAliveHosts: async () => {
      const [hosts, scope] = await Promise.all([aliveScanTargets(deps.kv, deps.db), env.scope()]);
      return hosts.filter((h) => inScope(h.ip, scope));
    },
    lastScans: (ids) => lastPortScanTimes(deps.db, ids),
    runBatch: async (hosts, signal) => {
      await (o.runBatch
        ? o.runBatch(hosts, signal)
        : scanHosts(env, hosts, { trigger: "schedule", signal }));
      // A freed nmap slot takes the next due hosts now rather than at the next minute. Only after
      // success: a failing batch (nmap missing, database down) must not spin; the cron retries.
      if (!signal.aborted) setTimeout(tick, 0);
    },
  });
  deps.services.portScheduler = scheduler;
  tick = () => {
    scheduler.tick().catch((err) => log.warn("port scan tick failed", { error: String(err) }));
  };

  const stopTicks = startMinuteTicks({
    cronName: CRON_NAME,
    tick,
    timerNote: "Deno.cron unavailable; port scans tick on a timer",
  });

  return Promise.resolve({
    name: "port-scan-scheduler",
    async stop() {
      stopTicks();
      await scheduler.stop();
      deps.services.portScheduler = null;
    },
  });
}
