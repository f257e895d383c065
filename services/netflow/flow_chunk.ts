// Flow records of one exporter in columns (typed arrays + address strings): cheap to move
// between threads (buffers are transferred, not copied), to split, and to encode for SQL.
// Values are made safe for the database here, once, at the edge of the storage path.
import type { FlowRecord } from "./flow_record.ts";

export interface FlowChunk {
  exporter: string;
  count: number;
  version: Uint8Array;
  sourceId: Float64Array;
  /** Canonical address text; "" when the template carried no such address. */
  srcAddr: string[];
  dstAddr: string[];
  srcPort: Uint16Array;
  dstPort: Uint16Array;
  protocol: Uint8Array;
  bytes: Float64Array;
  packets: Float64Array;
  /** Unix ms, whole numbers inside the range SQL timestamps take. */
  startMs: Float64Array;
  endMs: Float64Array;
  inputIf: Float64Array;
  outputIf: Float64Array;
  tcpFlags: Uint16Array;
  sampling: Float64Array;
  /** Set by the batcher on a group's chunks before its last: never split off from the group. */
  group?: boolean;
  /** Its rows as COPY CSV, encoded in the decode worker; slices do not carry it. */
  csv?: Uint8Array;
}

/** 9999-12-31T23:59:59.999Z: later (or negative, or NaN) times are replaced by the receive time. */
export const MAX_TIME_MS = 253402300799999;

function count(v: number): number {
  if (!(v >= 0)) return 0;
  return v > Number.MAX_SAFE_INTEGER ? Number.MAX_SAFE_INTEGER : Math.floor(v);
}

function time(v: number, fallback: number): number {
  return v >= 0 && v <= MAX_TIME_MS ? Math.floor(v) : fallback;
}

/** Appends records of one exporter into fixed-capacity columns. */
export class FlowChunkBuilder {
  private chunk: FlowChunk;

  constructor(readonly exporter: string, readonly capacity: number) {
    this.chunk = emptyChunk(exporter, capacity);
  }

  get size(): number {
    return this.chunk.count;
  }

  get full(): boolean {
    return this.chunk.count >= this.capacity;
  }

  /**
   * Adds one record. Counters beyond 2^53, negative or missing become safe integers; ports,
   * protocol and flags keep their low-order bits; impossible times become `receivedMs`.
   */
  push(r: FlowRecord, receivedMs: number): void {
    const c = this.chunk;
    const i = c.count++;
    c.version[i] = r.version;
    c.sourceId[i] = count(r.sourceId);
    c.srcAddr[i] = r.srcAddr;
    c.dstAddr[i] = r.dstAddr;
    c.srcPort[i] = r.srcPort;
    c.dstPort[i] = r.dstPort;
    c.protocol[i] = r.protocol;
    c.bytes[i] = count(r.bytes);
    c.packets[i] = count(r.packets);
    const end = time(r.endMs, receivedMs);
    c.endMs[i] = end;
    c.startMs[i] = time(r.startMs, end);
    c.inputIf[i] = count(r.inputIf);
    c.outputIf[i] = count(r.outputIf);
    c.tcpFlags[i] = r.tcpFlags;
    const s = r.samplingInterval;
    c.sampling[i] = s >= 1 && s <= 1e12 ? s : 1;
  }

  /** The filled part as a chunk of its own; the builder starts over. */
  take(): FlowChunk {
    const done = sliceChunk(this.chunk, 0, this.chunk.count);
    this.chunk = emptyChunk(this.exporter, this.capacity);
    return done;
  }
}

export function emptyChunk(exporter: string, capacity: number): FlowChunk {
  return {
    exporter,
    count: 0,
    version: new Uint8Array(capacity),
    sourceId: new Float64Array(capacity),
    srcAddr: new Array<string>(capacity),
    dstAddr: new Array<string>(capacity),
    srcPort: new Uint16Array(capacity),
    dstPort: new Uint16Array(capacity),
    protocol: new Uint8Array(capacity),
    bytes: new Float64Array(capacity),
    packets: new Float64Array(capacity),
    startMs: new Float64Array(capacity),
    endMs: new Float64Array(capacity),
    inputIf: new Float64Array(capacity),
    outputIf: new Float64Array(capacity),
    tcpFlags: new Uint16Array(capacity),
    sampling: new Float64Array(capacity),
  };
}

