// Messages between the collector (main thread: queue, SQL) and its receive worker (socket,
// decoder): the worker keeps reading while the main thread is busy inserting.
import type { ExporterCounters } from "./flow_record.ts";
import type { FlowChunk } from "./flow_chunk.ts";
import type { ImportResult } from "./template_cache.ts";
import type { RecvBufferResult } from "./socket_buffer.ts";
import type { UdpListenerStats } from "./udp_listener.ts";
import type { LogLevel } from "./netflow_log.ts";

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
}

export type ToWorker =
  | { type: "start"; options: WorkerStartOptions }
  | { type: "templates"; id: number }
  | { type: "sync"; id: number }
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
}

export type FromWorker =
  | {
    type: "ready";
    port: number;
    recvBuffer: RecvBufferResult | null;
    /** The socket's inode in /proc/net/udp, to read its kernel drop count. */
    inode: string | null;
    imported: ImportResult | null;
    importError?: string;
  }
  | { type: "fatal"; message: string }
  | { type: "chunk"; chunk: FlowChunk }
  | { type: "counters"; counters: WorkerCounters }
  | { type: "templates"; id: number; snapshot: unknown }
  | { type: "synced"; id: number }
  | { type: "paused"; id: number }
  | { type: "stopped" };

export function emptyWorkerCounters(): WorkerCounters {
  return {
    decoder: {},
    listener: { datagrams: 0, bytes: 0, receiveErrors: 0, handlerErrors: 0, refused: 0 },
    pending: 0,
    logFile: { fileLines: 0, fileDropped: 0 },
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
}
