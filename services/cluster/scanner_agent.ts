// A site's scanner: takes sweep jobs from its site's work queue, sweeps, spools the result and acks
// the job only once the result is published. While its NATS link is down and no job comes, it
// keeps sweeping the subnets it last heard of on their own interval. With the link up it sweeps
// only what the scheduler sends, so a subnet whose scanning was turned off is never probed.
import type { JetStreamClient, JsMsg } from "@nats-io/jetstream";
import { log } from "@/services/logger.ts";
import { parseMessage, type SweepJob, SweepJobSchema, type SweepResult } from "./job_messages.ts";
import type { ResultSpool, SpooledSweep } from "./result_spool.ts";
import { isPortMessage } from "./port_job_messages.ts";
import { JOB_ACK_WAIT_MS, jobStream, SCANNER_CONSUMER } from "./subjects.ts";

/** What one sweep of a job yields (the scanner fills in ids, times and order). */
export interface JobSweepOutcome {
  status: "succeeded" | "failed";
  method: string | null;
  targets: number;
  results: SweepResult["results"];
  errors: string[];
  notes: string[];
}

export interface ScannerAgentOptions {
  js: JetStreamClient;
  kv: Deno.Kv;
  spool: ResultSpool;
  site: string;
  instance: string;
  now(): number;
  sweepJob(job: SweepJob, signal: AbortSignal): Promise<JobSweepOutcome>;
  /** Sweep on our own once no job came for this many intervals (default 1.5)... */
  graceIntervals?: number;
  /** ...and only while this says the NATS link is down. */
  linkUp(): boolean;
  /** How often the own schedule is looked at (default 1 s). */
  offlineCheckMs?: number;
  /** Port jobs share the site's job stream; they are handed over here and run beside sweeps. */
  portJobs?: { handle(m: JsMsg): void };
}

export interface ScannerAgent {
  stop(): Promise<void>;
  /** Results swept so far by this process (job and offline), for logs and tests. */
  readonly swept: number;
}

export interface KnownJob {
  /** Older scanners kept the job itself here; it is now in parts (below). */
  job?: SweepJob;
  /** When this scanner last received a job for the subnet. */
  received_at: number;
  interval_s?: number;
  parts?: number;
}
const jobKey = (subnetId: number): Deno.KvKey => ["cluster_job", subnetId];
/** ["cluster_job_part", subnet, received_at, i]: the job's JSON in pieces. */
const PART = "cluster_job_part";
/**
 * A job carries the subnet's inventoried addresses: a /20 full of hosts is already past Deno KV's
 * 64 KiB per value, so the last job of a subnet is kept as JSON in pieces of this many characters.
 */
const PART_CHARS = 60_000;
const PARTS_PER_COMMIT = 10;

/** Keeps the last job of its subnet (for sweeping on our own while the link is down). */
export async function saveJob(kv: Deno.Kv, job: SweepJob, receivedAt: number): Promise<void> {
  const text = JSON.stringify(job);
  const parts = Math.max(1, Math.ceil(text.length / PART_CHARS));
  for (let i = 0; i < parts; i += PARTS_PER_COMMIT) {
    const op = kv.atomic();
    for (let j = i; j < Math.min(parts, i + PARTS_PER_COMMIT); j++) {
      op.set(
        [PART, job.subnet_id, receivedAt, j],
        text.slice(j * PART_CHARS, (j + 1) * PART_CHARS),
      );
    }
    await op.commit();
  }
  // The header goes last: a reader never finds a job whose pieces are not all there.
  await kv.set(
    jobKey(job.subnet_id),
    {
      received_at: receivedAt,
      interval_s: job.interval_s,
      parts,
    } satisfies KnownJob,
  );
  for await (const e of kv.list({ prefix: [PART, job.subnet_id] })) {
    if (e.key[2] !== receivedAt) await kv.delete(e.key);
  }
}

export async function loadJob(
  kv: Deno.Kv,
  subnetId: number,
  known: KnownJob,
): Promise<SweepJob | null> {
  if (known.job) return known.job;
  let text = "";
  for await (const e of kv.list<string>({ prefix: [PART, subnetId, known.received_at] })) {
    text += e.value;
  }
  try {
    return JSON.parse(text) as SweepJob;
  } catch {
    return null;
  }
}
const lastKey = (subnetId: number): Deno.KvKey => ["cluster_last", subnetId];

