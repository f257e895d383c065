// The one owner of NATS names: subjects, streams, consumers and KV buckets, and their set-up.
import {
  AckPolicy,
  DiscardPolicy,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
} from "@nats-io/jetstream";

/** Sweep jobs for one site; only that site's scanners subscribe. */
export const jobSubject = (site: string) => `pingfold.jobs.${site}`;
/** Sweep results of one site; the ingest role reads them all (`pingfold.results.>`). */
export const resultSubject = (site: string) => `pingfold.results.${site}`;
/** A work-queue stream per site: each job is taken by one scanner and gone once acked. */
export const jobStream = (site: string) => `PINGFOLD_JOBS_${site}`;
export const RESULT_STREAM = "PINGFOLD_RESULTS";
/** Decoded flow batches of one site's edge collectors; the ingest role reads them all. */
export const flowSubject = (site: string) => `pingfold.flows.${site}`;
export const FLOW_STREAM = "PINGFOLD_FLOWS";
/** The durable consumer every ingest process shares for flows (flows need no order). */
export const FLOW_INGEST_CONSUMER = "flow-ingest";
/** How long the results and flows streams keep a message (the ingest's flow claims as long). */
export const INGEST_MAX_AGE_MS = 7 * 24 * 3600 * 1000;
/** The durable consumer every scanner of a site shares (a work queue allows one). */
export const SCANNER_CONSUMER = "scanners";
export const INGEST_CONSUMER = "ingest";

const NS = 1_000_000;
/** How long the results stream remembers message ids: a spooled result may arrive much later. */
const DEDUPE_WINDOW_MS = 60 * 60_000;
/** A scanner must confirm its job is still in work this often (msg.working()) or lose it. */
export const JOB_ACK_WAIT_MS = 30_000;

async function ensureStream(
  jsm: JetStreamManager,
  config: Parameters<JetStreamManager["streams"]["add"]>[0] & { name: string },
) {
  try {
    await jsm.streams.info(config.name);
    await jsm.streams.update(config.name, config);
  } catch (err) {
    if (!/stream not found/i.test(String((err as Error).message))) throw err;
    try {
      await jsm.streams.add(config);
    } catch (e) {
      // Another process created it between our look and our add: fine.
      if (!/already in use|exists/i.test(String((e as Error).message))) throw e;
    }
  }
}

/** The work queue of `site`'s jobs and its scanners' shared consumer. */
export async function ensureJobStream(jsm: JetStreamManager, site: string, replicas: number) {
  await ensureStream(jsm, {
    name: jobStream(site),
    subjects: [jobSubject(site)],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    num_replicas: replicas,
    // A job nobody took within a day is stale: the scheduler has issued newer ones since.
    max_age: 24 * 3600 * 1000 * NS,
    discard: DiscardPolicy.Old,
    duplicate_window: 10 * 60_000 * NS,
  });
  await jsm.consumers.add(jobStream(site), {
    durable_name: SCANNER_CONSUMER,
    ack_policy: AckPolicy.Explicit,
    ack_wait: JOB_ACK_WAIT_MS * NS,
    max_ack_pending: 64,
  });
}

/**
 * A stream of every site's messages for the ingest role (limits, kept a week, message ids
 * remembered an hour) and its durable consumer with `inFlight` messages at most in work.
 */
async function ensureIngestStream(
  jsm: JetStreamManager,
  o: { name: string; subject: string; consumer: string; inFlight: number; replicas: number },
) {
  await ensureStream(jsm, {
    name: o.name,
    subjects: [o.subject],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    num_replicas: o.replicas,
    max_age: INGEST_MAX_AGE_MS * NS,
    duplicate_window: DEDUPE_WINDOW_MS * NS,
  });
  await jsm.consumers.add(o.name, {
    durable_name: o.consumer,
    ack_policy: AckPolicy.Explicit,
    ack_wait: 60_000 * NS,
    max_ack_pending: o.inFlight,
  });
}

/** The results stream (all sites) and the durable consumer of the ingest role. */
export function ensureResultStream(jsm: JetStreamManager, replicas: number) {
  return ensureIngestStream(jsm, {
    name: RESULT_STREAM,
    subject: resultSubject(">"),
    consumer: INGEST_CONSUMER,
    // One result in flight across every ingest process: results apply in the order published.
    inFlight: 1,
    replicas,
  });
}

/** The flows stream (all sites) and the ingest role's durable consumer of it. */
export function ensureFlowStream(jsm: JetStreamManager, replicas: number) {
  return ensureIngestStream(jsm, {
    name: FLOW_STREAM,
    subject: flowSubject(">"),
    consumer: FLOW_INGEST_CONSUMER,
    // Flow batches add up in any order: several may be in work across ingest processes.
    inFlight: 64,
    replicas,
  });
}
