// SQL of the collector: batched unnest inserts of flows with their roll-ups and exporters in one
// transaction, retention, template state and the exporters' counter snapshots.
import type { Db, Queryable } from "@/services/store/mod.ts";
import type { FlowChunk } from "./flow_chunk.ts";
import { rollUp } from "./rollup.ts";

type NumberColumn = Float64Array | Uint16Array | Uint8Array;

/** Postgres array literal of numbers (they never need quoting; typed-array join is native). */
function numbers(chunks: readonly FlowChunk[], pick: (c: FlowChunk) => NumberColumn): string {
  return "{" + chunks.map((c) => {
    const a = pick(c);
    return (a.length === c.count ? a : a.subarray(0, c.count)).join(",");
  }).join(",") + "}";
}

/** Array literal of canonical address text ("" → NULL); address text never needs quoting. */
function addresses(chunks: readonly FlowChunk[], pick: (c: FlowChunk) => string[]): string {
  const parts: string[] = [];
  for (const c of chunks) {
    const a = pick(c);
    for (let i = 0; i < c.count; i++) parts.push(a[i] || "NULL");
  }
  return "{" + parts.join(",") + "}";
}

function repeated(chunks: readonly FlowChunk[], pick: (c: FlowChunk) => string): string {
  const parts: string[] = [];
  for (const c of chunks) {
    const v = pick(c);
    for (let i = 0; i < c.count; i++) parts.push(v);
  }
  return "{" + parts.join(",") + "}";
}

const INSERT_FLOWS = `insert into netflow_flow (exporter, version, source_id, src_addr, dst_addr,
    src_port, dst_port, protocol, bytes, packets, start_at, end_at, input_if, output_if,
    tcp_flags, sampling_interval)
  select e, v, s, sa, da, sp, dp, p, b, pk,
    timestamptz 'epoch' + st * interval '1 millisecond',
    timestamptz 'epoch' + en * interval '1 millisecond',
    ii, oi, tf, si
  from unnest($1::inet[], $2::smallint[], $3::bigint[], $4::inet[], $5::inet[], $6::integer[],
    $7::integer[], $8::smallint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[],
    $13::bigint[], $14::bigint[], $15::integer[], $16::float8[])
    as t(e, v, s, sa, da, sp, dp, p, b, pk, st, en, ii, oi, tf, si)`;

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

/**
 * Stores the chunks' flows in one transaction: one unnest insert of the raw rows, the
 * roll-ups added to, and the exporters' stored counts. All or nothing.
 */
export async function insertFlowBatch(
  db: Db,
  chunks: readonly FlowChunk[],
  opts: { nowMs: number; collector: string },
): Promise<number> {
  const total = chunks.reduce((n, c) => n + c.count, 0);
  if (total === 0) return 0;
  const live = chunks.filter((c) => c.count > 0);
  const flowParams = [
    repeated(live, (c) => c.exporter),
    numbers(live, (c) => c.version),
    numbers(live, (c) => c.sourceId),
    addresses(live, (c) => c.srcAddr),
    addresses(live, (c) => c.dstAddr),
    numbers(live, (c) => c.srcPort),
    numbers(live, (c) => c.dstPort),
    numbers(live, (c) => c.protocol),
    numbers(live, (c) => c.bytes),
    numbers(live, (c) => c.packets),
    numbers(live, (c) => c.startMs),
    numbers(live, (c) => c.endMs),
    numbers(live, (c) => c.inputIf),
    numbers(live, (c) => c.outputIf),
    numbers(live, (c) => c.tcpFlags),
    numbers(live, (c) => c.sampling),
  ];
  const { pairs, ports } = rollUp(live);
  const perExporter = new Map<string, number>();
  for (const c of live) perExporter.set(c.exporter, (perExporter.get(c.exporter) ?? 0) + c.count);
  const exporters = [...perExporter.keys()].sort();
  const list = (values: Array<string | number>) => "{" + values.join(",") + "}";

  await db.tx(async (tx) => {
    await tx.query(INSERT_FLOWS, flowParams);
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
  });
  return total;
}

export interface RetentionResult {
  flows: number;
  pairRollups: number;
  portRollups: number;
}

/**
 * Deletes flows that ended before `flowsBefore` (in slices, so a large backlog never holds one
 * huge transaction) and roll-up minutes before `rollupsBefore`.
 */
export async function deleteExpired(
  db: Db,
  opts: { flowsBefore: Date; rollupsBefore: Date; slice?: number; maxSlices?: number },
): Promise<RetentionResult> {
  const slice = opts.slice ?? 50_000;
  const maxSlices = opts.maxSlices ?? 100;
  let flows = 0;
  for (let i = 0; i < maxSlices; i++) {
    const rows = await db.query<{ n: number }>(
      `with gone as (
         delete from netflow_flow where id in (
           select id from netflow_flow where end_at < $1 order by end_at limit $2)
         returning 1)
       select count(*)::int as n from gone`,
      [opts.flowsBefore, slice],
    );
    flows += rows[0].n;
    if (rows[0].n < slice) break;
  }
  const count = async (table: string) =>
    (await db.query<{ n: number }>(
      `with gone as (delete from ${table} where minute < $1 returning 1)
       select count(*)::int as n from gone`,
      [opts.rollupsBefore],
    ))[0].n;
  return {
    flows,
    pairRollups: await count("netflow_pair_minute"),
    portRollups: await count("netflow_port_minute"),
  };
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