export function startScannerAgent(opts: ScannerAgentOptions): ScannerAgent {
  const stopper = new AbortController();
  const grace = opts.graceIntervals ?? 1.5;
  const sweeping = new Set<number>();
  let swept = 0;
  let chain: Promise<unknown> = Promise.resolve();
  /** Sweeps run one at a time, so results of one subnet are spooled in the order swept. */
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = chain.then(fn);
    chain = p.catch(() => {});
    return p;
  };

  const sweepAndSpool = (job: SweepJob, origin: "job" | "offline") => {
    // Marked at once, so the own schedule does not queue a subnet that waits for its turn.
    sweeping.add(job.subnet_id);
    return serial(async (): Promise<SpooledSweep | null> => {
      try {
        const startedAt = opts.now();
        await opts.kv.set(lastKey(job.subnet_id), { started_at: startedAt });
        const out = await opts.sweepJob(job, stopper.signal).catch((err): JobSweepOutcome => ({
          status: "failed",
          method: null,
          targets: 0,
          results: [],
          errors: [String((err as Error)?.message ?? err)],
          notes: [],
        }));
        if (stopper.signal.aborted) return null; // unfinished: the job is redelivered elsewhere
        const resultId = origin === "job"
          ? `${job.job_id}`
          : `${job.subnet_id}-offline-${opts.instance}-${startedAt}`;
        const msg = await opts.spool.add({
          result_id: resultId,
          job_id: origin === "job" ? job.job_id : resultId,
          site: opts.site,
          subnet_id: job.subnet_id,
          cidr: job.cidr,
          instance: opts.instance,
          origin,
          started_at: startedAt,
          finished_at: opts.now(),
          ...out,
        });
        swept++;
        log.info("sweep result spooled", {
          result_id: msg.result_id,
          seq: msg.seq,
          chunks: msg.chunks,
          origin,
          subnet: job.cidr,
          up: out.results.filter((r) => r.up).length,
        });
        opts.spool.flush().catch(() => {});
        return msg;
      } finally {
        sweeping.delete(job.subnet_id);
      }
    });
  };

  const handleJob = async (m: JsMsg) => {
    if (opts.portJobs && isPortMessage(m.data)) return opts.portJobs.handle(m);
    let job: SweepJob;
    try {
      job = parseMessage(SweepJobSchema, m.data, "sweep job");
    } catch (err) {
      log.warn("dropping a malformed sweep job", { error: String(err) });
      m.term();
      return;
    }
    const t = opts.now();
    await saveJob(opts.kv, job, t);
    const heartbeat = setInterval(() => m.working(), JOB_ACK_WAIT_MS / 3);
    try {
      let resultId = await opts.spool.doneJob(job.job_id);
      if (!resultId) {
        const intervalMs = job.interval_s * 1000;
        const last = (await opts.kv.get<{ started_at: number }>(lastKey(job.subnet_id))).value;
        // A job that waited a whole interval (link down) is stale: a newer one follows.
        if (t - job.issued_at > intervalMs) return m.ack();
        // Swept on our own schedule while no job came: that sweep stands for this interval.
        if (last && last.started_at >= job.issued_at - intervalMs / 2) return m.ack();
        const msg = await sweepAndSpool(job, "job");
        if (!msg) return; // stopping: not acked, so another scanner takes it
        resultId = msg.result_id;
      }
      // Ack only once the result is out; otherwise the job comes back and we wait again.
      if (await opts.spool.delivered(resultId, JOB_ACK_WAIT_MS)) m.ack();
    } finally {
      clearInterval(heartbeat);
    }
  };

  const consumeJobs = async () => {
    while (!stopper.signal.aborted) {
      try {
        const consumer = await opts.js.consumers.get(jobStream(opts.site), SCANNER_CONSUMER);
        while (!stopper.signal.aborted) {
          const m = await consumer.next({ expires: 5000 });
          // Not acked: the job comes again after its ack wait.
          if (m) {
            await handleJob(m).catch((err) =>
              log.warn("handling a sweep job failed", { error: String(err) })
            );
          }
        }
      } catch (err) {
        if (stopper.signal.aborted) break;
        log.debug("waiting for sweep jobs", { error: String(err) });
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  };

  const offlineTick = async () => {
    if (opts.linkUp()) return;
    const t = opts.now();
    for await (const e of opts.kv.list<KnownJob>({ prefix: ["cluster_job"] })) {
      const subnetId = e.key[1] as number;
      const { received_at } = e.value;
      const intervalMs = (e.value.interval_s ?? e.value.job?.interval_s ?? 60) * 1000;
      if (sweeping.has(subnetId) || t - received_at < intervalMs * grace) continue;
      const last = (await opts.kv.get<{ started_at: number }>(lastKey(subnetId))).value;
      if (last && t - last.started_at < intervalMs) continue;
      const job = await loadJob(opts.kv, subnetId, e.value);
      if (!job) continue;
      sweepAndSpool(job, "offline").catch((err) =>
        log.warn("offline sweep failed", { subnet: job.cidr, error: String(err) })
      );
    }
  };
  const offlineTimer = setInterval(
    () => offlineTick().catch(() => {}),
    opts.offlineCheckMs ?? 1000,
  );

  const consuming = consumeJobs();
  return {
    get swept() {
      return swept;
    },
    async stop() {
      clearInterval(offlineTimer);
      stopper.abort();
      await consuming.catch(() => {});
      await chain;
    },
  };
}
