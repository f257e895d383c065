// A scanner's outbox in its own Deno KV: every sweep is cut into chunks and written here first,
// then published in spool order and each chunk deleted only once JetStream acknowledged it. A lost
// link just leaves chunks waiting; the chunk's message id makes a re-publish harmless.
import type { JetStreamClient } from "@nats-io/jetstream";
import { log } from "@/services/logger.ts";
import {
  chunkMsgId,
  chunkResult,
  type SweepResult,
  type SweepResultMessage,
} from "./job_messages.ts";
import { resultSubject } from "./subjects.ts";

const SPOOL = "cluster_spool";
const SEQ_KEY: Deno.KvKey = ["cluster_spool_seq"];
const DONE = "cluster_job_done";
/** ["cluster_spool_sealed", first seq]: every chunk of the sweep starting there is written. */
const SEALED = "cluster_spool_sealed";
/**
 * Chunks per Deno KV commit: a commit takes at most 800 KiB and 1,000 mutations, and a chunk is at
 * most 60 KiB. A sweep of more chunks is written in several commits and sealed by the last one.
 */
const CHUNKS_PER_COMMIT = 10;

/** What the spool keeps per chunk: the body exactly as it is published, and what orders it. */
interface SpooledChunk {
  result_id: string;
  seq: number;
  chunk: number;
  chunks: number;
  site: string;
  /** Absent in entries an older version spooled (a whole format-1 message). */
  body?: string;
}

export interface SpooledSweep {
  result_id: string;
  /** The sequence number of its first chunk; its chunks follow without a gap. */
  seq: number;
  chunks: number;
}

export interface ResultSpool {
  /**
   * Cuts a sweep into chunks and stores them under consecutive sequence numbers (its job, if any,
   * marked done once every chunk is written). Only a sealed sweep is ever published.
   */
  add(result: SweepResult): Promise<SpooledSweep>;
  /** The result id a job produced, if this scanner already swept it. */
  doneJob(jobId: string): Promise<string | null>;
  /** Resolves true once every chunk of `resultId` is published, false after `timeoutMs`. */
  delivered(resultId: string, timeoutMs: number): Promise<boolean>;
  /** Chunks waiting to be published. */
  pending(): Promise<number>;
  /** Publishes what waits, in order; stops at the first failure (retried on the next flush). */
  flush(): Promise<number>;
  /** Retries flushing every `everyMs` until stopped. */
  start(everyMs: number): void;
  stop(): Promise<void>;
}

