// The collector's decode thread: starts the receive worker (socket → raw batches, spool), decodes
// each raw batch into columnar chunks once, and posts them to the main thread with their buffers
// transferred. Started and stopped by collector.ts through collector_protocol.
import { setLogLevel } from "@/services/logger.ts";
import { createFlowDecoder, type FlowDecoder } from "./flow_decoder.ts";
import { chunkTransferables, type FlowChunk } from "./flow_chunk.ts";
import { createFlowIngest, type FlowIngest } from "./flow_ingest.ts";
import { type NetflowLog, openNetflowLog } from "./netflow_log.ts";
import { readRawBatch } from "./raw_batch.ts";
import { chunkCsv } from "./flow_csv.ts";
import {
  emptySpoolStats,
  type FromReceiver,
  type FromWorker,
  type ReceiverStats,
  type ToReceiver,
  type ToWorker,
  type WorkerStartOptions,
} from "./collector_protocol.ts";
import type { ImportResult } from "./template_cache.ts";
import { setThreadNice } from "./thread_priority.ts";

const port = self as unknown as {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
  close(): void;
};

let decoder: FlowDecoder | null = null;
let receiver: Worker | null = null;
let ingest: FlowIngest | null = null;
let log: NetflowLog | null = null;
let received: ReceiverStats = {
  listener: { datagrams: 0, bytes: 0, receiveErrors: 0, handlerErrors: 0, refused: 0 },
  spool: emptySpoolStats(),
};
let chunks: FlowChunk[] = [];
const timers: Array<ReturnType<typeof setInterval>> = [];
let lastCountersKey = "";
/** Requests to the receiver by id: seal (sync) and pause answers. */
const waiting = new Map<number, (msg: FromReceiver) => void>();

function postCounters(force: boolean): void {
  if (!decoder || !ingest || !log) return;
  const stats = received.listener;
  const logStats = log.stats();
  const sp = received.spool;
  // Cheap change check: counters only move when datagrams arrive or records are handed on.
  const key = `${stats.datagrams}|${stats.refused}|${stats.receiveErrors}|${ingest.pending()}|` +
    `${logStats.fileDropped}|${sp.files}|${sp.bytes}|${sp.refusedDatagrams}`;
  if (!force && key === lastCountersKey) return;
  lastCountersKey = key;
  port.postMessage({
    type: "counters",
    counters: {
      decoder: decoder.counters(),
      listener: { ...stats },
      pending: ingest.pending(),
      logFile: logStats,
      spool: { ...sp },
    },
  });
}

/** Decodes one raw batch and posts its records as one group (even none: it frees a slot). */
function decodeBatch(seq: number, buffer: ArrayBuffer): void {
  const i = ingest!;
  readRawBatch(buffer, (data, exporter, receivedMs) => i.handle(data, exporter, receivedMs));
  i.flush();
  // Frees the batch's memory now: left to this thread's GC, a flood's transferred batches piled up
  // outside the JS heap (pending sets keep copies, never views into the batch).
  buffer.transfer(0);
  const out = chunks;
  chunks = [];
  // The COPY rows are built here, so the main thread (the HTTP thread, PGlite's thread) only
  // hands them to the database.
  for (const c of out) c.csv = chunkCsv(c);
  port.postMessage({ type: "batch", seq, chunks: out }, out.flatMap(chunkTransferables));
}

function ask(msg: ToReceiver & { id: number }): Promise<FromReceiver> {
  return new Promise((resolve) => {
    waiting.set(msg.id, resolve);
    receiver!.postMessage(msg);
  });
}

