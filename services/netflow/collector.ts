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
  loadStoredSeq,
  loadTemplateState,
  saveExporterCounters,
  saveTemplateState,
} from "./flow_repo.ts";
import { type LogLevel, openNetflowLog } from "./netflow_log.ts";
import { join } from "node:path";
import type { RecvBufferResult } from "./socket_buffer.ts";
import { EdgeState } from "./edge_state.ts";
import type { FlowOutbox, OutboxStats } from "./flow_outbox.ts";
import type { FlowChunk } from "./flow_chunk.ts";

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
  /**
   * Where receive batches wait when the database is behind (one directory per collector is made
   * inside). Unset: a temporary directory removed at stop (tests, benchmarks).
   */
  spoolDir?: string;
  /** Most bytes on disk in the spool; beyond, batches are refused and counted. Default 1 GiB. */
  spoolMaxBytes?: number;
  /** Receive batch size in bytes (default 1 MiB) and how long a partly filled one waits (20 ms). */
  spoolBatchBytes?: number;
  spoolBatchMs?: number;
  /**
   * Receive batches on their way to the database before new ones are spooled; default 8. 0: every
   * batch goes through the spool (one at a time), so a killed process loses nothing received.
   */
  spoolWindow?: number;
  /**
   * Nice values of the receive thread (default -10: before anything else in the process; needs
   * CAP_SYS_NICE, else it stays at the process's) and of the decode thread (default 5).
   */
  receiveNice?: number;
  decodeNice?: number;
}

/**
 * The single box (and a collector beside the ingest role) stores in SQL; an edge collector
 * (scaled out, no database) sends its batches to `outbox` and keeps its own state on disk.
 */
export type CollectorDeps =
  | { db: Db; now: () => number; outbox?: undefined }
  | { db?: null; now: () => number; outbox: FlowOutbox };

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
  /** Receive batches waiting on disk (and handed on, not yet stored), their bytes and datagrams. */
  spool_files: number;
  spool_bytes: number;
  spool_datagrams: number;
  spool_max_bytes: number;
  /** Datagrams refused because the spool was full. */
  spool_refused_datagrams: number;
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
  /** An edge collector's delivery to NATS (absent when it stores in SQL). */
  publish?: OutboxStats;
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
    spoolDir: cfg.NETFLOW_SPOOL_DIR,
    spoolMaxBytes: cfg.NETFLOW_SPOOL_MAX_BYTES,
    spoolWindow: cfg.NETFLOW_SPOOL_WINDOW,
    spoolBatchBytes: cfg.NETFLOW_SPOOL_BATCH_BYTES,
  };
}

const DAY_MS = 86_400_000;
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;
/** Receive worker restarts: first after 250 ms, doubling up to 30 s; a 60 s run resets it. */
const RESTART_FIRST_MS = 250;
const RESTART_MAX_MS = 30_000;
const RESTART_RESET_MS = 60_000;

type Ready = Extract<FromWorker, { type: "ready" }>;
type NetflowLog = Awaited<ReturnType<typeof openNetflowLog>>;
type Request = { type: "templates" | "sync" } | { type: "pause"; ms: number };

/**
 * Starts the collector: reads saved templates, starts the receive worker (resolves once its socket
 * is bound) and the save/retention timers.
 */