export function createResultSpool(kv: Deno.Kv, js: JetStreamClient): ResultSpool {
  const waiters = new Map<string, Array<(ok: boolean) => void>>();
  let flushing: Promise<number> | null = null;
  let timer: ReturnType<typeof setInterval> | undefined;
  /** First seqs of sweeps this process is writing right now (not sealed yet). */
  const writing = new Set<number>();
  const sealed = new Set<number>();

  const isPending = async (resultId: string) => {
    for await (const e of kv.list<SpooledChunk>({ prefix: [SPOOL] })) {
      if (e.value.result_id === resultId) return true;
    }
    return false;
  };

  /** true: publish it; false: wait (being written); null: a dead writer's leftover. */
  const isSealed = async (first: number): Promise<boolean | null> => {
    if (sealed.has(first)) return true;
    if ((await kv.get([SEALED, first])).value !== null) {
      sealed.add(first);
      return true;
    }
    return writing.has(first) ? false : null;
  };

  const publish = async (subject: string, body: string, msgID: string) => {
    try {
      await js.publish(subject, body, { msgID, timeout: 5000 });
      return true;
    } catch (err) {
      log.debug("result not published yet; kept in the spool", { error: String(err) });
      return false;
    }
  };
  const notify = (resultId: string) => {
    for (const w of waiters.get(resultId) ?? []) w(true);
    waiters.delete(resultId);
  };

  const doFlush = async (): Promise<number> => {
    let sent = 0;
    for await (const e of kv.list<SpooledChunk>({ prefix: [SPOOL] })) {
      const c = e.value;
      if (c.body === undefined) {
        // Spooled by an older version (format 1, one message per sweep) before an upgrade.
        if (!await publish(resultSubject(c.site), JSON.stringify(c), c.result_id)) break;
        await kv.delete(e.key);
        sent++;
        notify(c.result_id);
        continue;
      }
      const first = c.seq - c.chunk;
      const ok = await isSealed(first);
      if (ok === false) break; // the rest of this sweep is still being written: keep the order
      if (ok === null) {
        // Written by a process that died before sealing: its job was never acked (the job comes
        // again) and none of its chunks went out, so dropping them loses nothing.
        log.warn("dropping an unsealed spooled sweep", { result_id: c.result_id, seq: c.seq });
        await kv.delete(e.key);
        continue;
      }
      if (!await publish(resultSubject(c.site), c.body, chunkMsgId(c.result_id, c.chunk))) break;
      const last = c.chunk === c.chunks - 1;
      const op = kv.atomic().delete(e.key);
      if (last) op.delete([SEALED, first]);
      await op.commit();
      sent++;
      if (!last) continue;
      sealed.delete(first);
      notify(c.result_id);
    }
    return sent;
  };

  const spool: ResultSpool = {
    async add(result) {
      const parts = chunkResult(result);
      let first = -1;
      for (let attempt = 0; attempt < 100 && first < 0; attempt++) {
        const seqEntry = await kv.get<number>(SEQ_KEY);
        const seq = seqEntry.value ?? 0;
        const op = kv.atomic().check(seqEntry).set(SEQ_KEY, seq + parts.length);
        // No chunk of the range exists before this commit; flush waits while `writing` holds it.
        if ((await op.commit()).ok) {
          first = seq;
          writing.add(seq);
        }
      }
      if (first < 0) throw new Error("result spool: could not take a sequence number");
      try {
        for (let i = 0; i < parts.length; i += CHUNKS_PER_COMMIT) {
          const op = kv.atomic();
          for (const [j, part] of parts.slice(i, i + CHUNKS_PER_COMMIT).entries()) {
            const seq = first + i + j;
            const msg: SweepResultMessage = { ...part, seq };
            op.set(
              [SPOOL, seq],
              {
                result_id: part.result_id,
                seq,
                chunk: part.chunk,
                chunks: part.chunks,
                site: part.site,
                body: JSON.stringify(msg),
              } satisfies SpooledChunk,
            );
          }
          if (i + CHUNKS_PER_COMMIT >= parts.length) {
            op.set([SEALED, first], parts.length);
            // Done markers outlive the job's redeliveries; a week is plenty.
            if (result.origin === "job") {
              op.set([DONE, result.job_id], result.result_id, { expireIn: 7 * 86_400_000 });
            }
          }
          if (!(await op.commit()).ok) throw new Error("result spool: a chunk commit failed");
        }
      } finally {
        writing.delete(first);
      }
      return { result_id: result.result_id, seq: first, chunks: parts.length };
    },
    async doneJob(jobId) {
      return (await kv.get<string>([DONE, jobId])).value;
    },
    async delivered(resultId, timeoutMs) {
      if (!await isPending(resultId)) return true;
      return await new Promise<boolean>((resolve) => {
        const t = setTimeout(() => resolve(false), timeoutMs);
        const list = waiters.get(resultId) ?? [];
        list.push((ok) => {
          clearTimeout(t);
          resolve(ok);
        });
        waiters.set(resultId, list);
        // It may have gone out between the look above and the wait: look again after a flush.
        spool.flush().then(() => isPending(resultId)).then((still) => {
          if (still) return;
          for (const w of waiters.get(resultId) ?? []) w(true);
          waiters.delete(resultId);
        }).catch(() => {});
      });
    },
    async pending() {
      let n = 0;
      for await (const _ of kv.list({ prefix: [SPOOL] })) n++;
      return n;
    },
    flush() {
      flushing ??= doFlush().finally(() => (flushing = null));
      return flushing;
    },
    start(everyMs) {
      timer = setInterval(() => spool.flush().catch(() => {}), everyMs);
    },
    async stop() {
      clearInterval(timer);
      await flushing?.catch(() => {});
      for (const list of waiters.values()) for (const w of list) w(false);
      waiters.clear();
    },
  };
  return spool;
}
