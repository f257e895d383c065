// Background starter of the NetFlow collector (services/background.ts): starts it unless
// NETFLOW_ENABLED is off, exposes it as deps.services.netflow, and adds its aggregate state to
// /health (per-exporter counters stay behind login, at /api/v1/netflow/exporters).
import type { BackgroundTask, Deps, HealthExtras } from "@/services/services.ts";
import { log } from "@/services/logger.ts";
import type { Config } from "@/services/config/config.ts";
import { type Collector, collectorOptionsFromConfig, startCollector } from "./collector.ts";
import type { FlowOutbox } from "./flow_outbox.ts";

/** The collector's part of /health: state and totals, no exporter addresses (it is public). */
export function collectorHealth(collector: Collector): Record<string, unknown> {
  const s = collector.status();
  return {
    state: s.state,
    ...(s.error ? { error: s.error } : {}),
    bind: s.bind,
    recv_buffer_bytes: s.recv_buffer?.effective ?? null,
    queue: s.queue,
    queue_max: s.queue_max,
    spool_files: s.spool_files,
    spool_bytes: s.spool_bytes,
    spool_max_bytes: s.spool_max_bytes,
    spool_refused_datagrams: s.spool_refused_datagrams,
    exporters: s.exporters,
    packets: s.totals.packets,
    records_decoded: s.totals.records_decoded,
    records_inserted: s.totals.records_inserted,
    malformed: s.totals.malformed,
    unknown_template: s.totals.unknown_template,
    sequence_gaps: s.totals.sequence_gaps,
    queue_drops: s.totals.queue_drops,
    insert_failed: s.totals.insert_failed,
    records_skipped: s.totals.records_skipped,
    timestamps_clamped: s.totals.timestamps_clamped,
    templates: s.totals.templates,
    templates_refused: s.totals.templates_refused,
    pending_refused: s.totals.pending_refused,
    streams_refused: s.totals.streams_refused,
    datagrams_refused: s.datagrams_refused,
    kernel_drops: s.kernel_drops,
    worker_restarts: s.worker_restarts,
    ...(s.publish ? { publish: s.publish } : {}),
  };
}

/** Adds `netflow` to whatever /health extras are already registered; returns the undo. */
export function addNetflowHealth(deps: Deps, part: () => Record<string, unknown>): () => void {
  const prev = deps.services.healthExtras;
  const extras: HealthExtras = async () => ({
    ...(typeof prev === "function" ? await prev() : {}),
    netflow: part(),
  });
  deps.services.healthExtras = extras;
  return () => {
    if (deps.services.healthExtras === extras) deps.services.healthExtras = prev;
  };
}

/**
 * Starts the collector when NETFLOW_ENABLED. A collector that cannot start (port taken…) does not
 * stop the app: the error is logged and shown on /health as netflow.state = "failed".
 */
export async function startNetflowCollector(deps: Deps): Promise<BackgroundTask | null> {
  if (!deps.cfg.NETFLOW_ENABLED) return null;
  let collector: Collector;
  try {
    collector = await startCollector(
      { db: deps.db, now: deps.now },
      collectorOptionsFromConfig(deps.cfg),
    );
  } catch (err) {
    const error = (err as Error)?.message ?? String(err);
    log.error("NetFlow collector not started", { error });
    const undo = addNetflowHealth(deps, () => ({ state: "failed", error }));
    return { name: "netflow-collector", stop: () => Promise.resolve(undo()) };
  }
  deps.services.netflow = collector;
  const undo = addNetflowHealth(deps, () => collectorHealth(collector));
  return {
    name: "netflow-collector",
    async stop() {
      // Flushes queued records and saves templates before the stores close.
      await collector.stop();
      undo();
      if (deps.services.netflow === collector) deps.services.netflow = null;
    },
  };
}

/** An edge collector as its process sees it: /health's `netflow` part, and its stop. */
export interface EdgeCollectorTask {
  collector: Collector | null;
  health(): Record<string, unknown>;
  stop(): Promise<void>;
}

/**
 * Starts the collector of a scaled-out process without the ingest role: its batches go to
 * `outbox` (JetStream), so it needs no database. Its name carries SITE, so the exporters page
 * tells the sites' collectors apart. Like startNetflowCollector, a failed start is reported, not
 * thrown.
 */
export async function startEdgeCollector(
  cfg: Config,
  outbox: FlowOutbox,
  now: () => number,
): Promise<EdgeCollectorTask | null> {
  if (!cfg.NETFLOW_ENABLED) return null;
  const opts = collectorOptionsFromConfig(cfg);
  try {
    const collector = await startCollector({ outbox, now }, {
      ...opts,
      name: `${cfg.SITE}/${opts.hostname}:${opts.port}`,
    });
    return {
      collector,
      health: () => collectorHealth(collector),
      stop: () => collector.stop(),
    };
  } catch (err) {
    const error = (err as Error)?.message ?? String(err);
    log.error("NetFlow collector not started", { error });
    return { collector: null, health: () => ({ state: "failed", error }), stop: async () => {} };
  }
}
