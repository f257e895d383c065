// SQL of the collector: batched unnest inserts of flows with their roll-ups and exporters in one
// transaction, retention by day partitions, template state and the exporters' counter snapshots.
import {
  type Db,
  dropHistoryBefore,
  type HistoryTable,
  type Queryable,
} from "@/services/store/mod.ts";
import type { FlowChunk } from "./flow_chunk.ts";
// The raw flows go in with COPY (rows from flow_csv.ts), the roll-ups with unnest upserts; each
// insert also records the spool's stored sequence (netflow_spool_state).
import { FLOW_COLUMNS, flowsCsvParts } from "./flow_csv.ts";
import { rollUp } from "./rollup.ts";

const UPSERT_PAIRS =
  `insert into netflow_pair_minute (minute, src_addr, dst_addr, bytes, packets, flows)
  select timestamptz 'epoch' + m * interval '1 minute', s, d, b, p, f
  from unnest($1::bigint[], $2::inet[], $3::inet[], $4::bigint[], $5::bigint[], $6::bigint[])
    as t(m, s, d, b, p, f)
  on conflict (minute, src_addr, dst_addr) do update set
    bytes = netflow_pair_minute.bytes + excluded.bytes,
    packets = netflow_pair_minute.packets + excluded.packets,
    flows = netflow_pair_minute.flows + excluded.flows`;

const UPSERT_PORTS =
  `insert into netflow_port_minute (minute, protocol, port, bytes, packets, flows)
  select timestamptz 'epoch' + m * interval '1 minute', pr, po, b, p, f
  from unnest($1::bigint[], $2::smallint[], $3::integer[], $4::bigint[], $5::bigint[],
    $6::bigint[]) as t(m, pr, po, b, p, f)
  on conflict (minute, protocol, port) do update set
    bytes = netflow_port_minute.bytes + excluded.bytes,
    packets = netflow_port_minute.packets + excluded.packets,
    flows = netflow_port_minute.flows + excluded.flows`;

const UPSERT_EXPORTERS = `insert into netflow_exporter (addr, first_seen_at, last_seen_at,
    records_stored, collector)
  select a, $2::timestamptz, $2::timestamptz, n, $4 from unnest($1::inet[], $3::bigint[]) as t(a, n)
  on conflict (addr) do update set
    last_seen_at = greatest(netflow_exporter.last_seen_at, excluded.last_seen_at),
    records_stored = netflow_exporter.records_stored + excluded.records_stored,
    collector = excluded.collector`;

const SAVE_STORED_SEQ = `insert into netflow_spool_state (collector, stored_seq, updated_at)
  values ($1, $2, $3)
  on conflict (collector) do update set
    stored_seq = greatest(netflow_spool_state.stored_seq, excluded.stored_seq),
    updated_at = excluded.updated_at`;

/**
 * Stores the chunks' flows in one transaction: one COPY of the raw rows (PGlite's '/dev/blob',
 * PostgreSQL's STDIN; a partitioned netflow_flow takes it too), the roll-ups added to, the
 * exporters' stored counts and, when given, the receive batch sequence now stored in whole
 * (`storedSeq`: the spool's restart point). All or nothing. `claim` runs first in the same
 * transaction (the ingest role's once-only claim of a message; it throws to write nothing).
 */
export async function insertFlowBatch(
  db: Db,
  chunks: readonly FlowChunk[],
  opts: {
    nowMs: number;
    collector: string;
    storedSeq?: number;
    claim?: (tx: Queryable) => Promise<void>;
  },
): Promise<number> {
  const total = chunks.reduce((n, c) => n + c.count, 0);
  if (total === 0) return 0;
  const live = chunks.filter((c) => c.count > 0);
  const csv = flowsCsvParts(live);
  const { pairs, ports } = rollUp(live);
  const perExporter = new Map<string, number>();
  for (const c of live) perExporter.set(c.exporter, (perExporter.get(c.exporter) ?? 0) + c.count);
  const exporters = [...perExporter.keys()].sort();
  const list = (values: Array<string | number>) => "{" + values.join(",") + "}";

  await db.tx(async (tx) => {
    if (opts.claim) await opts.claim(tx);
    await tx.copyCsv("netflow_flow", FLOW_COLUMNS, csv);
    await tx.query(UPSERT_PAIRS, [
      list(pairs.map((r) => r.minute)),
      list(pairs.map((r) => r.src)),
      list(pairs.map((r) => r.dst)),
      list(pairs.map((r) => r.bytes)),
      list(pairs.map((r) => r.packets)),
      list(pairs.map((r) => r.flows)),
    ]);
    await tx.query(UPSERT_PORTS, [
      list(ports.map((r) => r.minute)),
      list(ports.map((r) => r.protocol)),
      list(ports.map((r) => r.port)),
      list(ports.map((r) => r.bytes)),
      list(ports.map((r) => r.packets)),
      list(ports.map((r) => r.flows)),
    ]);
    await tx.query(UPSERT_EXPORTERS, [
      list(exporters),
      new Date(opts.nowMs),
      list(exporters.map((e) => perExporter.get(e)!)),
      opts.collector,
    ]);
    if (opts.storedSeq !== undefined) {
      await tx.query(SAVE_STORED_SEQ, [opts.collector, opts.storedSeq, new Date(opts.nowMs)]);
    }
  });
  return total;
}