export async function startCollector(
  deps: CollectorDeps,
  opts: CollectorOptions,
): Promise<Collector> {
  const persist = opts.persist ?? true;
  const name = opts.name ?? `${opts.hostname}:${opts.port}`;
  const log = await openNetflowLog({
    level: opts.logLevel,
    dumpHex: false,
    dumpHexLen: opts.dumpHexLen,
    file: opts.logFile,
  });
  let templates: unknown = null;
  let storedSeq = 0;
  // One spool directory per collector name (its stored sequence is kept per name in SQL).
  const spoolDir = opts.spoolDir === undefined
    ? await Deno.makeTempDir({ prefix: "pingfold-spool-" })
    : join(opts.spoolDir, name.replaceAll(/[^A-Za-z0-9._-]/g, "_"));
  const cleanUp = async () => {
    await log.close();
    if (opts.spoolDir === undefined) await Deno.remove(spoolDir, { recursive: true });
  };
  let edge: EdgeState | null = null;
  if (persist) {
    try {
      if (deps.outbox) {
        edge = await EdgeState.open(spoolDir);
        templates = await edge.loadTemplates();
        storedSeq = edge.delivered;
      } else {
        templates = await loadTemplateState(deps.db, name);
        storedSeq = await loadStoredSeq(deps.db, name);
      }
    } catch (err) {
      await cleanUp();
      throw new AppError(
        500,
        "netflow_start_failed",
        `NetFlow collector cannot read its saved templates: ${(err as Error).message}`,
      );
    }
  }
  const collector = new NetflowCollector(deps, opts, log, name, persist, templates, {
    dir: spoolDir,
    temporary: opts.spoolDir === undefined,
    storedSeq,
  }, edge);
  try {
    await collector.listen();
  } catch (err) {
    await cleanUp();
    throw err;
  }
  return collector;
}

/** One running collector: its receive worker, batcher, counters and timers, as one state. */
class NetflowCollector implements Collector {
  readonly name: string;
  readonly testHooks: Collector["testHooks"];
  readonly #deps: CollectorDeps;
  readonly #opts: CollectorOptions;
  readonly #log: NetflowLog;
  readonly #persist: boolean;
  readonly #startedAt: number;
  readonly #batcher: FlowBatcher | null;
  /** Edge collectors only: their state on disk and where their batches go. */
  readonly #edge: EdgeState | null;
  readonly #outbox: FlowOutbox | null;
  /** Batches on their way to the outbox, one after another (their order is the spool's). */
  #delivering: Promise<void> = Promise.resolve();
  readonly #drops = new KernelDrops();
  /** Counters of receive workers that died: added to the live one's so totals never go back. */
  readonly #dead: WorkerCounters = emptyWorkerCounters();
  readonly #waiting = new Map<number, (value: unknown) => void>();
  readonly #timers: Array<ReturnType<typeof setTimeout>> = [];

  #worker!: Worker;
  #info!: Ready;
  #workerStartedAt = 0;
  #workerCounters: WorkerCounters | null = null;
  #state: CollectorStatus["state"] = "listening";
  #failure: string | undefined;
  #nextId = 1;
  #onStopped: (() => void) | null = null;
  #finalTemplates: unknown = null;
  #latestTemplates: unknown;
  #templateCount = -1;
  #templateSaveTimer: ReturnType<typeof setTimeout> | undefined;
  #lastSavedTemplates: string;
  #lastSavedCounters = "";
  #restarts = 0;
  #consecutive = 0;
  #restartTimer: ReturnType<typeof setTimeout> | undefined;
  #stoppingNow = false;
  #stopping: Promise<void> | null = null;
  #retention: Promise<void> | null = null;
  readonly #spool: { dir: string; temporary: boolean };
  /** Last receive batch that reached this thread, and the last one stored (or given up). */
  #receivedSeq = 0;
  #storedSeq = 0;
  #onProgress: (() => void) | null = null;

