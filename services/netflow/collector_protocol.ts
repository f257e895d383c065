// Messages between the collector's three threads: the main thread (queue, SQL), the decode worker
// (templates, decoder, columnar chunks) and the receive worker it starts (socket, raw batches,
// spool). Receiving never waits for decoding, and decoding never waits for inserts.
import type { ExporterCounters } from "./flow_record.ts";
import type { FlowChunk } from "./flow_chunk.ts";
import type { ImportResult } from "./template_cache.ts";
import type { RecvBufferResult } from "./socket_buffer.ts";
import type { UdpListenerStats } from "./udp_listener.ts";
import type { LogLevel } from "./netflow_log.ts";
import type { SpoolStats } from "./spool.ts";
import type { ThreadPriorityResult } from "./thread_priority.ts";

export interface WorkerStartOptions {
  hostname: string;
  port: number;
  recvBufferBytes: number;
  chunkRecords: number;
  /** How often partly filled chunks are handed to the main thread. */
  chunkFlushMs: number;
  /** How often changed counters are sent. */
  countersMs: number;
  logLevel: LogLevel;
  dumpHex: boolean;
  dumpHexLen: number;
  logFile?: string;
  /** A saved exportTemplates() snapshot to restore before the first datagram. */
  templates: unknown;
  pendingTtlMs?: number;
  /** Decoder caps (see FlowDecoderOptions). */
  maxTemplates: number;
  maxTemplatesPerExporter: number;
  maxPending: number;
  maxPendingPerExporter: number;
  /** CIDRs exporters must be in; empty = any. */
  allowedExporters: string[];
  spool: SpoolOptions;
  /** Nice values the receive and decode threads ask for (see thread_priority.ts). */
  receiveNice: number;
  decodeNice: number;
}

export interface SpoolOptions {
  /** This collector's spool directory. */
  dir: string;
  maxBytes: number;
  /** Batches up to this sequence are stored (their files are deleted on open). */
  storedSeq: number;
  /** Batches up to this sequence already reached the main thread (kept, not replayed). */
  inHandUpTo: number;
  /**
   * New batches are numbered above this too (an edge collector's reserved sequences: numbers it
   * may have published under, so a new batch never reuses one). Unset: 0.
   */
  seqFloor?: number;
  /** Bytes per receive batch. */
  batchBytes: number;
  /** A partly filled batch is handed on after this long. */
  batchMs: number;
  /** Batches handed on and not yet stored before further ones go to the spool. */
  window: number;
}

/** Decode worker → receive worker. */
export type ToReceiver =
  | {
    type: "start";
    hostname: string;
    port: number;
    recvBufferBytes: number;
    allowedExporters: string[];
    spool: SpoolOptions;
    nice: number;
  }
  /** Every batch up to `seq` is stored: `groups` batches fewer in flight. */
  | { type: "stored"; seq: number; groups: number }
  /** Hand on the open batch now; answer with the last batch's sequence. */
  | { type: "seal"; id: number }
  | { type: "pause"; id: number; ms: number }
  | { type: "stop" };

export interface ReceiverStats {
  listener: UdpListenerStats;
  spool: SpoolStats;
}

/** Receive worker → decode worker. */
export type FromReceiver =
  | {
    type: "ready";
    port: number;
    recvBuffer: RecvBufferResult | null;
    inode: string | null;
    priority: ThreadPriorityResult;
  }
  | { type: "fatal"; message: string }
  | { type: "batch"; seq: number; buffer: ArrayBuffer }
  | { type: "sealed"; id: number; seq: number; stats: ReceiverStats }
  | { type: "paused"; id: number }
  | { type: "stats"; stats: ReceiverStats }
  | { type: "stopped"; stats: ReceiverStats };

export function emptySpoolStats(): SpoolStats {
  return {
    files: 0,
    bytes: 0,
    datagrams: 0,
    maxBytes: 0,
    spooled: 0,
    refusedDatagrams: 0,
    refusedBytes: 0,
  };
}

export type ToWorker =
  | { type: "start"; options: WorkerStartOptions }
  | { type: "templates"; id: number }
  | { type: "sync"; id: number }
  /** Main thread → decode worker: batches up to `seq` stored (passed on to the receiver). */
  | { type: "stored"; seq: number; groups: number }
  | { type: "stop" }
  // Test hooks: make the worker die of an uncaught error; stop reading the socket for a while.
  | { type: "crash" }
  | { type: "pause"; id: number; ms: number };

export interface WorkerCounters {
  decoder: Record<string, ExporterCounters>;
  listener: UdpListenerStats;
  /** Records decoded but still in the worker's open chunks. */
  pending: number;
  logFile: { fileLines: number; fileDropped: number };
  spool: SpoolStats;
}

export type FromWorker =
  | {
    type: "ready";
    port: number;
    recvBuffer: RecvBufferResult | null;
    /** The socket's inode in /proc/net/udp, to read its kernel drop count. */
    inode: string | null;
    /** What the receive and decode threads' priorities became. */
    priority: { receive: ThreadPriorityResult; decode: ThreadPriorityResult };
    imported: ImportResult | null;
    importError?: string;
  }
  | { type: "fatal"; message: string }
  /** The records of one receive batch (possibly none), in columns; buffers transferred. */
  | { type: "batch"; seq: number; chunks: FlowChunk[] }
  | { type: "counters"; counters: WorkerCounters }
  | { type: "templates"; id: number; snapshot: unknown }
  /** Everything received before the sync is in batches up to `seq`. */
  | { type: "synced"; id: number; seq: number }
  | { type: "paused"; id: number }
  | { type: "stopped" };

export function emptyWorkerCounters(): WorkerCounters {
  return {
    decoder: {},
    listener: { datagrams: 0, bytes: 0, receiveErrors: 0, handlerErrors: 0, refused: 0 },
    pending: 0,
    logFile: { fileLines: 0, fileDropped: 0 },
    spool: emptySpoolStats(),
  };
}

function addNumbers<T extends object>(into: T, from: T): void {
  const a = into as Record<string, number>;
  for (const [k, v] of Object.entries(from as Record<string, number>)) a[k] = (a[k] ?? 0) + v;
}

/** Adds `from` into `into`, exporter by exporter (a restarted worker's counts start over). */
export function addWorkerCounters(into: WorkerCounters, from: WorkerCounters): void {
  for (const [exporter, c] of Object.entries(from.decoder)) {
    const mine = into.decoder[exporter];
    if (mine === undefined) into.decoder[exporter] = { ...c };
    else addNumbers(mine, c);
  }
  addNumbers(into.listener, from.listener);
  addNumbers(into.logFile, from.logFile);
  into.pending += from.pending;
  // Spool depth is the live worker's (the directory outlives workers); refusals add up.
  into.spool = {
    ...from.spool,
    refusedDatagrams: into.spool.refusedDatagrams + from.spool.refusedDatagrams,
    refusedBytes: into.spool.refusedBytes + from.spool.refusedBytes,
    spooled: into.spool.spooled + from.spool.spooled,
  };
}
