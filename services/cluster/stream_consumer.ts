// What every ingest of a JetStream stream does (sweep and port results, flow batches): one loop
// over a durable consumer that survives lost links, and one way to settle a message: unreadable
// → term (it would fail the same way forever), stored → ack, failed → nak after a pause (retried,
// never skipped). The once-only writes themselves are claims in SQL, made by each ingest.
import type { JetStreamClient, JsMsg } from "@nats-io/jetstream";
import { log } from "@/services/logger.ts";

/** Reads `read()`, stores it, and acks, terms or naks `m` as above. */
export async function settleMessage<T>(
  m: JsMsg,
  what: string,
  dropText: string,
  read: () => T,
  store: (r: T) => Promise<Record<string, unknown>>,
  idOf: (r: T) => Record<string, unknown>,
  /** Frequent messages (flow batches) log their success at debug level only. */
  quiet = false,
): Promise<void> {
  let r: T;
  try {
    r = read();
  } catch (err) {
    log.warn(dropText, { error: String(err) });
    m.term();
    return;
  }
  try {
    const info = await store(r);
    log[quiet ? "debug" : "info"](`${what} ingested`, { ...idOf(r), ...info });
    m.ack();
  } catch (err) {
    log.warn(`ingesting a ${what} failed; retrying`, { ...idOf(r), error: String(err) });
    m.nak(2000);
  }
}

export interface StreamConsumer {
  stop(): Promise<void>;
}

/**
 * Handles messages of `stream`'s durable `consumer` one after another until stopped; a lost link
 * or a missing consumer is waited out (`waiting` logged at debug level).
 */
export function consumeDurable(
  js: JetStreamClient,
  stream: string,
  consumer: string,
  waiting: string,
  handle: (m: JsMsg) => Promise<void>,
): StreamConsumer {
  const stopper = new AbortController();
  const loop = (async () => {
    while (!stopper.signal.aborted) {
      try {
        const c = await js.consumers.get(stream, consumer);
        while (!stopper.signal.aborted) {
          // Short pulls: a stop waits for the one in progress.
          const m = await c.next({ expires: 1000 });
          if (m) await handle(m);
        }
      } catch (err) {
        if (stopper.signal.aborted) break;
        log.debug(waiting, { error: String(err) });
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  })();
  return {
    async stop() {
      stopper.abort();
      await loop;
    },
  };
}
