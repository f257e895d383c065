// Queue between the decoder and SQL: inserts as soon as NETFLOW_INSERT_BATCH records wait (or
// NETFLOW_FLUSH_INTERVAL_MS after the oldest arrived), retries transient database errors,
// isolates rows the database refuses, and flushes everything on stop. Receive batches come as
// groups (offerGroup): a group is never split between two transactions, is never dropped (the
// receive side bounds how many are in flight and spools the rest) and is reported by onStored
// once stored, in order. Loose chunks (offer) are dropped and counted beyond NETFLOW_QUEUE_MAX.
import { emptyChunk, type FlowChunk, sliceChunk } from "./flow_chunk.ts";

export interface BatcherCounters {
  /** Records stored by a committed insert. */
  inserted: number;
  /** Records dropped because the queue was full (or the batcher stopped). */
  queueDrops: number;
  /** Records the database refused (after isolating them) or that could not be stored at stop. */
  insertFailed: number;
}

export type TimerId = ReturnType<typeof setTimeout>;

export interface Timers {
  setTimeout(fn: () => void, ms: number): TimerId;
  clearTimeout(id: TimerId): void;
}

export interface FlowBatcherOptions {
  /** Records per insert when keeping up; also the count that triggers an insert. */
  batchSize: number;
  flushIntervalMs: number;
  /** Most records waiting (queued, not yet being inserted) before chunks are dropped. */
  queueMax: number;
  /** When behind, one insert takes up to batchSize × this many records; default 50. */
  catchUpFactor?: number;
  /**
   * Stores the chunks in one transaction; throws when nothing was stored. `storedSeq`: the last
   * group these chunks complete (to be recorded in the same transaction), if any.
   */
  insert(chunks: FlowChunk[], storedSeq?: number): Promise<void>;
  /** Groups up to `seq` (`groups` of them) are done: stored, or given up and counted. */
  onStored?(seq: number, groups: number): void;
  /** Errors worth retrying (connection lost…); others mean the rows themselves are refused. */
  isRetryable?(err: unknown): boolean;
  retryDelayMs?: number;
  /** Attempts of one batch at stop before its records are counted as failed; default 3. */
  stopAttempts?: number;
  onError?(err: unknown, info: { records: number; retrying: boolean }): void;
  timers?: Timers;
}

export interface FlowBatcher {
  /** Queues a chunk; false (and its records counted as queue drops) when there is no room. */
  offer(chunk: FlowChunk): boolean;
  /** Queues one receive batch's chunks as a group (never dropped, never split). */
  offerGroup(seq: number, chunks: FlowChunk[]): void;
  /** Records waiting, not counting an insert in progress. */
  queued(): number;
  /** Inserts everything queued now; resolves when it is stored (or given up on). */
  flush(): Promise<void>;
  /** Flushes, then refuses further chunks. */
  stop(): Promise<void>;
  counters(): Record<string, BatcherCounters>;
  stats(): { inserts: number; lastInsertMs: number; retries: number };
}

const defaultTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id),
};

/** SQLSTATE classes that say the data or statement is wrong, so trying again cannot help. */
const PERMANENT_SQLSTATE = /^(22|23|42|XX)/;

export function isRetryableDbError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return !(typeof code === "string" && code.length === 5 && PERMANENT_SQLSTATE.test(code));
}

