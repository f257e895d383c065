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
}

export type ToWorker =
  | { type: "start"; options: WorkerStartOptions }
  | { type: "templates"; id: number }
  | { type: "sync"; id: number }
  | { type: "stop" };

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
    imported: ImportResult | null;
    importError?: string;
  }
  | { type: "fatal"; message: string }
  | { type: "chunk"; chunk: FlowChunk }
  | { type: "counters"; counters: WorkerCounters }
  | { type: "templates"; id: number; snapshot: unknown }
  | { type: "synced"; id: number }
  | { type: "stopped" };
