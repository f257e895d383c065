// An edge collector's outbox on JetStream: each receive batch goes out as messages with stable ids
// (so a re-send is dropped by JetStream's dedupe window and by the ingest's SQL claim), in order,
// retried while the link is down. Batches beyond the collector's in-flight window wait in its disk
// spool meanwhile, bounded by NETFLOW_SPOOL_MAX_BYTES (refusals counted there).
import type { JetStreamClient } from "@nats-io/jetstream";
import { log } from "@/services/logger.ts";
import type { FlowOutbox, OutboxStats } from "@/services/netflow/mod.ts";
import { flowBatchMessages, flowCountersMessage } from "./flow_messages.ts";
import { flowSubject } from "./subjects.ts";

export function createFlowPublisher(o: {
  js: JetStreamClient;
  site: string;
  /** Pause between attempts while JetStream does not answer, and how long one attempt waits. */
  retryMs?: number;
  timeoutMs?: number;
  /** How long a stopping collector keeps trying (default 5 s). */
  graceMs?: number;
}): FlowOutbox {
  const subject = flowSubject(o.site);
  const retryMs = o.retryMs ?? 500;
  const timeout = o.timeoutMs ?? 5000;
  const stats: OutboxStats = {
    pending: 0,
    published_batches: 0,
    published_messages: 0,
    published_records: 0,
    failed_attempts: 0,
    given_up: 0,
  };
  let closed = false;
  let deadline = Infinity;
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

  /** Publishes one message until JetStream acknowledges it, or the outbox gives up at close. */
  const publishOne = async (id: string, body: string) => {
    for (let attempt = 1;; attempt++) {
      try {
        await o.js.publish(subject, body, { msgID: id, timeout });
        stats.published_messages++;
        return;
      } catch (err) {
        stats.failed_attempts++;
        stats.last_error = String((err as Error)?.message ?? err);
        if (attempt === 1) {
          log.debug("flow batch not published yet; retrying", { id, error: stats.last_error });
        }
        if (closed && Date.now() >= deadline) throw new Error(`not published before stop: ${id}`);
        await sleep(Math.max(0, Math.min(retryMs, deadline - Date.now())));
      }
    }
  };

  return {
    async send(batch) {
      const messages = flowBatchMessages(batch, o.site);
      if (messages.length === 0) return;
      if (closed && Date.now() >= deadline) {
        stats.given_up++;
        throw new Error("flow outbox closed");
      }
      stats.pending++;
      try {
        // The parts of one batch go out together; the next batch waits for all of them.
        await Promise.all(messages.map((m) => publishOne(m.id, m.body)));
      } catch (err) {
        stats.given_up++;
        throw err;
      } finally {
        stats.pending--;
      }
      stats.published_batches++;
      stats.published_records += batch.chunks.reduce((n, c) => n + c.count, 0);
      stats.last_published_at = new Date().toISOString();
    },
    async counters(collector, counters, t) {
      if (closed) return;
      try {
        await o.js.publish(subject, flowCountersMessage(o.site, collector, counters, t), {
          timeout,
        });
      } catch {
        // Best effort: the next snapshot (every few seconds) replaces this one.
      }
    },
    stats: () => ({ ...stats }),
    close() {
      // Retries go on until the deadline, then what is unsent rejects (see send).
      closed = true;
      deadline = Date.now() + (o.graceMs ?? 5000);
      return Promise.resolve();
    },
  };
}
