// Flow rows as COPY CSV, column by column from a chunk's typed arrays: built once per receive
// batch in the decode worker (the bytes are transferred with the chunk), or on the main thread
// for chunks the batcher had to split.
import type { FlowChunk } from "./flow_chunk.ts";

export const FLOW_COLUMNS = [
  "exporter",
  "version",
  "source_id",
  "src_addr",
  "dst_addr",
  "src_port",
  "dst_port",
  "protocol",
  "bytes",
  "packets",
  "start_at",
  "end_at",
  "input_if",
  "output_if",
  "tcp_flags",
  "sampling_interval",
] as const;

/**
 * Formats Unix ms as timestamptz text; the "YYYY-MM-DD HH:MM:SS" part is cached per second,
 * since the flows of one batch end within a few seconds of each other.
 */
class TimeText {
  #second = NaN;
  #prefix = "";

  format(ms: number): string {
    const second = Math.floor(ms / 1000);
    if (second !== this.#second) {
      this.#second = second;
      this.#prefix = new Date(second * 1000).toISOString().slice(0, 19).replace("T", " ");
    }
    const frac = ms - second * 1000;
    return `${this.#prefix}.${frac < 10 ? "00" : frac < 100 ? "0" : ""}${frac}+00`;
  }
}

/**
 * The chunks' flows as COPY CSV rows, column by column from the typed arrays. No field ever needs
 * quoting: numbers, canonical address text, and "" (an unquoted empty field is NULL).
 */
export function flowsCsv(chunks: readonly FlowChunk[]): string {
  const rows: string[] = [];
  const start = new TimeText();
  const end = new TimeText();
  for (const c of chunks) {
    const e = c.exporter;
    for (let i = 0; i < c.count; i++) {
      rows.push(
        `${e},${c.version[i]},${c.sourceId[i]},${c.srcAddr[i]},${c.dstAddr[i]},${c.srcPort[i]},${
          c.dstPort[i]
        },${c.protocol[i]},${c.bytes[i]},${c.packets[i]},${start.format(c.startMs[i])},${
          end.format(c.endMs[i])
        },${c.inputIf[i]},${c.outputIf[i]},${c.tcpFlags[i]},${c.sampling[i]}`,
      );
    }
  }
  rows.push("");
  return rows.join("\n");
}

/** One chunk's rows as COPY CSV bytes (the decode worker attaches them to the chunk). */
export function chunkCsv(c: FlowChunk): Uint8Array {
  return new TextEncoder().encode(flowsCsv([c]));
}

/**
 * The chunks' rows for COPY: each chunk's attached CSV when it has one (encoded off the main
 * thread), else encoded here (chunks split by the batcher lose theirs).
 */
export function flowsCsvParts(chunks: readonly FlowChunk[]): Array<string | Uint8Array> {
  const parts: Array<string | Uint8Array> = [];
  let plain: FlowChunk[] = [];
  for (const c of chunks) {
    if (c.csv === undefined) {
      plain.push(c);
      continue;
    }
    if (plain.length > 0) parts.push(flowsCsv(plain));
    plain = [];
    parts.push(c.csv);
  }
  if (plain.length > 0) parts.push(flowsCsv(plain));
  return parts;
}
