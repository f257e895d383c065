// What travels through NATS: sweep jobs (scheduler → a site's scanners) and sweep results
// (scanner → ingest). Parsed at this edge; a malformed message is refused, never half-applied.
import { z } from "zod";

export const SweepJobSchema = z.object({
  /** `<subnet>-<scheduled start ms>`: one job per subnet and interval. */
  job_id: z.string().min(1).max(200),
  site: z.string().min(1).max(63),
  subnet_id: z.number().int(),
  cidr: z.string().min(1).max(64),
  interval_s: z.number().int().positive(),
  /** When the scheduler issued it (ms epoch); a job older than an interval is stale. */
  issued_at: z.number(),
  /** Child subnets with scanning off: never probed. */
  exclude: z.array(z.string().max(64)),
  /** Inventoried addresses inside the subnet (IPv6 sweeps probe only these). */
  known: z.array(z.string().max(64)),
  max_sweep_prefix: z.number().int().min(1).max(32),
});
export type SweepJob = z.infer<typeof SweepJobSchema>;

const HostResultSchema = z.object({
  ip: z.string().min(1).max(64),
  up: z.boolean(),
  latencyMs: z.number().nullable(),
  method: z.string().max(16),
});

/** The result format scanners publish now; a message without `v` is format 1 (one whole sweep). */
export const RESULT_FORMAT = 2;

export const SweepResultSchema = z.object({
  /**
   * 1: a whole sweep in one message (older scanners); 2: one chunk of a sweep. Ingest reads both,
   * so scanners and ingest can be upgraded in any order.
   */
  v: z.union([z.literal(1), z.literal(2)]).default(1),
  /** Unique per sweep (the job id for job sweeps); the key of ingested_result. */
  result_id: z.string().min(1).max(200),
  job_id: z.string().min(1).max(200),
  site: z.string().min(1).max(63),
  subnet_id: z.number().int(),
  cidr: z.string().min(1).max(64),
  /** The scanner's spool order: messages of one scanner are delivered in this order. */
  seq: z.number().int().nonnegative(),
  /** This message's place among the sweep's chunks (format 1: chunk 0 of 1). */
  chunk: z.number().int().nonnegative().default(0),
  chunks: z.number().int().positive().max(100_000).default(1),
  instance: z.string().max(200),
  /** "job": taken from the scheduler; "offline": swept on the scanner's own schedule. */
  origin: z.enum(["job", "offline"]),
  started_at: z.number(),
  finished_at: z.number(),
  status: z.enum(["succeeded", "failed"]),
  method: z.string().max(16).nullable(),
  targets: z.number().int().nonnegative(),
  results: z.array(HostResultSchema),
  /** Sent with the last chunk only. */
  errors: z.array(z.string().max(2000)),
  notes: z.array(z.string().max(2000)),
}).refine((m) => m.chunk < m.chunks, { message: "chunk must be below chunks", path: ["chunk"] });
export type SweepResultMessage = z.infer<typeof SweepResultSchema>;

/** One sweep's whole result, as a scanner has it before it is cut into messages. */
export type SweepResult = Omit<SweepResultMessage, "v" | "seq" | "chunk" | "chunks">;
/** A chunk before the spool gives it its sequence number. */
export type SweepResultChunk = Omit<SweepResultMessage, "seq">;

/**
 * The Nats-Msg-Id of a chunk: the same sweep always yields the same ids, so a re-publish after a
 * lost PubAck or a spool replay is dropped by JetStream within its dedupe window (and by
 * ingested_chunk in SQL after it).
 */
export const chunkMsgId = (resultId: string, chunk: number) => `${resultId}.${chunk}`;

/**
 * At most this many host results per message, and at most this many bytes of JSON: the spool keeps
 * each message as one Deno KV value (64 KiB at most), which is also far below NATS's max_payload.
 */
export const CHUNK_MAX_RESULTS = 500;
export const CHUNK_MAX_BYTES = 60 * 1024;
/** Room kept for `seq` and `chunk`/`chunks`, which are filled in after the size is measured. */
const ENVELOPE_SLACK = 64;

const utf8 = new TextEncoder();
const bytesOf = (v: unknown) => utf8.encode(JSON.stringify(v)).length;

/** Keeps texts while they fit `budget` bytes and says how many were left out. */
function fitTexts(texts: string[], budget: number, what: string): string[] {
  const out: string[] = [];
  let used = 2;
  for (const [i, t] of texts.entries()) {
    const b = bytesOf(t) + 1;
    if (used + b > budget - 80) {
      out.push(`${texts.length - i} more ${what} left out (message size)`);
      break;
    }
    out.push(t);
    used += b;
  }
  return out;
}

/**
 * Cuts a sweep into messages of at most `maxResults` results and `maxBytes` bytes, in the order of
 * its results; errors and notes travel with the last one. A sweep without results is one message.
 */
export function chunkResult(
  r: SweepResult,
  limits: { maxResults?: number; maxBytes?: number } = {},
): SweepResultChunk[] {
  const maxResults = limits.maxResults ?? CHUNK_MAX_RESULTS;
  const maxBytes = limits.maxBytes ?? CHUNK_MAX_BYTES;
  const head = { ...r, v: RESULT_FORMAT, chunk: 0, chunks: 0, results: [], errors: [], notes: [] };
  const headBytes = bytesOf(head) + ENVELOPE_SLACK;
  // The last chunk's texts may take half a message; the rest is left out with a count.
  const errors = fitTexts(r.errors, (maxBytes - headBytes) / 4, "errors");
  const notes = fitTexts(r.notes, (maxBytes - headBytes) / 4, "notes");
  const tailBytes = bytesOf(errors) + bytesOf(notes);
  const groups: Array<SweepResult["results"]> = [];
  let group: SweepResult["results"] = [];
  let used = headBytes;
  for (const h of r.results) {
    const b = bytesOf(h) + 1;
    if (group.length > 0 && (group.length >= maxResults || used + b > maxBytes)) {
      groups.push(group);
      group = [];
      used = headBytes;
    }
    group.push(h);
    used += b;
  }
  // The texts must fit beside the last group's results; otherwise they get a message of their own.
  if (group.length > 0 && used + tailBytes > maxBytes) {
    groups.push(group);
    group = [];
  }
  groups.push(group);
  return groups.map((results, i) => ({
    ...r,
    v: RESULT_FORMAT,
    chunk: i,
    chunks: groups.length,
    results,
    errors: i === groups.length - 1 ? errors : [],
    notes: i === groups.length - 1 ? notes : [],
  }));
}

/** Parses a message body; throws an Error naming what is wrong. */
export function parseMessage<T>(schema: z.ZodType<T>, data: Uint8Array, what: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(data));
  } catch {
    throw new Error(`${what}: not JSON`);
  }
  const res = schema.safeParse(raw);
  if (!res.success) {
    throw new Error(`${what}: ${res.error.issues.map((i) => `${i.path.join(".")} ${i.message}`)}`);
  }
  return res.data;
}
