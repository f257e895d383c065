// Datagram in, chunks out: logs the packet, decodes it, and appends its records to the exporter's
// open chunk, handing chunks on when full or when flushed (the worker flushes every few ms).
import type { FlowDecoder } from "./flow_decoder.ts";
import { type FlowChunk, FlowChunkBuilder } from "./flow_chunk.ts";
import type { NetflowLog } from "./netflow_log.ts";

export interface FlowIngestOptions {
  decoder: FlowDecoder;
  log: NetflowLog;
  now: () => number;
  /** Records per chunk. */
  chunkRecords: number;
  onChunk(chunk: FlowChunk): void;
  /** Most exporters with an open chunk; the oldest is handed on first. Default 256. */
  maxOpenChunks?: number;
}

export interface FlowIngest {
  /** `receivedMs`: when the datagram arrived (default now). */
  handle(data: Uint8Array, exporter: string, receivedMs?: number): void;
  /** Hands on every partly filled chunk. */
  flush(): void;
  /** Records decoded but not yet handed on. */
  pending(): number;
}

export function createFlowIngest(opts: FlowIngestOptions): FlowIngest {
  const open = new Map<string, FlowChunkBuilder>();
  const maxOpen = opts.maxOpenChunks ?? 256;
  let pending = 0;

  const handOn = (b: FlowChunkBuilder) => {
    pending -= b.size;
    opts.onChunk(b.take());
  };

  return {
    handle(data, exporter, receivedAt) {
      opts.log.packet(exporter, data);
      const records = opts.decoder.decode(data, exporter);
      if (records.length === 0) return;
      const receivedMs = receivedAt ?? opts.now();
      let b = open.get(exporter);
      if (b === undefined) {
        if (open.size >= maxOpen) {
          const [oldest, builder] = open.entries().next().value!;
          open.delete(oldest);
          if (builder.size > 0) handOn(builder);
        }
        b = new FlowChunkBuilder(exporter, opts.chunkRecords);
        open.set(exporter, b);
      }
      for (const r of records) {
        b.push(r, receivedMs);
        pending++;
        if (b.full) handOn(b);
      }
    },
    flush() {
      for (const b of open.values()) if (b.size > 0) handOn(b);
    },
    pending: () => pending,
  };
}
