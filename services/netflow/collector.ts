// The NetFlow/IPFIX collector: a receive worker (socket + decoder) feeding a bounded batcher
// that stores flows and roll-ups in SQL; templates and counters persisted, old flows expired.
// startCollector() is what main.ts (through collector_starter.ts) and scripts/collector.ts run.
import type { Config } from "@/services/config/config.ts";
import { AppError } from "@/services/errors.ts";
import type { Db } from "@/services/store/mod.ts";
import { type ExporterCounterView, mergeCounters, sumCounters } from "./collector_counters.ts";
import type { FromWorker, ToWorker, WorkerCounters } from "./collector_protocol.ts";
import { createFlowBatcher, type FlowBatcher } from "./flow_batcher.ts";
import {
  deleteExpired,
  insertFlowBatch,
  loadTemplateState,
  saveExporterCounters,
  saveTemplateState,
} from "./flow_repo.ts";
import { type LogLevel, openNetflowLog } from "./netflow_log.ts";
import type { RecvBufferResult } from "./socket_buffer.ts";

export interface CollectorOptions {
  hostname: string;
  port: number;
  /** SO_RCVBUF to ask for; 0 leaves the system default. */
  recvBufferBytes: number;
  batchSize: number;
  flushIntervalMs: number;
  queueMax: number;
  retentionDays: number;
  rollupRetentionDays: number;
  logLevel: LogLevel;
  dumpHex: boolean;
  dumpHexLen: number;
  logFile?: string;
  /** This collector's name in SQL (template state, exporters); default "hostname:port". */
  name?: string;
  /** False: decode only, store nothing (benchmarks). Default true. */
  persist?: boolean;
  templateSaveMs?: number;
  countersSaveMs?: number;
  retentionEveryMs?: number;
  chunkRecords?: number;
  chunkFlushMs?: number;
}

export interface CollectorDeps {
  db: Db;
  now: () => number;
}

export interface CollectorStatus {
  state: "listening" | "stopped" | "failed";
  error?: string;
  name: string;
  bind: string;
  port: number;
  started_at: string;
  recv_buffer: RecvBufferResult | null;
  persist: boolean;
  queue: number;
  queue_max: number;
  inserts: number;
  last_insert_ms: number;
  insert_retries: number;
  datagrams: number;
  receive_errors: number;
  log_file_dropped: number;
  exporters: number;
  totals: ExporterCounterView;
}

export interface Collector {
  readonly port: number;
  readonly name: string;
  /** Counters per exporter (decoder + queue + inserts), since this collector started. */
  counters(): Record<string, ExporterCounterView>;
  status(): CollectorStatus;
  /** Waits until every datagram received so far is decoded and its records stored. */
  sync(): Promise<void>;
  /** Saves the decoder's templates to SQL now. */
  saveTemplates(): Promise<void>;
  /** Closes the socket, stores every queued record, saves templates and counters. */
  stop(): Promise<void>;
}

export function collectorOptionsFromConfig(cfg: Config): CollectorOptions {
  return {
    hostname: cfg.NETFLOW_BIND_HOST,
    port: cfg.NETFLOW_BIND_PORT,
    recvBufferBytes: cfg.NETFLOW_RECV_BUFFER_BYTES,
    batchSize: cfg.NETFLOW_INSERT_BATCH,
    flushIntervalMs: cfg.NETFLOW_FLUSH_INTERVAL_MS,
    queueMax: cfg.NETFLOW_QUEUE_MAX,
    retentionDays: cfg.NETFLOW_RETENTION_DAYS,
    rollupRetentionDays: cfg.NETFLOW_ROLLUP_RETENTION_DAYS,
    logLevel: cfg.LOG_LEVEL,
    dumpHex: cfg.DUMP_HEX,
    dumpHexLen: cfg.DUMP_HEX_LEN,
    logFile: cfg.NETFLOW_LOG_FILE,
  };
}

const DAY_MS = 86_400_000;
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;

