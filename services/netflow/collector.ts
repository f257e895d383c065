// The NetFlow/IPFIX collector: a receive worker (socket + decoder) feeding a bounded batcher
// that stores flows and roll-ups in SQL; templates and counters persisted, old flows expired.
// startCollector() is what main.ts (through collector_starter.ts) and scripts/collector.ts run.
import type { Config } from "@/services/config/config.ts";
import { AppError } from "@/services/errors.ts";
import type { Db } from "@/services/store/mod.ts";
import { type ExporterCounterView, mergeCounters, sumCounters } from "./collector_counters.ts";
import {
  addWorkerCounters,
  emptyWorkerCounters,
  type FromWorker,
  type ToWorker,
  type WorkerCounters,
  type WorkerStartOptions,
} from "./collector_protocol.ts";
import { KernelDrops } from "./kernel_drops.ts";
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
  /** Template caps, in total and per exporter (defaults 16384 / 2048). */
  maxTemplates?: number;
  maxTemplatesPerExporter?: number;
  /** Data sets waiting for their template, in total and per exporter (defaults 1024 / 256). */
  maxPendingSets?: number;
  maxPendingPerExporter?: number;
  /** CIDRs exporters must be in; empty or unset = any exporter. */
  allowedExporters?: string[];
}

export interface CollectorDeps {
  db: Db;
  now: () => number;
}

export interface CollectorStatus {
  /** "restarting": the receive worker died and is being replaced (see worker_restarts). */
  state: "listening" | "restarting" | "stopped" | "failed";
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
  /** Datagrams from exporters outside NETFLOW_ALLOWED_EXPORTERS, dropped unread. */
  datagrams_refused: number;
  receive_errors: number;
  /** Datagrams the kernel dropped because the socket's receive buffer was full. */
  kernel_drops: number;
  /** Times the receive worker died and was started again. */
  worker_restarts: number;
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
  /** For tests: make the receive worker die; stop it reading its socket for `ms`. */
  testHooks: { crashWorker(): void; pauseReceive(ms: number): Promise<void> };
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
    maxTemplates: cfg.NETFLOW_MAX_TEMPLATES,
    maxTemplatesPerExporter: cfg.NETFLOW_MAX_TEMPLATES_PER_EXPORTER,
    maxPendingSets: cfg.NETFLOW_MAX_PENDING_SETS,
    maxPendingPerExporter: cfg.NETFLOW_MAX_PENDING_PER_EXPORTER,
    allowedExporters: cfg.NETFLOW_ALLOWED_EXPORTERS,
  };
}

