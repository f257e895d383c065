// The collector's receive thread: UDP socket → packet log → decoder → chunks posted to the main
// thread (buffers transferred). Started and stopped by collector.ts through collector_protocol.
import { setLogLevel } from "@/services/logger.ts";
import { createFlowDecoder, type FlowDecoder } from "./flow_decoder.ts";
import { chunkTransferables } from "./flow_chunk.ts";
import { createFlowIngest, type FlowIngest } from "./flow_ingest.ts";
import { type NetflowLog, openNetflowLog } from "./netflow_log.ts";
import { startUdpListener, type UdpListener } from "./udp_listener.ts";
import { createExporterAllowlist } from "./exporter_allowlist.ts";
import type { FromWorker, ToWorker, WorkerStartOptions } from "./collector_protocol.ts";
import type { ImportResult } from "./template_cache.ts";

const port = self as unknown as {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
  close(): void;
};

let decoder: FlowDecoder | null = null;
let listener: UdpListener | null = null;
let ingest: FlowIngest | null = null;
let log: NetflowLog | null = null;
const timers: Array<ReturnType<typeof setInterval>> = [];
let lastCountersKey = "";

function postCounters(force: boolean): void {
  if (!decoder || !listener || !ingest || !log) return;
  const stats = listener.stats();
  const logStats = log.stats();
  // Cheap change check: counters only move when datagrams arrive or records are handed on.
  const key = `${stats.datagrams}|${stats.refused}|${stats.receiveErrors}|${ingest.pending()}|` +
    logStats.fileDropped;
  if (!force && key === lastCountersKey) return;
  lastCountersKey = key;
  port.postMessage({
    type: "counters",
    counters: {
      decoder: decoder.counters(),
      listener: stats,
      pending: ingest.pending(),
      logFile: logStats,
    },
  });
}

async function start(o: WorkerStartOptions): Promise<void> {
  setLogLevel(o.logLevel);
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
    onChunk: (chunk) => port.postMessage({ type: "chunk", chunk }, chunkTransferables(chunk)),
  });
  const i = ingest;
  const allowlist = createExporterAllowlist(o.allowedExporters);
  listener = startUdpListener({
    hostname: o.hostname,
    port: o.port,
    recvBufferBytes: o.recvBufferBytes,
    onDatagram: (data, exporter) => i.handle(data, exporter),
    allows: o.allowedExporters.length > 0 ? allowlist.allows : undefined,
    onError: (err, where) => l.warn(`netflow ${where} error`, { error: String(err) }),
  });
  timers.push(setInterval(() => i.flush(), o.chunkFlushMs));
  timers.push(setInterval(() => postCounters(false), o.countersMs));
  port.postMessage({
    type: "ready",
    port: listener.port,
    recvBuffer: listener.recvBuffer,
    inode: listener.inode,
    imported,
    importError,
  });
}

async function stop(): Promise<void> {
  for (const t of timers) clearInterval(t);
  await listener?.close();
  ingest?.flush();
  postCounters(true);
  if (decoder) port.postMessage({ type: "templates", id: 0, snapshot: decoder.exportTemplates() });
  await log?.close();
  port.postMessage({ type: "stopped" });
}

port.onmessage = (e: MessageEvent<ToWorker>) => {
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
    case "sync":
      ingest?.flush();
      postCounters(true);
      port.postMessage({ type: "synced", id: msg.id });
      break;
    case "crash":
      // Test hook: an uncaught error, as a decoder or runtime fault would raise.
      setTimeout(() => {
        throw new Error("receive worker crashed on request (test hook)");
      });
      break;
    case "pause":
      listener?.pause(msg.ms);
      port.postMessage({ type: "paused", id: msg.id });
      break;
    case "stop":
      stop().catch((err) =>
        port.postMessage({ type: "fatal", message: (err as Error)?.message ?? String(err) })
      );
      break;
  }
};
