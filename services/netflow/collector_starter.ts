// Background starter of the NetFlow collector (services/background.ts): starts it unless
// NETFLOW_ENABLED is off, exposes it as deps.services.netflow, and adds its aggregate state to
// /health (per-exporter counters stay behind login, at /api/v1/netflow/exporters).
import type { BackgroundTask, Deps, HealthExtras } from "@/services/services.ts";
import { log } from "@/services/logger.ts";
import { type Collector, collectorOptionsFromConfig, startCollector } from "./collector.ts";

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
  };
}

/** Adds `netflow` to whatever /health extras are already registered; returns the undo. */
function addHealth(deps: Deps, part: () => Record<string, unknown>): () => void {
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
    const undo = addHealth(deps, () => ({ state: "failed", error }));
    return { name: "netflow-collector", stop: () => Promise.resolve(undo()) };
  }
  deps.services.netflow = collector;
  const undo = addHealth(deps, () => collectorHealth(collector));
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
