// Bounded queue between the decoder and SQL: inserts as soon as NETFLOW_INSERT_BATCH records
// wait (or NETFLOW_FLUSH_INTERVAL_MS after the oldest arrived), drops and counts whole chunks
// when NETFLOW_QUEUE_MAX records are already waiting, retries transient database errors and
// isolates rows the database refuses, and flushes everything on stop.
import { type FlowChunk, sliceChunk } from "./flow_chunk.ts";

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
  /** Stores the chunks in one transaction; throws when nothing was stored. */
  insert(chunks: FlowChunk[]): Promise<void>;
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
  const queue: FlowChunk[] = [];
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

  /** Up to `maxTake` records from the head of the queue, splitting a chunk when needed. */
  const take = (): FlowChunk[] => {
    const out: FlowChunk[] = [];
    let n = 0;
    while (queue.length > 0 && n < maxTake) {
      const head = queue[0];
      const room = maxTake - n;
      if (head.count <= room) {
        out.push(queue.shift()!);
        n += head.count;
      } else {
        out.push(sliceChunk(head, 0, room));
        queue[0] = sliceChunk(head, room, head.count);
        n += room;
      }
    }
    queuedRecords -= n;
    return out;
  };

  const credit = (chunks: FlowChunk[], field: keyof BatcherCounters) => {
    for (const c of chunks) countersOf(c.exporter)[field] += c.count;
  };

  const sleep = (ms: number) => new Promise<void>((r) => timers.setTimeout(r, ms));

  /** Inserts `chunks`; on refused rows splits the batch in halves until the bad ones are alone. */
  const store = async (chunks: FlowChunk[]): Promise<void> => {
    const records = chunks.reduce((n, c) => n + c.count, 0);
    for (let attempt = 1;; attempt++) {
      try {
        const started = performance.now();
        await opts.insert(chunks);
        stats.inserts++;
        stats.lastInsertMs = performance.now() - started;
        credit(chunks, "inserted");
        return;
      } catch (err) {
        if (retryable(err)) {
          const retrying = !(stopping && attempt >= stopAttempts);
          opts.onError?.(err, { records, retrying });
          if (!retrying) {
            credit(chunks, "insertFailed");
            return;
          }
          stats.retries++;
          await sleep(retryDelay);
          continue;
        }
        opts.onError?.(err, { records, retrying: records > 1 });
        if (records <= 1) {
          credit(chunks, "insertFailed");
          return;
        }
        const [left, right] = halves(chunks, records);
        await store(left);
        await store(right);
        return;
      }
    }
  };

  const drain = async (): Promise<void> => {
    while (queue.length > 0 && (forced || stopping || queuedRecords >= opts.batchSize)) {
      await store(take());
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
      queue.push(chunk);
      queuedRecords += chunk.count;
      if (queuedRecords >= opts.batchSize) pump();
      else timer ??= timers.setTimeout(onTimer, opts.flushIntervalMs);
      return true;
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
