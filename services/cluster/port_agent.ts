// A site's scanner running port jobs: nmap on the hosts a job names (options checked again here,
// with this machine's own rights), then the runs' output published as a port result; the job is
// acked only once the result is stored in JetStream. Port jobs run beside sweeps, at most
// NMAP_MAX_CONCURRENT at once, so a long nmap run never holds a sweep back.
import type { JetStreamClient, JsMsg } from "@nats-io/jetstream";
import { log } from "@/services/logger.ts";
import type { CommandRunner, ProbeBudget } from "@/services/jobs/mod.ts";
import { errorText, portscan } from "@/services/portscans/mod.ts";
import { parseMessage } from "./job_messages.ts";
import {
  PORT_KIND,
  type PortJob,
  PortJobSchema,
  type PortResult,
  type RecordedRun,
  recordingRunner,
} from "./port_job_messages.ts";
import { JOB_ACK_WAIT_MS, resultSubject } from "./subjects.ts";

/** Room below NATS's 1 MB max_payload for one result; larger nmap output is reported, not sent. */
const MAX_RESULT_BYTES = 900 * 1024;

export interface PortAgent {
  /** Takes a port job off the sweep loop: runs it in the background and returns at once. */
  handle(m: JsMsg): void;
  /** Waits for the jobs in work (an aborted one is not acked, so it comes again). */
  stop(): Promise<void>;
}

export function createPortAgent(o: {
  js: JetStreamClient;
  site: string;
  instance: string;
  runner: CommandRunner;
  isRoot: boolean;
  slots: ProbeBudget;
  now(): number;
}): PortAgent {
  const stopper = new AbortController();
  const running = new Set<Promise<void>>();

  const scan = async (job: PortJob): Promise<PortResult> => {
    const runs: RecordedRun[] = [];
    const startedAt = o.now();
    let error: string | null = null;
    const slot = await o.slots.acquire(1, stopper.signal);
    try {
      await portscan(job.hosts.map((h) => h.ip), {
        runner: recordingRunner(o.runner, runs),
        args: job.args,
        timeoutMs: job.timeout_ms,
        // One job is one batch: ingest replays it with the same size.
        batchSize: job.hosts.length,
        isRoot: o.isRoot,
        signal: stopper.signal,
      });
    } catch (err) {
      error = errorText(err); // refused options or targets, nmap missing: ingest records why
    } finally {
      slot.release();
    }
    const result: PortResult = {
      kind: PORT_KIND,
      result_id: job.job_id,
      site: o.site,
      instance: o.instance,
      hosts: job.hosts,
      args: job.args,
      started_at: startedAt,
      finished_at: o.now(),
      runs,
      error,
    };
    if (new TextEncoder().encode(JSON.stringify(result)).length > MAX_RESULT_BYTES) {
      return {
        ...result,
        runs: [],
        error: `nmap's output on ${job.hosts.length} hosts is over ${MAX_RESULT_BYTES} bytes, ` +
          "too large for one NATS message; scan fewer ports or without -sV",
      };
    }
    return result;
  };

  const run = async (m: JsMsg) => {
    let job: PortJob;
    try {
      job = parseMessage(PortJobSchema, m.data, "port job");
    } catch (err) {
      log.warn("dropping a malformed port job", { error: String(err) });
      m.term();
      return;
    }
    const heartbeat = setInterval(() => m.working(), JOB_ACK_WAIT_MS / 3);
    try {
      const result = await scan(job);
      if (stopper.signal.aborted) return; // unfinished: redelivered to another scanner
      await o.js.publish(resultSubject(o.site), JSON.stringify(result), {
        msgID: result.result_id,
      });
      log.info("port result published", {
        result_id: result.result_id,
        hosts: job.hosts.length,
        runs: result.runs.length,
        error: result.error,
      });
      m.ack();
    } catch (err) {
      // Not published (link down): the job comes again after its ack wait.
      log.warn("port job not delivered; it will come again", {
        job_id: job.job_id,
        error: String(err),
      });
    } finally {
      clearInterval(heartbeat);
    }
  };

  return {
    handle(m) {
      const p = run(m).catch((err) => log.warn("port job failed", { error: String(err) }));
      running.add(p);
      p.finally(() => running.delete(p));
    },
    async stop() {
      stopper.abort();
      await Promise.all([...running]);
    },
  };
}
