// What an edge collector sends the ingest role through NATS: its decoded flow batches (a receive
// batch cut into parts of whole chunks, each with its own message id) and its exporters' counters.
// Parsed at this edge; a malformed message is refused, never half-stored.
import { z } from "zod";
import {
  chunkColumns,
  type ExporterCounterView,
  type FlowChunkColumns,
  NUMERIC_COLUMNS,
  type OutgoingBatch,
} from "@/services/netflow/mod.ts";

/**
 * Records per message at most (whole chunks, 1,024 records each from the decoder): about 200 bytes
 * a record as JSON at worst (IPv6), well under NATS's default 1 MB max_payload.
 */
export const PART_RECORDS = 2048;

const numbers = z.array(z.number().finite());
const ChunkSchema = z.object({
  exporter: z.string().max(64),
  count: z.number().int().min(0).max(1_000_000),
  srcAddr: z.array(z.string().max(64)),
  dstAddr: z.array(z.string().max(64)),
  ...Object.fromEntries(NUMERIC_COLUMNS.map((k) => [k, numbers])) as Record<
    typeof NUMERIC_COLUMNS[number],
    typeof numbers
  >,
});

export const FlowBatchSchema = z.object({
  kind: z.literal("flows"),
  /** `<spool id>:<seq>:<part>`: the same on every re-send, claimed once in SQL. */
  id: z.string().min(1).max(200),
  site: z.string().min(1).max(63),
  collector: z.string().min(1).max(200),
  seq: z.number().int().min(0),
  part: z.number().int().min(0),
  parts: z.number().int().min(1),
  chunks: z.array(ChunkSchema).max(PART_RECORDS),
});
export type FlowBatchMessage = z.infer<typeof FlowBatchSchema> & { chunks: FlowChunkColumns[] };

export const FlowCountersSchema = z.object({
  kind: z.literal("counters"),
  site: z.string().min(1).max(63),
  collector: z.string().min(1).max(200),
  now_ms: z.number().int(),
  since_ms: z.number().int(),
  counters: z.record(z.string().max(64), z.record(z.string().max(64), z.number())),
});
export type FlowCountersMessage = z.infer<typeof FlowCountersSchema>;

export const FlowMessageSchema = z.discriminatedUnion("kind", [
  FlowBatchSchema,
  FlowCountersSchema,
]);

export const flowPartId = (spoolId: string, seq: number, part: number) =>
  `${spoolId}:${seq}:${part}`;

/**
 * One receive batch as messages of whole chunks, at most PART_RECORDS records each (a chunk of
 * more, which the decoder never makes, travels alone). The cut depends only on the chunks, so a
 * batch sent again after a restart gets the same parts and ids.
 */
export function flowBatchMessages(
  b: OutgoingBatch,
  site: string,
): Array<{ id: string; body: string }> {
  const groups: FlowChunkColumns[][] = [];
  let records = PART_RECORDS;
  for (const c of b.chunks) {
    if (c.count === 0) continue;
    if (records + c.count > PART_RECORDS) {
      groups.push([]);
      records = 0;
    }
    groups[groups.length - 1].push(chunkColumns(c));
    records += c.count;
  }
  return groups.map((chunks, part) => {
    const id = flowPartId(b.spoolId, b.seq, part);
    const msg: FlowBatchMessage = {
      kind: "flows",
      id,
      site,
      collector: b.collector,
      seq: b.seq,
      part,
      parts: groups.length,
      chunks,
    };
    return { id, body: JSON.stringify(msg) };
  });
}

export function flowCountersMessage(
  site: string,
  collector: string,
  counters: Record<string, ExporterCounterView>,
  o: { nowMs: number; sinceMs: number },
): string {
  const msg: FlowCountersMessage = {
    kind: "counters",
    site,
    collector,
    now_ms: o.nowMs,
    since_ms: o.sinceMs,
    counters: counters as unknown as Record<string, Record<string, number>>,
  };
  return JSON.stringify(msg);
}