export interface RetentionResult {
  /** Day partitions dropped whole (flows and both roll-ups). */
  partitions: string[];
  /** Expired rows deleted from the default partitions (normally none). */
  defaultRows: number;
}

/**
 * Drops the days of flows that ended before `flowsBefore` and of roll-up minutes before
 * `rollupsBefore`: whole day partitions (UTC), so a flow lives until the whole day it ended in has
 * expired — up to a day longer than the setting, never shorter.
 */
export async function deleteExpired(
  db: Db,
  opts: { flowsBefore: Date; rollupsBefore: Date },
): Promise<RetentionResult> {
  const result: RetentionResult = { partitions: [], defaultRows: 0 };
  const plan: Array<[HistoryTable, Date]> = [
    ["netflow_flow", opts.flowsBefore],
    ["netflow_pair_minute", opts.rollupsBefore],
    ["netflow_port_minute", opts.rollupsBefore],
  ];
  for (const [table, before] of plan) {
    // One transaction per table keeps each exclusive lock short.
    const r = await db.tx((tx) => dropHistoryBefore(tx, table, before));
    result.partitions.push(...r.partitions);
    result.defaultRows += r.defaultRows;
  }
  return result;
}

/** Saves a collector's template snapshot (exportTemplates() output). */
export async function saveTemplateState(
  db: Queryable,
  collector: string,
  snapshot: unknown,
  nowMs: number,
): Promise<void> {
  await db.query(
    `insert into netflow_template_state (collector, snapshot, updated_at)
     values ($1, $2::jsonb, $3)
     on conflict (collector) do update set snapshot = excluded.snapshot,
       updated_at = excluded.updated_at`,
    [collector, JSON.stringify(snapshot), new Date(nowMs)],
  );
}

/** The last saved snapshot of a collector, or null. */
export async function loadTemplateState(db: Queryable, collector: string): Promise<unknown> {
  const rows = await db.query<{ snapshot: unknown }>(
    `select snapshot from netflow_template_state where collector = $1`,
    [collector],
  );
  if (rows.length === 0) return null;
  const s = rows[0].snapshot;
  return typeof s === "string" ? JSON.parse(s) : s;
}

/**
 * Saves the collector's counters of each exporter (only real addresses: the decoder's "*"
 * overflow entry stays in memory). Exporters seen for the first time get a row.
 */
export async function saveExporterCounters(
  db: Queryable,
  collector: string,
  counters: Record<string, unknown>,
  opts: { nowMs: number; sinceMs: number },
): Promise<void> {
  const addrs = Object.keys(counters).filter((a) => a !== "*").sort();
  if (addrs.length === 0) return;
  const now = new Date(opts.nowMs);
  await db.query(
    `insert into netflow_exporter (addr, first_seen_at, last_seen_at, collector, counters,
       counters_at, counters_since)
     select a, $3::timestamptz, $3::timestamptz, $4, c, $3::timestamptz, $5::timestamptz
     from unnest($1::inet[], $2::jsonb[]) as t(a, c)
     on conflict (addr) do update set counters = excluded.counters,
       counters_at = excluded.counters_at, counters_since = excluded.counters_since,
       collector = excluded.collector`,
    [addrs, addrs.map((a) => JSON.stringify(counters[a])), now, collector, new Date(opts.sinceMs)],
  );
}

export interface ExporterRow {
  addr: string;
  first_seen_at: Date;
  last_seen_at: Date;
  records_stored: number;
  collector: string | null;
  counters: Record<string, number> | null;
  counters_at: Date | null;
  counters_since: Date | null;
}

export async function listExporters(db: Queryable, limit = 1000): Promise<ExporterRow[]> {
  const rows = await db.query<ExporterRow>(
    `select host(addr) as addr, first_seen_at, last_seen_at, records_stored, collector, counters,
       counters_at, counters_since
     from netflow_exporter order by addr limit $1`,
    [limit],
  );
  return rows.map((r) => ({
    ...r,
    counters: typeof r.counters === "string" ? JSON.parse(r.counters) : r.counters,
  }));
}

/** The last receive batch sequence stored in whole by this collector (0: none yet). */
export async function loadStoredSeq(db: Queryable, collector: string): Promise<number> {
  const rows = await db.query<{ stored_seq: number }>(
    `select stored_seq from netflow_spool_state where collector = $1`,
    [collector],
  );
  return rows.length === 0 ? 0 : Number(rows[0].stored_seq);
}