  constructor(
    deps: CollectorDeps,
    opts: CollectorOptions,
    log: NetflowLog,
    name: string,
    persist: boolean,
    templates: unknown,
    spool: { dir: string; temporary: boolean; storedSeq: number },
    edge: EdgeState | null = null,
  ) {
    this.#spool = spool;
    this.#edge = edge;
    this.#outbox = edge ? deps.outbox ?? null : null;
    this.#storedSeq = this.#receivedSeq = spool.storedSeq;
    this.#deps = deps;
    this.#opts = opts;
    this.#log = log;
    this.name = name;
    this.#persist = persist;
    this.#startedAt = deps.now();
    this.#latestTemplates = templates;
    this.#lastSavedTemplates = templates === null ? "" : JSON.stringify(templates);
    const db = deps.db;
    this.#batcher = persist && db
      ? createFlowBatcher({
        batchSize: opts.batchSize,
        flushIntervalMs: opts.flushIntervalMs,
        queueMax: opts.queueMax,
        insert: async (chunks, storedSeq) => {
          await insertFlowBatch(db, chunks, {
            nowMs: deps.now(),
            collector: name,
            storedSeq,
          });
        },
        onStored: (seq, groups) => this.#stored(seq, groups),
        onError: (err, info) =>
          log.warn("netflow insert failed", {
            error: String((err as Error)?.message ?? err),
            records: info.records,
            retrying: info.retrying,
          }),
      })
      : null;
    this.testHooks = {
      crashWorker: () => this.#send({ type: "crash" }),
      pauseReceive: async (ms: number) => {
        if (this.#state === "listening") await this.#request({ type: "pause", ms });
      },
    };
  }

  get port(): number {
    return this.#info.port;
  }

  /** Batches up to `seq` are stored: the receiver may delete their spool files and send more. */
  #stored(seq: number, groups: number): void {
    this.#storedSeq = Math.max(this.#storedSeq, seq);
    if (this.#state === "listening") this.#send({ type: "stored", seq, groups });
    this.#onProgress?.();
  }

  /** Binds the first receive worker, logs what it restored, starts the timers. */
  async listen(): Promise<void> {
    const opts = this.#opts;
    const log = this.#log;
    const info = this.#info = await this.#spawn(opts.port, this.#latestTemplates);
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
    if (info.priority.receive.note) {
      log.info("NetFlow receive thread priority", { ...info.priority.receive });
    }
    log.info("NetFlow collector listening", {
      bind: `${opts.hostname}:${info.port}`,
      persist: this.#persist,
      recv_buffer: info.recvBuffer?.effective ?? null,
    });
    if (this.#persist) {
      this.#timers.push(setInterval(this.saveTemplates, opts.templateSaveMs ?? 60_000));
      this.#timers.push(setInterval(this.#saveCounters, opts.countersSaveMs ?? 5_000));
    }
    if (this.#edge) {
      const edge = this.#edge;
      this.#timers.push(setInterval(() => edge.flush().catch(() => {}), 1000));
    } else if (this.#persist) {
      // Retention belongs to whoever stores the flows: the ingest role, for an edge collector.
      const every = opts.retentionEveryMs ?? 3_600_000;
      this.#timers.push(setTimeout(this.#runRetention, Math.min(every, 30_000)));
      this.#timers.push(setInterval(this.#runRetention, every));
    }
  }

  #workerOptions(port: number, snapshot: unknown): WorkerStartOptions {
    const opts = this.#opts;
    return {
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
      receiveNice: opts.receiveNice ?? -10,
      decodeNice: opts.decodeNice ?? 5,
      spool: {
        dir: this.#spool.dir,
        maxBytes: opts.spoolMaxBytes ?? 1024 * 1024 * 1024,
        storedSeq: this.#storedSeq,
        inHandUpTo: this.#receivedSeq,
        seqFloor: this.#edge?.reserved ?? 0,
        batchBytes: opts.spoolBatchBytes ?? 1024 * 1024,
        batchMs: opts.spoolBatchMs ?? opts.chunkFlushMs ?? 20,
        window: opts.spoolWindow ?? 8,
      },
    };
  }

  /** Starts a receive worker; resolves when its socket is bound (rejects when it is not). */
  async #spawn(port: number, snapshot: unknown): Promise<Ready> {
    const w = new Worker(new URL("./collector_worker.ts", import.meta.url).href, {
      type: "module",
    });
    this.#worker = w;
    let up = false;
    const ready = Promise.withResolvers<Ready>();
    const died = (message: string) => {
      ready.reject(new AppError(500, "netflow_start_failed", message));
      if (this.#worker !== w || !up) return;
      up = false;
      w.terminate();
      this.#onWorkerDeath(message);
    };
    w.onmessage = (e: MessageEvent<FromWorker>) => {
      if (this.#worker !== w) return;
      const msg = e.data;
      if (msg.type === "ready") {
        up = true;
        ready.resolve(msg);
      } else if (msg.type === "fatal") {
        // Before "ready" the caller gets the error; after it, the worker is replaced.
        this.#log.error("netflow receive worker failed", { error: msg.message });
        died(msg.message);
      } else {
        this.#onMessage(msg);
      }
    };
    w.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      const message = e.message || "receive worker crashed";
      if (up) this.#log.error("netflow receive worker crashed", { error: message });
      died(message);
    };
    w.postMessage(
      { type: "start", options: this.#workerOptions(port, snapshot) } satisfies ToWorker,
    );
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
      this.#workerStartedAt = this.#deps.now();
      this.#drops.watch(got.inode);
      return got;
    } catch (err) {
      w.terminate();
      throw err;
    } finally {
      clearTimeout(startTimer);
    }
  }