/** Records [from, to) as a chunk sharing nothing with `c` (safe to transfer or keep). */
export function sliceChunk(c: FlowChunk, from: number, to: number): FlowChunk {
  return {
    exporter: c.exporter,
    count: to - from,
    version: c.version.slice(from, to),
    sourceId: c.sourceId.slice(from, to),
    srcAddr: c.srcAddr.slice(from, to),
    dstAddr: c.dstAddr.slice(from, to),
    srcPort: c.srcPort.slice(from, to),
    dstPort: c.dstPort.slice(from, to),
    protocol: c.protocol.slice(from, to),
    bytes: c.bytes.slice(from, to),
    packets: c.packets.slice(from, to),
    startMs: c.startMs.slice(from, to),
    endMs: c.endMs.slice(from, to),
    inputIf: c.inputIf.slice(from, to),
    outputIf: c.outputIf.slice(from, to),
    tcpFlags: c.tcpFlags.slice(from, to),
    sampling: c.sampling.slice(from, to),
  };
}

/** The buffers a postMessage can transfer instead of copying. */
export function chunkTransferables(c: FlowChunk): ArrayBuffer[] {
  return [
    c.version,
    c.sourceId,
    c.srcPort,
    c.dstPort,
    c.protocol,
    c.bytes,
    c.packets,
    c.startMs,
    c.endMs,
    c.inputIf,
    c.outputIf,
    c.tcpFlags,
    c.sampling,
    ...(c.csv ? [c.csv] : []),
  ].map((a) => a.buffer as ArrayBuffer);
}

/** Record `i` of a chunk as a FlowRecord (tests and the flows API shape). */
export function chunkRecord(c: FlowChunk, i: number): FlowRecord {
  return {
    exporter: c.exporter,
    version: c.version[i] as 5 | 9 | 10,
    sourceId: c.sourceId[i],
    srcAddr: c.srcAddr[i],
    dstAddr: c.dstAddr[i],
    srcPort: c.srcPort[i],
    dstPort: c.dstPort[i],
    protocol: c.protocol[i],
    bytes: c.bytes[i],
    packets: c.packets[i],
    startMs: c.startMs[i],
    endMs: c.endMs[i],
    inputIf: c.inputIf[i],
    outputIf: c.outputIf[i],
    tcpFlags: c.tcpFlags[i],
    samplingInterval: c.sampling[i],
  };
}

/** The numeric columns of a chunk, in the order they travel between processes. */
export const NUMERIC_COLUMNS = [
  "version",
  "sourceId",
  "srcPort",
  "dstPort",
  "protocol",
  "bytes",
  "packets",
  "startMs",
  "endMs",
  "inputIf",
  "outputIf",
  "tcpFlags",
  "sampling",
] as const;

/** A chunk as plain JSON values: how an edge collector's records travel to the ingest (NATS). */
export type FlowChunkColumns =
  & { exporter: string; count: number; srcAddr: string[]; dstAddr: string[] }
  & { [K in typeof NUMERIC_COLUMNS[number]]: number[] };

export function chunkColumns(c: FlowChunk): FlowChunkColumns {
  const out = {
    exporter: c.exporter,
    count: c.count,
    srcAddr: c.srcAddr.slice(0, c.count),
    dstAddr: c.dstAddr.slice(0, c.count),
  } as FlowChunkColumns;
  for (const k of NUMERIC_COLUMNS) out[k] = Array.from(c[k].subarray(0, c.count));
  return out;
}

/**
 * The chunk back from its columns. Values were made safe by the sender's FlowChunkBuilder; the
 * typed arrays clip what a foreign sender might put there, and a column of the wrong length throws.
 */
export function chunkFromColumns(j: FlowChunkColumns): FlowChunk {
  const c = emptyChunk(j.exporter, j.count);
  c.count = j.count;
  const check = (name: string, length: number) => {
    if (length !== j.count) {
      throw new Error(`flow chunk column ${name} has ${length} values, expected ${j.count}`);
    }
  };
  check("srcAddr", j.srcAddr.length);
  check("dstAddr", j.dstAddr.length);
  c.srcAddr = j.srcAddr.slice();
  c.dstAddr = j.dstAddr.slice();
  for (const k of NUMERIC_COLUMNS) {
    check(k, j[k].length);
    c[k].set(j[k]);
  }
  return c;
}