async function start(o: WorkerStartOptions): Promise<void> {
  setLogLevel(o.logLevel);
  // Decoding can wait (its input waits in the spool); receiving and the HTTP thread cannot.
  const decodePriority = setThreadNice(o.decodeNice);
  log = await openNetflowLog({
    level: o.logLevel,
    dumpHex: o.dumpHex,
    dumpHexLen: o.dumpHexLen,
    file: o.logFile,
  });
  const d = createFlowDecoder({
    now: Date.now,
    pendingTtlMs: o.pendingTtlMs,
    maxTemplates: o.maxTemplates,
    maxTemplatesPerExporter: o.maxTemplatesPerExporter,
    maxPending: o.maxPending,
    maxPendingPerExporter: o.maxPendingPerExporter,
  });
  decoder = d;
  let imported: ImportResult | null = null;
  let importError: string | undefined;
  if (o.templates) {
    try {
      imported = d.importTemplates(o.templates);
    } catch (err) {
      // A snapshot from another version is not worth failing start-up for: templates come again.
      importError = (err as Error).message;
    }
  }
  const l = log;
  ingest = createFlowIngest({
    decoder: d,
    log: l,
    now: Date.now,
    chunkRecords: o.chunkRecords,
    onChunk: (chunk) => chunks.push(chunk),
  });
  const r = receiver = new Worker(new URL("./receive_worker.ts", import.meta.url).href, {
    type: "module",
  });
  const ready = Promise.withResolvers<Extract<FromReceiver, { type: "ready" }>>();
  r.onmessage = (e: MessageEvent<FromReceiver>) => {
    const msg = e.data;
    switch (msg.type) {
      case "ready":
        ready.resolve(msg);
        break;
      case "fatal":
        ready.reject(new Error(msg.message));
        // After start, a dead receiver means a dead collector thread: let main restart us.
        setTimeout(() => {
          throw new Error(msg.message);
        });
        break;
      case "batch":
        decodeBatch(msg.seq, msg.buffer);
        break;
      case "stats":
      case "stopped":
        received = msg.stats;
        if (msg.type === "stopped") stopped?.();
        break;
      case "sealed":
        received = msg.stats;
        waiting.get(msg.id)?.(msg);
        waiting.delete(msg.id);
        break;
      case "paused":
        waiting.get(msg.id)?.(msg);
        waiting.delete(msg.id);
        break;
    }
  };
  r.onerror = (e: ErrorEvent) => {
    e.preventDefault();
    ready.reject(new Error(e.message || "receive worker crashed"));
    setTimeout(() => {
      throw new Error(`NetFlow receive thread died: ${e.message}`);
    });
  };
  r.postMessage(
    {
      type: "start",
      hostname: o.hostname,
      port: o.port,
      recvBufferBytes: o.recvBufferBytes,
      allowedExporters: o.allowedExporters,
      spool: o.spool,
      nice: o.receiveNice,
    } satisfies ToReceiver,
  );
  const got = await ready.promise;
  timers.push(setInterval(() => postCounters(false), o.countersMs));
  port.postMessage({
    type: "ready",
    port: got.port,
    recvBuffer: got.recvBuffer,
    inode: got.inode,
    priority: { receive: got.priority, decode: decodePriority },
    imported,
    importError,
  });
}

let stopped: (() => void) | null = null;
let nextId = 1;

async function stop(): Promise<void> {
  for (const t of timers) clearInterval(t);
  if (receiver) {
    const done = new Promise<void>((resolve) => (stopped = resolve));
    receiver.postMessage({ type: "stop" } satisfies ToReceiver);
    await done;
    receiver.terminate();
  }
  postCounters(true);
  if (decoder) port.postMessage({ type: "templates", id: 0, snapshot: decoder.exportTemplates() });
  await log?.close();
  port.postMessage({ type: "stopped" });
}

port.onmessage = async (e: MessageEvent<ToWorker>) => {
  const msg = e.data;
  switch (msg.type) {
    case "start":
      start(msg.options).catch((err) =>
        port.postMessage({ type: "fatal", message: (err as Error)?.message ?? String(err) })
      );
      break;
    case "templates":
      if (decoder) {
        port.postMessage({ type: "templates", id: msg.id, snapshot: decoder.exportTemplates() });
      }
      break;
    case "stored":
      receiver?.postMessage(msg satisfies ToReceiver);
      break;
    case "sync": {
      // The receiver hands on its open batch first; its batches arrive here before its answer.
      const answer = receiver
        ? await ask({ type: "seal", id: nextId++ }) as Extract<FromReceiver, { type: "sealed" }>
        : { seq: 0 };
      postCounters(true);
      port.postMessage({ type: "synced", id: msg.id, seq: answer.seq });
      break;
    }
    case "crash":
      // Test hook: an uncaught error, as a decoder or runtime fault would raise.
      setTimeout(() => {
        throw new Error("receive worker crashed on request (test hook)");
      });
      break;
    case "pause":
      if (receiver) await ask({ type: "pause", id: nextId++, ms: msg.ms });
      port.postMessage({ type: "paused", id: msg.id });
      break;
    case "stop":
      stop().catch((err) =>
        port.postMessage({ type: "fatal", message: (err as Error)?.message ?? String(err) })
      );
      break;
  }
};