  /** What a running worker reports: records, counters, answers to requests, its end. */
  #onMessage(msg: Exclude<FromWorker, { type: "ready" | "fatal" }>): void {
    switch (msg.type) {
      case "batch":
        this.#receivedSeq = Math.max(this.#receivedSeq, msg.seq);
        // Decode-only collectors (benchmarks) count the records and let them go.
        if (this.#batcher) this.#batcher.offerGroup(msg.seq, msg.chunks);
        else if (this.#outbox) this.#deliver(msg.seq, msg.chunks);
        else this.#stored(msg.seq, 1);
        this.#onProgress?.();
        break;
      case "counters": {
        this.#workerCounters = msg.counters;
        const count = Object.values(msg.counters.decoder).reduce((n, c) => n + c.templates, 0);
        if (this.#persist && count !== this.#templateCount && this.#templateCount !== -1) {
          // New or refreshed templates: save soon, so a crash right after loses nothing.
          this.#templateSaveTimer ??= setTimeout(() => {
            this.#templateSaveTimer = undefined;
            this.saveTemplates().catch(() => {});
          }, 2000);
        }
        this.#templateCount = count;
        break;
      }
      case "templates":
        if (msg.id === 0) this.#finalTemplates = msg.snapshot;
        else this.#latestTemplates = msg.snapshot;
        this.#answer(msg.id, msg.snapshot);
        break;
      case "synced":
        this.#answer(msg.id, msg.seq);
        break;
      case "paused":
        this.#answer(msg.id, undefined);
        break;
      case "stopped":
        this.#onStopped?.();
        break;
    }
  }

  /**
   * Sends one batch through the outbox after those before it. Its number is reserved on disk first
   * (never reused after a restart); once JetStream has it, its spool file may go. A batch the
   * outbox gave up on at stop stays in the spool, if it was spooled, for the next start.
   */
  #deliver(seq: number, chunks: FlowChunk[]): void {
    const edge = this.#edge!;
    const outbox = this.#outbox!;
    this.#delivering = this.#delivering.then(async () => {
      // A disk that refuses the write now may take it in a moment; the batch waits meanwhile.
      for (let attempt = 1;; attempt++) {
        try {
          await edge.reserve(seq);
          break;
        } catch (err) {
          if (attempt === 1) {
            this.#log.warn("netflow edge state not written", { seq, error: String(err) });
          }
          if (this.#stoppingNow) return;
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
      try {
        await outbox.send({ spoolId: edge.id, collector: this.name, seq, chunks });
      } catch (err) {
        this.#log.warn("netflow batch not delivered", { seq, error: String(err) });
        return;
      }
      edge.markDelivered(seq);
      this.#stored(seq, 1);
    });
  }

  #answer(id: number, value: unknown): void {
    this.#waiting.get(id)?.(value);
    this.#waiting.delete(id);
  }

  /** Answers every pending request with null (the worker that would answer is gone). */
  #dropRequests(): void {
    for (const resolve of this.#waiting.values()) resolve(null);
    this.#waiting.clear();
  }

  /** A dead worker: keep its counters, answer its requests, start another after a backoff. */
  #onWorkerDeath(message: string): void {
    if (this.#workerCounters !== null) addWorkerCounters(this.#dead, this.#workerCounters);
    this.#workerCounters = null;
    this.#drops.retire();
    this.#dropRequests();
    this.#onStopped?.();
    if (this.#stoppingNow) return;
    this.#state = "restarting";
    this.#failure = message;
    // Quick restarts after a long good run; doubling waits while it keeps dying.
    const ranMs = this.#deps.now() - this.#workerStartedAt;
    if (ranMs >= RESTART_RESET_MS) this.#consecutive = 0;
    this.#scheduleRestart(this.#nextBackoff());
  }

  #nextBackoff(): number {
    const delay = Math.min(RESTART_MAX_MS, RESTART_FIRST_MS * 2 ** this.#consecutive);
    this.#consecutive++;
    return delay;
  }

  #scheduleRestart(delay: number): void {
    clearTimeout(this.#restartTimer);
    this.#restartTimer = setTimeout(async () => {
      this.#restartTimer = undefined;
      if (this.#stoppingNow) return;
      this.#restarts++;
      try {
        const got = await this.#spawn(this.#info.port, this.#latestTemplates);
        if (this.#stoppingNow) return;
        this.#info = got;
        this.#state = "listening";
        this.#failure = undefined;
        this.#log.warn("NetFlow receive worker restarted", {
          restarts: this.#restarts,
          port: got.port,
        });
      } catch (err) {
        const message = (err as Error)?.message ?? String(err);
        this.#log.error("NetFlow receive worker restart failed", {
          error: message,
          restarts: this.#restarts,
        });
        this.#failure = message;
        if (this.#stoppingNow) return;
        this.#scheduleRestart(this.#nextBackoff());
      }
    }, delay);
  }

  #send(msg: ToWorker): void {
    this.#worker.postMessage(msg);
  }

  #request<T>(msg: Request): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve) => {
      this.#waiting.set(id, resolve as (v: unknown) => void);
      this.#send({ ...msg, id });
    });
  }

  #liveWorkerCounters(): WorkerCounters {
    const all = emptyWorkerCounters();
    addWorkerCounters(all, this.#dead);
    if (this.#workerCounters !== null) addWorkerCounters(all, this.#workerCounters);
    return all;
  }

  counters = (): Record<string, ExporterCounterView> =>
    mergeCounters(this.#liveWorkerCounters().decoder, this.#batcher?.counters() ?? {});

  async #saveTemplatesSnapshot(snapshot: unknown): Promise<void> {
    if (!this.#persist || snapshot === null || snapshot === undefined) return;
    const text = JSON.stringify(snapshot);
    if (text === this.#lastSavedTemplates) return;
    if (this.#edge) await this.#edge.saveTemplates(snapshot);
    else await saveTemplateState(this.#deps.db!, this.name, snapshot, this.#deps.now());
    this.#lastSavedTemplates = text;
  }

  saveTemplates = async (): Promise<void> => {
    if (this.#state !== "listening") return;
    try {
      await this.#saveTemplatesSnapshot(await this.#request<unknown>({ type: "templates" }));
    } catch (err) {
      this.#log.warn("saving NetFlow templates failed", { error: String(err) });
    }
  };

  #saveCounters = async (): Promise<void> => {
    if (!this.#persist) return;
    const all = this.counters();
    const text = JSON.stringify(all);
    if (text === this.#lastSavedCounters) return;
    try {
      const o = { nowMs: this.#deps.now(), sinceMs: this.#startedAt };
      if (this.#outbox) await this.#outbox.counters(this.name, all, o);
      else await saveExporterCounters(this.#deps.db!, this.name, all, o);
      this.#lastSavedCounters = text;
    } catch (err) {
      this.#log.warn("saving NetFlow exporter counters failed", { error: String(err) });
    }
  };

  #runRetention = (): void => {
    if (!this.#persist || this.#retention || !this.#deps.db) return;
    const now = this.#deps.now();
    this.#retention = deleteExpired(this.#deps.db, {
      flowsBefore: new Date(now - this.#opts.retentionDays * DAY_MS),
      rollupsBefore: new Date(now - this.#opts.rollupRetentionDays * DAY_MS),
    }).then((r) => {
      if (r.partitions.length > 0 || r.defaultRows > 0) {
        this.#log.info("NetFlow retention", { ...r });
      }
    }).catch((err) => this.#log.warn("NetFlow retention failed", { error: String(err) }))
      .finally(() => (this.#retention = null));
  };

  status(): CollectorStatus {
    const all = this.counters();
    const s = this.#batcher?.stats();
    const w = this.#liveWorkerCounters();
    const info = this.#info;
    return {
      state: this.#state,
      ...(this.#failure ? { error: this.#failure } : {}),
      name: this.name,
      bind: `${this.#opts.hostname}:${info.port}`,
      port: info.port,
      started_at: new Date(this.#startedAt).toISOString(),
      recv_buffer: info.recvBuffer,
      persist: this.#persist,
      queue: this.#batcher?.queued() ?? 0,
      queue_max: this.#opts.queueMax,
      spool_files: w.spool.files,
      spool_bytes: w.spool.bytes,
      spool_datagrams: w.spool.datagrams,
      spool_max_bytes: this.#opts.spoolMaxBytes ?? 1024 * 1024 * 1024,
      spool_refused_datagrams: w.spool.refusedDatagrams,
      inserts: s?.inserts ?? 0,
      last_insert_ms: Math.round((s?.lastInsertMs ?? 0) * 10) / 10,
      insert_retries: s?.retries ?? 0,
      datagrams: w.listener.datagrams,
      datagrams_refused: w.listener.refused,
      receive_errors: w.listener.receiveErrors,
      kernel_drops: this.#drops.read(),
      worker_restarts: this.#restarts,
      log_file_dropped: w.logFile.fileDropped,
      exporters: Object.keys(all).length,
      totals: sumCounters(Object.values(all)),
      ...(this.#outbox ? { publish: this.#outbox.stats() } : {}),
    };
  }

  async sync(): Promise<void> {
    if (this.#state !== "listening") return;
    const seq = await this.#request<number | null>({ type: "sync" });
    if (seq === null) return; // the worker died meanwhile
    // Everything received is in batches up to `seq`; spooled ones arrive as earlier ones are
    // stored. Bounded: a collector that stops making progress for 60 s is reported as is.
    let idleSince = performance.now();
    let last = this.#storedSeq;
    let flushing: Promise<void> | null = null;
    while (this.#storedSeq < seq && this.#state === "listening") {
      const progress = new Promise<void>((r) => (this.#onProgress = r));
      // One flush at a time: a database that hangs must not pile them up.
      flushing ??= (this.#batcher?.flush() ?? Promise.resolve()).finally(() => (flushing = null));
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([progress, new Promise((r) => (timer = setTimeout(r, 200)))]);
      clearTimeout(timer);
      this.#onProgress = null;
      if (this.#storedSeq !== last) {
        last = this.#storedSeq;
        idleSince = performance.now();
      } else if (performance.now() - idleSince > 60_000) return;
    }
    await this.#batcher?.flush();
  }

  stop = (): Promise<void> => this.#stopping ??= this.#stop();

  async #stop(): Promise<void> {
    this.#stoppingNow = true;
    for (const t of this.#timers) clearTimeout(t);
    clearTimeout(this.#templateSaveTimer);
    clearTimeout(this.#restartTimer);
    const stopped = new Promise<void>((resolve) => (this.#onStopped = resolve));
    if (this.#state === "listening") {
      this.#send({ type: "stop" });
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        stopped,
        new Promise((r) => (timer = setTimeout(r, STOP_TIMEOUT_MS))),
      ]);
      clearTimeout(timer);
    }
    this.#worker.terminate();
    this.#dropRequests();
    if (this.#state === "listening" || this.#state === "restarting") this.#state = "stopped";
    await this.#batcher?.stop();
    if (this.#outbox) {
      // A link that stays down gets a few seconds; spooled batches then wait for the next start.
      await this.#outbox.close();
      await this.#delivering;
      await this.#edge!.flush().catch(() => {});
    }
    if (this.#retention) await this.#retention;
    if (this.#persist) {
      try {
        await this.#saveTemplatesSnapshot(this.#finalTemplates);
      } catch (err) {
        this.#log.warn("saving NetFlow templates failed", { error: String(err) });
      }
      await this.#saveCounters();
    }
    const total = sumCounters(Object.values(this.counters()));
    this.#log.info("NetFlow collector stopped", {
      records_decoded: total.records_decoded,
      records_inserted: total.records_inserted,
      queue_drops: total.queue_drops,
    });
    await this.#log.close();
    if (this.#spool.temporary) {
      await Deno.remove(this.#spool.dir, { recursive: true }).catch(() => {});
    }
  }
}
