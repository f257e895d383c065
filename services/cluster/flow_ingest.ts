// The ingest role's part of NetFlow: reads edge collectors' flow batches from JetStream and stores
// each through the collector's own insert (flows, roll-ups, exporters in one transaction), claimed
// once in ingested_flow_batch inside that transaction: a redelivered or re-sent batch writes
// nothing. Exporter counter snapshots are saved as a local collector saves them. Without a local
// collector it also runs flow retention and prunes old claims.
import type { JetStreamClient, JsMsg } from "@nats-io/jetstream";
import { log } from "@/services/logger.ts";
import type { Db } from "@/services/store/mod.ts";
import {
  chunkFromColumns,
  deleteExpired,
  insertFlowBatch,
  saveExporterCounters,
} from "@/services/netflow/mod.ts";
import { parseMessage } from "./job_messages.ts";
import { type FlowBatchMessage, FlowMessageSchema } from "./flow_messages.ts";
import { FLOW_INGEST_CONSUMER, FLOW_STREAM, INGEST_MAX_AGE_MS } from "./subjects.ts";
import { consumeDurable, settleMessage, type StreamConsumer } from "./stream_consumer.ts";

class DuplicateBatch extends Error {}

/** Stores one flow batch message once; "duplicate" when its id was claimed before. */
export async function ingestFlowBatch(
  db: Db,
  m: FlowBatchMessage,
  nowMs: number,
): Promise<"ingested" | "duplicate"> {
  const chunks = m.chunks.map(chunkFromColumns);
  const records = chunks.reduce((n, c) => n + c.count, 0);
  try {
    await insertFlowBatch(db, chunks, {
      nowMs,
      collector: m.collector,
      claim: async (tx) => {
        const rows = await tx.query(
          `insert into ingested_flow_batch (msg_id, site, collector, records)
           values ($1, $2, $3, $4) on conflict (msg_id) do nothing returning msg_id`,
          [m.id, m.site, m.collector, records],
        );
        if (rows.length === 0) throw new DuplicateBatch(m.id);
      },
    });
    return "ingested";
  } catch (err) {
    if (err instanceof DuplicateBatch) return "duplicate";
    throw err;
  }
}

export interface FlowIngestEnv {
  db: Db;
  now: () => number;
  /** Retention (NETFLOW_RETENTION_DAYS…) when no local collector runs it; null: none here. */
  retention: { flowsDays: number; rollupsDays: number; everyMs?: number } | null;
}

const DAY_MS = 86_400_000;

function handle(env: FlowIngestEnv, m: JsMsg): Promise<void> {
  return settleMessage(
    m,
    "flow message",
    "dropping a malformed flow message",
    () => parseMessage(FlowMessageSchema, m.data, "flow message"),
    async (r) => {
      if (r.kind === "counters") {
        await saveExporterCounters(env.db, r.collector, r.counters, {
          nowMs: r.now_ms,
          sinceMs: r.since_ms,
        });
        return { exporters: Object.keys(r.counters).length };
      }
      return {
        outcome: await ingestFlowBatch(env.db, r as FlowBatchMessage, env.now()),
        seq: r.seq,
        part: r.part,
      };
    },
    (r) => ({
      kind: r.kind,
      site: r.site,
      collector: r.collector,
      ...("id" in r ? { id: r.id } : {}),
    }),
    true,
  );
}

/** Drops expired flow days and claims older than any message the stream still holds. */
async function runRetention(env: FlowIngestEnv): Promise<void> {
  const r = env.retention!;
  const now = env.now();
  const res = await deleteExpired(env.db, {
    flowsBefore: new Date(now - r.flowsDays * DAY_MS),
    rollupsBefore: new Date(now - r.rollupsDays * DAY_MS),
  });
  if (res.partitions.length > 0 || res.defaultRows > 0) log.info("NetFlow retention", { ...res });
  await env.db.query(`delete from ingested_flow_batch where ingested_at < $1`, [
    new Date(now - INGEST_MAX_AGE_MS - DAY_MS),
  ]);
}

/** Consumes flow messages until stopped (several ingest processes share the consumer). */
export function startFlowIngest(js: JetStreamClient, env: FlowIngestEnv): StreamConsumer {
  const consumer = consumeDurable(
    js,
    FLOW_STREAM,
    FLOW_INGEST_CONSUMER,
    "waiting for flow batches",
    (m) => handle(env, m),
  );
  if (!env.retention) return consumer;
  let running: Promise<void> | null = null;
  const tick = () => {
    running ??= runRetention(env)
      .catch((err) => log.warn("NetFlow retention failed", { error: String(err) }))
      .finally(() => (running = null));
  };
  const every = env.retention.everyMs ?? 3_600_000;
  const first = setTimeout(tick, Math.min(every, 30_000));
  const timer = setInterval(tick, every);
  return {
    async stop() {
      clearTimeout(first);
      clearInterval(timer);
      await consumer.stop();
      await running;
    },
  };
}