export async function startCollector(
  deps: CollectorDeps,
  opts: CollectorOptions,
): Promise<Collector> {
  const persist = opts.persist ?? true;
  const name = opts.name ?? `${opts.hostname}:${opts.port}`;
  const startedAt = deps.now();
  const log = await openNetflowLog({
    level: opts.logLevel,
    dumpHex: false,
    dumpHexLen: opts.dumpHexLen,
    file: opts.logFile,
  });

  let templates: unknown = null;
  if (persist) {
    try {
      templates = await loadTemplateState(deps.db, name);
    } catch (err) {
      await log.close();
      throw new AppError(
        500,
        "netflow_start_failed",
        `NetFlow collector cannot read its saved templates: ${(err as Error).message}`,
      );
    }
  }

  const batcher: FlowBatcher | null = persist
    ? createFlowBatcher({
      batchSize: opts.batchSize,
      flushIntervalMs: opts.flushIntervalMs,
      queueMax: opts.queueMax,
      insert: async (chunks) => {
        await insertFlowBatch(deps.db, chunks, { nowMs: deps.now(), collector: name });
      },
      onError: (err, info) =>
        log.warn("netflow insert failed", {
          error: String((err as Error)?.message ?? err),
          records: info.records,
          retrying: info.retrying,
        }),
    })
    : null;
  let workerCounters: WorkerCounters | null = null;
  let state: CollectorStatus["state"] = "listening";
  let started = false;
  let failure: string | undefined;
  let nextId = 1;
  const waiting = new Map<number, (value: unknown) => void>();
  let onStopped: (() => void) | null = null;
  let finalTemplates: unknown = null;
  let templateCount = -1;
  let templateSaveTimer: ReturnType<typeof setTimeout> | undefined;
  let lastSavedTemplates = templates === null ? "" : JSON.stringify(templates);
  let lastSavedCounters = "";

  const worker = new Worker(new URL("./collector_worker.ts", import.meta.url).href, {
    type: "module",
  });
  const send = (msg: ToWorker) => worker.postMessage(msg);
  const request = <T>(type: "templates" | "sync"): Promise<T> => {
    const id = nextId++;
    return new Promise<T>((resolve) => {
      waiting.set(id, resolve as (v: unknown) => void);
      send({ type, id });
    });
  };

  const ready = Promise.withResolvers<Extract<FromWorker, { type: "ready" }>>();
  worker.onmessage = (e: MessageEvent<FromWorker>) => {
    const msg = e.data;
    switch (msg.type) {
      case "chunk":
        // Decode-only collectors (benchmarks) count the records and let them go.
        batcher?.offer(msg.chunk);
        break;
      case "counters": {
        workerCounters = msg.counters;
        const count = Object.values(msg.counters.decoder).reduce((n, c) => n + c.templates, 0);
        if (persist && count !== templateCount && templateCount !== -1) {
          // New or refreshed templates: save soon, so a crash right after loses nothing.
          templateSaveTimer ??= setTimeout(() => {
            templateSaveTimer = undefined;
            saveTemplates().catch(() => {});
          }, 2000);
        }
        templateCount = count;
        break;
      }
      case "templates":
        if (msg.id === 0) finalTemplates = msg.snapshot;
        waiting.get(msg.id)?.(msg.snapshot);
        waiting.delete(msg.id);
        break;
      case "synced":
        waiting.get(msg.id)?.(undefined);
        waiting.delete(msg.id);
        break;
      case "ready":
        ready.resolve(msg);
        break;
      case "fatal":
        ready.reject(new AppError(500, "netflow_start_failed", msg.message));
        // Before "ready" the caller gets the error; after it, only the log and status tell.
        if (started && state === "listening") {
          state = "failed";
          failure = msg.message;
          log.error("netflow collector failed", { error: msg.message });
        }
        break;
      case "stopped":
        onStopped?.();
        break;
    }
  };
  worker.onerror = (e: ErrorEvent) => {
    e.preventDefault();
    const message = e.message || "receive worker crashed";
    ready.reject(new AppError(500, "netflow_start_failed", message));
    if (!started) return;
    state = "failed";
    failure = message;
    log.error("netflow receive worker crashed", { error: message });
    onStopped?.();
  };

  send({
    type: "start",
    options: {
      hostname: opts.hostname,
      port: opts.port,
      recvBufferBytes: opts.recvBufferBytes,
      chunkRecords: opts.chunkRecords ?? 1024,
      chunkFlushMs: opts.chunkFlushMs ?? 20,
      countersMs: 250,
      logLevel: opts.logLevel,
      dumpHex: opts.dumpHex,
      dumpHexLen: opts.dumpHexLen,
      logFile: opts.logFile,
      templates,
    },
  });
  let startTimer: ReturnType<typeof setTimeout> | undefined;
  let info: Extract<FromWorker, { type: "ready" }>;
  try {
    info = await Promise.race([
      ready.promise,
      new Promise<never>((_, reject) => {
        startTimer = setTimeout(
          () =>
            reject(
              new AppError(500, "netflow_start_failed", "NetFlow receive worker did not start"),
            ),
          START_TIMEOUT_MS,
        );
      }),
    ]);
  } catch (err) {
    worker.terminate();
    await log.close();
    throw err;
  } finally {
    clearTimeout(startTimer);
  }
  started = true;
  if (info.importError) {
    log.warn("saved NetFlow templates were not restored", { error: info.importError });
  } else if (info.imported) {
    log.info("NetFlow templates restored", { ...info.imported });
  }
  if (info.recvBuffer?.note) {
    log.warn("NetFlow socket receive buffer", { ...info.recvBuffer });
  }
  log.info("NetFlow collector listening", {
    bind: `${opts.hostname}:${info.port}`,
    persist,
    recv_buffer: info.recvBuffer?.effective ?? null,
  });

  const counters = (): Record<string, ExporterCounterView> =>
    mergeCounters(workerCounters?.decoder ?? {}, batcher?.counters() ?? {});

  const saveTemplatesSnapshot = async (snapshot: unknown) => {
    if (!persist || snapshot === null || snapshot === undefined) return;
    const text = JSON.stringify(snapshot);
    if (text === lastSavedTemplates) return;
    await saveTemplateState(deps.db, name, snapshot, deps.now());
    lastSavedTemplates = text;
  };
  const saveTemplates = async () => {
    if (state !== "listening") return;
    try {
      await saveTemplatesSnapshot(await request<unknown>("templates"));
    } catch (err) {
      log.warn("saving NetFlow templates failed", { error: String(err) });
    }
  };
  const saveCounters = async () => {
    if (!persist) return;
    const all = counters();
    const text = JSON.stringify(all);
    if (text === lastSavedCounters) return;
    try {
      await saveExporterCounters(deps.db, name, all, { nowMs: deps.now(), sinceMs: startedAt });
      lastSavedCounters = text;
    } catch (err) {
      log.warn("saving NetFlow exporter counters failed", { error: String(err) });
    }
  };
  let retention: Promise<void> | null = null;
  const runRetention = () => {
    if (!persist || retention) return;
    const now = deps.now();
    retention = deleteExpired(deps.db, {
      flowsBefore: new Date(now - opts.retentionDays * DAY_MS),
      rollupsBefore: new Date(now - opts.rollupRetentionDays * DAY_MS),
    }).then((r) => {
      if (r.flows + r.pairRollups + r.portRollups > 0) log.info("NetFlow retention", { ...r });
    }).catch((err) => log.warn("NetFlow retention failed", { error: String(err) }))
      .finally(() => (retention = null));
  };

  const timers: Array<ReturnType<typeof setTimeout>> = [];
  if (persist) {
    timers.push(setInterval(saveTemplates, opts.templateSaveMs ?? 60_000));
    timers.push(setInterval(saveCounters, opts.countersSaveMs ?? 5_000));
    const every = opts.retentionEveryMs ?? 3_600_000;
    timers.push(setTimeout(runRetention, Math.min(every, 30_000)));
    timers.push(setInterval(runRetention, every));
  }

  let stopping: Promise<void> | null = null;
  const stop = () =>
    stopping ??= (async () => {
      for (const t of timers) clearTimeout(t);
      clearTimeout(templateSaveTimer);
      const stopped = new Promise<void>((resolve) => (onStopped = resolve));
      if (state === "listening") {
        send({ type: "stop" });
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          stopped,
          new Promise((r) => (timer = setTimeout(r, STOP_TIMEOUT_MS))),
        ]);
        clearTimeout(timer);
      }
      worker.terminate();
      for (const resolve of waiting.values()) resolve(null);
      waiting.clear();
      if (state === "listening") state = "stopped";
      await batcher?.stop();
      if (retention) await retention;
      if (persist) {
        try {
          await saveTemplatesSnapshot(finalTemplates);
        } catch (err) {
          log.warn("saving NetFlow templates failed", { error: String(err) });
        }
        await saveCounters();
      }
      const total = sumCounters(Object.values(counters()));
      log.info("NetFlow collector stopped", {
        records_decoded: total.records_decoded,
        records_inserted: total.records_inserted,
        queue_drops: total.queue_drops,
      });
      await log.close();
    })();

  return {
    port: info.port,
    name,
    counters,
    status() {
      const all = counters();
      const s = batcher?.stats();
      return {
        state,
        ...(failure ? { error: failure } : {}),
        name,
        bind: `${opts.hostname}:${info.port}`,
        port: info.port,
        started_at: new Date(startedAt).toISOString(),
        recv_buffer: info.recvBuffer,
        persist,
        queue: batcher?.queued() ?? 0,
        queue_max: opts.queueMax,
        inserts: s?.inserts ?? 0,
        last_insert_ms: Math.round((s?.lastInsertMs ?? 0) * 10) / 10,
        insert_retries: s?.retries ?? 0,
        datagrams: workerCounters?.listener.datagrams ?? 0,
        receive_errors: workerCounters?.listener.receiveErrors ?? 0,
        log_file_dropped: workerCounters?.logFile.fileDropped ?? 0,
        exporters: Object.keys(all).length,
        totals: sumCounters(Object.values(all)),
      };
    },
    async sync() {
      if (state !== "listening") return;
      await request("sync");
      await batcher?.flush();
    },
    saveTemplates,
    stop,
  };
}