const DAY_MS = 86_400_000;
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;
/** Receive worker restarts: first after 250 ms, doubling up to 30 s; a 60 s run resets it. */
const RESTART_FIRST_MS = 250;
const RESTART_MAX_MS = 30_000;
const RESTART_RESET_MS = 60_000;

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
  // Counters of receive workers that died: added to the live one's so totals never go back.
  const dead: WorkerCounters = emptyWorkerCounters();
  let state: CollectorStatus["state"] = "listening";
  let failure: string | undefined;
  let nextId = 1;
  const waiting = new Map<number, (value: unknown) => void>();
  let onStopped: (() => void) | null = null;
  let finalTemplates: unknown = null;
  let templateCount = -1;
  let templateSaveTimer: ReturnType<typeof setTimeout> | undefined;
  let lastSavedTemplates = templates === null ? "" : JSON.stringify(templates);
  let lastSavedCounters = "";
  let restarts = 0;
  let restartTimer: ReturnType<typeof setTimeout> | undefined;
  let stoppingNow = false;
  const drops = new KernelDrops();

  const workerOptions = (port: number, snapshot: unknown): WorkerStartOptions => ({
    hostname: opts.hostname,
    port,
    recvBufferBytes: opts.recvBufferBytes,
    chunkRecords: opts.chunkRecords ?? 1024,
    chunkFlushMs: opts.chunkFlushMs ?? 20,
    countersMs: 250,
    logLevel: opts.logLevel,
    dumpHex: opts.dumpHex,
    dumpHexLen: opts.dumpHexLen,
    logFile: opts.logFile,
    templates: snapshot,
    maxTemplates: opts.maxTemplates ?? 16384,
    maxTemplatesPerExporter: opts.maxTemplatesPerExporter ?? 2048,
    maxPending: opts.maxPendingSets ?? 1024,
    maxPendingPerExporter: opts.maxPendingPerExporter ?? 256,
    allowedExporters: opts.allowedExporters ?? [],
  });

  type Ready = Extract<FromWorker, { type: "ready" }>;
  let worker: Worker;
  let info: Ready;
  let workerStartedAt = 0;

  /** Starts a receive worker; resolves when its socket is bound (rejects when it is not). */
  const spawn = async (port: number, snapshot: unknown): Promise<Ready> => {
    const w = new Worker(new URL("./collector_worker.ts", import.meta.url).href, {
      type: "module",
    });
    worker = w;
    let up = false;
    const ready = Promise.withResolvers<Ready>();
    const died = (message: string) => {
      ready.reject(new AppError(500, "netflow_start_failed", message));
      if (worker !== w || !up) return;
      up = false;
      w.terminate();
      onWorkerDeath(message);
    };
    w.onmessage = (e: MessageEvent<FromWorker>) => {
      if (worker !== w) return;
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
          else latestTemplates = msg.snapshot;
          waiting.get(msg.id)?.(msg.snapshot);
          waiting.delete(msg.id);
          break;
        case "synced":
        case "paused":
          waiting.get(msg.id)?.(undefined);
          waiting.delete(msg.id);
          break;
        case "ready":
          up = true;
          ready.resolve(msg);
          break;
        case "fatal":
          // Before "ready" the caller gets the error; after it, the worker is replaced.
          log.error("netflow receive worker failed", { error: msg.message });
          died(msg.message);
          break;
        case "stopped":
          onStopped?.();
          break;
      }
    };
    w.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      const message = e.message || "receive worker crashed";
      if (up) log.error("netflow receive worker crashed", { error: message });
      died(message);
    };
    w.postMessage({ type: "start", options: workerOptions(port, snapshot) } satisfies ToWorker);
    let startTimer: ReturnType<typeof setTimeout> | undefined;
    try {
      const got = await Promise.race([
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
      workerStartedAt = deps.now();
      drops.watch(got.inode);
      return got;
    } catch (err) {
      w.terminate();
      throw err;
    } finally {
      clearTimeout(startTimer);
    }
  };

  /** A dead worker: keep its counters, answer its requests, start another after a backoff. */
  const onWorkerDeath = (message: string) => {
    if (workerCounters !== null) addWorkerCounters(dead, workerCounters);
    workerCounters = null;
    drops.retire();
    for (const resolve of waiting.values()) resolve(null);
    waiting.clear();
    onStopped?.();
    if (stoppingNow) return;
    state = "restarting";
    failure = message;
    // Quick restarts after a long good run; doubling waits while it keeps dying.
    const ranMs = deps.now() - workerStartedAt;
    if (ranMs >= RESTART_RESET_MS) consecutive = 0;
    const delay = Math.min(RESTART_MAX_MS, RESTART_FIRST_MS * 2 ** consecutive);
    consecutive++;
    scheduleRestart(delay);
  };
  let consecutive = 0;
  const scheduleRestart = (delay: number) => {
    clearTimeout(restartTimer);
    restartTimer = setTimeout(async () => {
      restartTimer = undefined;
      if (stoppingNow) return;
      restarts++;
      try {
        const got = await spawn(info.port, latestTemplates);
        if (stoppingNow) return;
        info = got;
        state = "listening";
        failure = undefined;
        log.warn("NetFlow receive worker restarted", { restarts, port: got.port });
      } catch (err) {
        const message = (err as Error)?.message ?? String(err);
        log.error("NetFlow receive worker restart failed", { error: message, restarts });
        failure = message;
        if (stoppingNow) return;
        const next = Math.min(RESTART_MAX_MS, RESTART_FIRST_MS * 2 ** consecutive);
        consecutive++;
        scheduleRestart(next);
      }
    }, delay);
  };

  let latestTemplates: unknown = templates;
  try {
    info = await spawn(opts.port, templates);
  } catch (err) {
    await log.close();
    throw err;
  }
  if (info.importError) {
    log.warn("saved NetFlow templates were not restored", { error: info.importError });
  } else if (info.imported) {
    log[info.imported.refused > 0 ? "warn" : "info"]("NetFlow templates restored", {
      ...info.imported,
    });
  }
  if (info.recvBuffer?.note) {
    log.warn("NetFlow socket receive buffer", { ...info.recvBuffer });
  }
  log.info("NetFlow collector listening", {
    bind: `${opts.hostname}:${info.port}`,
    persist,
    recv_buffer: info.recvBuffer?.effective ?? null,
  });

  const send = (msg: ToWorker) => worker.postMessage(msg);
  const request = <T>(msg: { type: "templates" | "sync" } | { type: "pause"; ms: number }) => {
    const id = nextId++;
    return new Promise<T>((resolve) => {
      waiting.set(id, resolve as (v: unknown) => void);
      send({ ...msg, id });
    });
  };

  const liveWorkerCounters = (): WorkerCounters => {
    const all = emptyWorkerCounters();
    addWorkerCounters(all, dead);
    if (workerCounters !== null) addWorkerCounters(all, workerCounters);
    return all;
  };
  const counters = (): Record<string, ExporterCounterView> =>
    mergeCounters(liveWorkerCounters().decoder, batcher?.counters() ?? {});

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
      await saveTemplatesSnapshot(await request<unknown>({ type: "templates" }));
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
      stoppingNow = true;
      for (const t of timers) clearTimeout(t);
      clearTimeout(templateSaveTimer);
      clearTimeout(restartTimer);
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
      if (state === "listening" || state === "restarting") state = "stopped";
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
      const w = liveWorkerCounters();
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
        datagrams: w.listener.datagrams,
        datagrams_refused: w.listener.refused,
        receive_errors: w.listener.receiveErrors,
        kernel_drops: drops.read(),
        worker_restarts: restarts,
        log_file_dropped: w.logFile.fileDropped,
        exporters: Object.keys(all).length,
        totals: sumCounters(Object.values(all)),
      };
    },
    async sync() {
      if (state !== "listening") return;
      await request({ type: "sync" });
      await batcher?.flush();
    },
    saveTemplates,
    testHooks: {
      crashWorker: () => send({ type: "crash" }),
      async pauseReceive(ms: number) {
        if (state === "listening") await request({ type: "pause", ms });
      },
    },
    stop,
  };
}