export function createFlowBatcher(opts: FlowBatcherOptions): FlowBatcher {
  const timers = opts.timers ?? defaultTimers;
  const maxTake = opts.batchSize * (opts.catchUpFactor ?? 50);
  const retryable = opts.isRetryable ?? isRetryableDbError;
  const retryDelay = opts.retryDelayMs ?? 1000;
  const stopAttempts = opts.stopAttempts ?? 3;
  /** Chunks in arrival order; `end` marks the last entry of a group (its sequence). */
  const queue: Array<{ chunk: FlowChunk; end?: number }> = [];
  let queuedRecords = 0;
  const byExporter = new Map<string, BatcherCounters>();
  let timer: TimerId | undefined;
  let forced = false;
  let running: Promise<void> | null = null;
  let stopped = false;
  let stopping = false;
  const stats = { inserts: 0, lastInsertMs: 0, retries: 0 };

  const countersOf = (exporter: string) => {
    let c = byExporter.get(exporter);
    if (!c) byExporter.set(exporter, c = { inserted: 0, queueDrops: 0, insertFailed: 0 });
    return c;
  };

  /**
   * Up to `maxTake` records from the head of the queue, splitting a loose chunk when needed but
   * never a group (a started group is taken whole). Returns the chunks and the groups they end.
   */
  const take = (): { chunks: FlowChunk[]; ends: number[] } => {
    const out: FlowChunk[] = [];
    const ends: number[] = [];
    let n = 0;
    let inGroup = false;
    while (queue.length > 0 && (n < maxTake || inGroup)) {
      const head = queue[0];
      const grouped = head.end !== undefined || inGroup || head.chunk.group === true;
      const room = maxTake - n;
      if (head.chunk.count <= room || grouped) {
        queue.shift();
        if (head.chunk.count > 0) out.push(head.chunk);
        n += head.chunk.count;
        if (head.end !== undefined) {
          ends.push(head.end);
          inGroup = false;
        } else inGroup = head.chunk.group === true;
      } else {
        out.push(sliceChunk(head.chunk, 0, room));
        queue[0] = { chunk: sliceChunk(head.chunk, room, head.chunk.count) };
        n += room;
      }
    }
    queuedRecords -= n;
    return { chunks: out, ends };
  };

  const done = (ends: number[]) => {
    if (ends.length > 0) opts.onStored?.(ends[ends.length - 1], ends.length);
  };

  const credit = (chunks: FlowChunk[], field: keyof BatcherCounters) => {
    for (const c of chunks) countersOf(c.exporter)[field] += c.count;
  };

  const sleep = (ms: number) => new Promise<void>((r) => timers.setTimeout(r, ms));

  /** Inserts `chunks`; on refused rows splits the batch in halves until the bad ones are alone. */
  const store = async (chunks: FlowChunk[], ends: number[] = []): Promise<void> => {
    const records = chunks.reduce((n, c) => n + c.count, 0);
    const storedSeq = ends.length > 0 ? ends[ends.length - 1] : undefined;
    if (records === 0) return done(ends);
    for (let attempt = 1;; attempt++) {
      try {
        const started = performance.now();
        await opts.insert(chunks, storedSeq);
        stats.inserts++;
        stats.lastInsertMs = performance.now() - started;
        credit(chunks, "inserted");
        return done(ends);
      } catch (err) {
        if (retryable(err)) {
          const retrying = !(stopping && attempt >= stopAttempts);
          opts.onError?.(err, { records, retrying });
          if (!retrying) {
            credit(chunks, "insertFailed");
            return done(ends);
          }
          stats.retries++;
          await sleep(retryDelay);
          continue;
        }
        opts.onError?.(err, { records, retrying: records > 1 });
        if (records <= 1) {
          credit(chunks, "insertFailed");
          return done(ends);
        }
        // The group ends go with the right half: its commit is the one that completes them.
        const [left, right] = halves(chunks, records);
        await store(left);
        await store(right, ends);
        return;
      }
    }
  };

  const drain = async (): Promise<void> => {
    while (queue.length > 0 && (forced || stopping || queuedRecords >= opts.batchSize)) {
      const t = take();
      await store(t.chunks, t.ends);
    }
    forced = false;
    // What is left (less than a batch) still goes out within the flush interval.
    if (queue.length > 0 && timer === undefined && !stopping) {
      timer = timers.setTimeout(onTimer, opts.flushIntervalMs);
    }
  };

  /** Starts draining unless a drain is already running (it then sees the new state itself). */
  const pump = (): Promise<void> => {
    if (running) return running;
    const p = drain().finally(() => {
      running = null;
    });
    running = p;
    return p;
  };

  const onTimer = () => {
    timer = undefined;
    forced = true;
    pump();
  };

  return {
    offer(chunk) {
      if (chunk.count === 0) return true;
      if (stopped || queuedRecords + chunk.count > opts.queueMax) {
        countersOf(chunk.exporter).queueDrops += chunk.count;
        return false;
      }
      queue.push({ chunk });
      queuedRecords += chunk.count;
      if (queuedRecords >= opts.batchSize) pump();
      else timer ??= timers.setTimeout(onTimer, opts.flushIntervalMs);
      return true;
    },
    offerGroup(seq, chunks) {
      const live = chunks.filter((c) => c.count > 0);
      if (stopped) {
        for (const c of live) countersOf(c.exporter).queueDrops += c.count;
        return done([seq]);
      }
      if (live.length === 0 && queue.length === 0 && !running) return done([seq]);
      // Every entry but the last is marked as inside a group, so take() never stops in it.
      const entries = live.length === 0 ? [emptyChunk("", 0)] : live;
      entries.forEach((chunk, i) => {
        const last = i === entries.length - 1;
        if (!last) chunk.group = true;
        queue.push(last ? { chunk, end: seq } : { chunk });
        queuedRecords += chunk.count;
      });
      if (queuedRecords >= opts.batchSize) pump();
      else timer ??= timers.setTimeout(onTimer, opts.flushIntervalMs);
    },
    queued: () => queuedRecords,
    async flush() {
      if (running) await running;
      forced = true;
      await pump();
    },
    async stop() {
      stopping = true;
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
      if (running) await running;
      await pump();
      stopped = true;
    },
    counters() {
      const out: Record<string, BatcherCounters> = {};
      for (const [k, v] of byExporter) out[k] = { ...v };
      return out;
    },
    stats: () => ({ ...stats }),
  };
}

function halves(chunks: FlowChunk[], records: number): [FlowChunk[], FlowChunk[]] {
  const half = Math.floor(records / 2);
  const left: FlowChunk[] = [];
  const right: FlowChunk[] = [];
  let n = 0;
  for (const c of chunks) {
    if (n >= half) right.push(c);
    else if (n + c.count <= half) left.push(c);
    else {
      left.push(sliceChunk(c, 0, half - n));
      right.push(sliceChunk(c, half - n, c.count));
    }
    n += c.count;
  }
  return [left, right];
}
