// The ingest role: reads sweep result chunks from JetStream (one durable consumer, one message in
// flight, so they apply in the order published) and writes each through the same path as a local
// sweep, in one transaction. A chunk already claimed (ingested_chunk, or its whole result in
// ingested_result) is acknowledged and skipped: redelivery and spool replay write nothing.
import type { JetStreamClient } from "@nats-io/jetstream";
import type { Db, Queryable, StateStore } from "@/services/store/mod.ts";
import { knownHostsAmong } from "@/services/ipam/mod.ts";
import { applyResults, insertRun, type SweepHostResult } from "@/services/sweeps/mod.ts";
import type { LiveHub } from "@/services/jobs/mod.ts";
import type { AlertSink } from "@/services/alerts/mod.ts";
import { parseMessage, type SweepResultMessage, SweepResultSchema } from "./job_messages.ts";
import { INGEST_CONSUMER, RESULT_STREAM } from "./subjects.ts";
import type { PortscanEnv } from "@/services/portscans/mod.ts";
import { isPortMessage, PortResultSchema } from "./port_job_messages.ts";
import { ingestPortResult } from "./port_ingest.ts";
import type { JsMsg } from "@nats-io/jetstream";
import { consumeDurable, settleMessage, type StreamConsumer } from "./stream_consumer.ts";

export interface IngestEnv {
  db: Db;
  kv: StateStore;
  live?: LiveHub | null;
  alerts?: AlertSink | null;
  /** Port results (beside sweep results on the stream) are stored through this scan wiring. */
  ports?: PortscanEnv;
}

class DuplicateResult extends Error {}

/**
 * Claims one chunk inside its transaction; throws DuplicateResult when it (or the whole result)
 * was ingested before, which rolls the transaction back.
 */
async function claimChunk(tx: Queryable, r: SweepResultMessage): Promise<void> {
  const rows = await tx.query(
    `insert into ingested_chunk (result_id, chunk, site, subnet_id)
     select $1, $2, $3, $4
     where not exists (select 1 from ingested_result where result_id = $1)
     on conflict (result_id, chunk) do nothing returning chunk`,
    [r.result_id, r.chunk, r.site, r.subnet_id],
  );
  if (rows.length === 0) throw new DuplicateResult(r.result_id);
}

interface Counts {
  up: number;
  down: number;
  hostsNew: number;
  flips: number;
}

/**
 * Stores the chunk's counts; with the last chunk, records the whole result (ingested_result and
 * its one run, with the sums of every chunk) and forgets its chunk rows.
 */
async function settleChunk(tx: Queryable, r: SweepResultMessage, c: Counts): Promise<void> {
  await tx.query(
    `update ingested_chunk set hosts_up = $3, hosts_down = $4, hosts_new = $5, flips = $6
     where result_id = $1 and chunk = $2`,
    [r.result_id, r.chunk, c.up, c.down, c.hostsNew, c.flips],
  );
  if (r.chunk !== r.chunks - 1) return;
  const claimed = await tx.query(
    `insert into ingested_result (result_id, site, subnet_id) values ($1, $2, $3)
     on conflict (result_id) do nothing returning result_id`,
    [r.result_id, r.site, r.subnet_id],
  );
  if (claimed.length === 0) throw new DuplicateResult(r.result_id);
  const [sum] = await tx.query<{ up: number; down: number; hosts_new: number; flips: number }>(
    `with gone as (delete from ingested_chunk where result_id = $1 returning *)
     select coalesce(sum(hosts_up), 0)::int as up, coalesce(sum(hosts_down), 0)::int as down,
            coalesce(sum(hosts_new), 0)::int as hosts_new, coalesce(sum(flips), 0)::int as flips
     from gone`,
    [r.result_id],
  );
  await insertRun(tx, {
    kind: "subnet",
    trigger: "schedule",
    subnetId: r.subnet_id,
    hostId: null,
    target: r.cidr,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    method: r.method,
    targets: r.targets,
    hostsUp: sum.up,
    hostsDown: sum.down,
    hostsNew: sum.hosts_new,
    flips: sum.flips,
    errors: r.errors,
    notes: [
      ...r.notes,
      `site ${r.site}, ${r.origin === "offline" ? "swept offline, " : ""}seq ${r.seq}` +
      (r.chunks > 1 ? ` (${r.chunks} chunks)` : ""),
    ],
    status: r.status,
    instance: r.instance,
    taskId: null,
  });
}

/**
 * Applies one chunk once, in one transaction: its hosts, history, counts and (last chunk) the run;
 * "duplicate" when it was ingested before. A format-1 message is a result of one chunk.
 */
export async function ingestResult(
  env: IngestEnv,
  r: SweepResultMessage,
): Promise<"ingested" | "duplicate"> {
  const seen = await env.db.query(
    `select 1 from ingested_result where result_id = $1
     union all select 1 from ingested_chunk where result_id = $1 and chunk = $2`,
    [r.result_id, r.chunk],
  );
  if (seen.length > 0) return "duplicate";
  try {
    if (r.status === "succeeded" && r.results.length > 0) {
      const ips = r.results.map((x) => x.ip);
      const known = new Map((await knownHostsAmong(env.db, ips)).map((h) => [h.ip, h]));
      await applyResults(env, {
        results: r.results as SweepHostResult[],
        ts: r.finished_at,
        known,
        discover: true,
        // Unchanged states reach NATS KV at most every few minutes (the scaled-out hot path).
        coalesceUnchanged: true,
        claim: (tx) => claimChunk(tx, r),
        settle: (tx, o) =>
          settleChunk(tx, r, {
            up: o.up,
            down: o.down,
            hostsNew: o.discovered.length,
            flips: o.flips.length,
          }),
      });
    } else {
      await env.db.tx(async (tx) => {
        await claimChunk(tx, r);
        await settleChunk(tx, r, { up: 0, down: 0, hostsNew: 0, flips: 0 });
      });
    }
  } catch (err) {
    if (err instanceof DuplicateResult) return "duplicate";
    throw err;
  }
  return "ingested";
}

const byResultId = (r: { result_id: string }) => ({ result_id: r.result_id });

/** One port result: stored once (a duplicate is acked unchanged). */
function ingestPortMessage(env: IngestEnv, m: JsMsg): Promise<void> {
  return settleMessage(m, "port result", "dropping a port result", () => {
    if (!env.ports) throw new Error("this ingest stores no port scans");
    return parseMessage(PortResultSchema, m.data, "port result");
  }, async (r) => ({
    outcome: await ingestPortResult(env.ports!, r),
    site: r.site,
    hosts: r.hosts.length,
  }), byResultId);
}

/** One sweep result (or chunk of one): applied once, in order. */
function ingestSweepMessage(env: IngestEnv, m: JsMsg): Promise<void> {
  return settleMessage(
    m,
    "sweep result",
    "dropping a malformed sweep result",
    () => parseMessage(SweepResultSchema, m.data, "sweep result"),
    async (r) => ({
      outcome: await ingestResult(env, r),
      seq: r.seq,
      chunk: r.chunk,
      chunks: r.chunks,
      subnet: r.cidr,
    }),
    byResultId,
  );
}

export type Ingester = StreamConsumer;

/** Consumes results until stopped; a failing result is retried after a pause, never skipped. */
export function startIngest(js: JetStreamClient, env: IngestEnv): Ingester {
  return consumeDurable(
    js,
    RESULT_STREAM,
    INGEST_CONSUMER,
    "waiting for sweep results",
    (m) => isPortMessage(m.data) ? ingestPortMessage(env, m) : ingestSweepMessage(env, m),
  );
}
