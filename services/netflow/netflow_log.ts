// The collector's logging: LOG_LEVEL lines through the app logger, a per-datagram debug line,
// DUMP_HEX dumps (DUMP_HEX_LEN bytes on stderr, whole datagrams in the file), and an optional
// NETFLOW_LOG_FILE that receives every collector line untruncated, written in the background.
import { log as appLog } from "@/services/logger.ts";
import { hexDumpLines, hexLine } from "./hex_dump.ts";
import { formatPacketLine, summarizePacket } from "./packet_summary.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogSink = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;

export interface NetflowLogOptions {
  level: LogLevel;
  dumpHex: boolean;
  dumpHexLen: number;
  /** Path appended to (created when missing); every line in full. */
  file?: string;
  /** Where stderr lines go; defaults to the app's JSON logger. */
  sink?: LogSink;
  now?: () => number;
  /** Buffered file text above which lines are dropped (and counted) rather than kept. */
  maxBufferedBytes?: number;
}

export interface NetflowLog {
  enabled(level: LogLevel): boolean;
  /** True when `packet()` writes anything: LOG_LEVEL=debug or DUMP_HEX=1. */
  readonly packetsEnabled: boolean;
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** The `pkt …` line for one datagram (plus its hex dump with DUMP_HEX=1). */
  packet(exporter: string, bytes: Uint8Array): void;
  /** Writes buffered file lines now. */
  flush(): Promise<void>;
  close(): Promise<void>;
  /** File lines written and dropped (a stalled disk never blocks the listener). */
  stats(): { fileLines: number; fileDropped: number };
}

const defaultSink: LogSink = (level, msg, fields) => appLog[level](msg, fields);
const FILE_FLUSH_MS = 200;
const FILE_FLUSH_BYTES = 256 * 1024;

export async function openNetflowLog(opts: NetflowLogOptions): Promise<NetflowLog> {
  const sink = opts.sink ?? defaultSink;
  const now = opts.now ?? Date.now;
  const threshold = ORDER[opts.level];
  const enabled = (level: LogLevel) => ORDER[level] >= threshold;
  const maxBuffered = opts.maxBufferedBytes ?? 16 * 1024 * 1024;
  const file = opts.file
    ? await Deno.open(opts.file, { append: true, create: true, write: true })
    : null;
  const encoder = new TextEncoder();
  let buffer: string[] = [];
  let bufferedBytes = 0;
  let fileLines = 0;
  let fileDropped = 0;
  let writing: Promise<void> = Promise.resolve();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const flush = (): Promise<void> => {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (!file || buffer.length === 0) return writing;
    const text = buffer.join("");
    buffer = [];
    bufferedBytes = 0;
    // Writes are chained so lines keep their order; a failing disk is reported once per batch.
    writing = writing.then(async () => {
      const data = encoder.encode(text);
      let off = 0;
      while (off < data.length) off += await file.write(data.subarray(off));
    }).catch((err) => sink("warn", "netflow log file write failed", { error: String(err) }));
    return writing;
  };

  const toFile = (text: string) => {
    if (!file || closed) return;
    if (bufferedBytes + text.length > maxBuffered) {
      fileDropped++;
      return;
    }
    buffer.push(text);
    bufferedBytes += text.length;
    fileLines++;
    if (bufferedBytes >= FILE_FLUSH_BYTES) flush();
    else timer ??= setTimeout(flush, FILE_FLUSH_MS);
  };

  const fileLine = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    const extra = fields && Object.keys(fields).length > 0 ? " " + JSON.stringify(fields) : "";
    return `${new Date(now()).toISOString()} ${level.toUpperCase()} ${msg}${extra}\n`;
  };

  const write = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (!enabled(level)) return;
    sink(level, msg, fields);
    toFile(fileLine(level, msg, fields));
  };

  const packetsEnabled = enabled("debug") || opts.dumpHex;
  // With DUMP_HEX=1 the packet lines show even when LOG_LEVEL is above debug.
  const packetLevel: LogLevel = enabled("debug") ? "debug" : "info";

  return {
    enabled,
    packetsEnabled,
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
    packet(exporter, bytes) {
      if (!packetsEnabled) return;
      const line = formatPacketLine(exporter, summarizePacket(bytes));
      sink(packetLevel, line, opts.dumpHex ? { hex: hexLine(bytes, opts.dumpHexLen) } : undefined);
      if (!file) return;
      let text = fileLine(packetLevel, line);
      if (opts.dumpHex) text += hexDumpLines(bytes).map((l) => `  ${l}\n`).join("");
      toFile(text);
    },
    flush,
    async close() {
      if (closed) return;
      await flush();
      closed = true;
      file?.close();
    },
    stats: () => ({ fileLines, fileDropped }),
  };
}
