import assert from "node:assert/strict";
import { dbTest } from "@/tests/support/test_db.ts";
import { FlowChunkBuilder } from "./flow_chunk.ts";
import type { FlowRecord } from "./flow_record.ts";
import {
  deleteExpired,
  insertFlowBatch,
  listExporters,
  loadStoredSeq,
  loadTemplateState,
  saveExporterCounters,
  saveTemplateState,
} from "./flow_repo.ts";
import { MINUTE_MS } from "./rollup.ts";
import { ensureHistoryPartitions } from "@/services/store/mod.ts";

const T = 28_333_333 * MINUTE_MS;

function flow(p: Partial<FlowRecord>): FlowRecord {
  return {
    exporter: "198.51.100.1",
    version: 9,
    sourceId: 3,
    srcAddr: "198.51.100.10",
    dstAddr: "2001:db8::1",
    srcPort: 50000,
    dstPort: 443,
    protocol: 6,
    bytes: 1000,
    packets: 4,
    startMs: T + 123,
    endMs: T + 2_456,
    inputIf: 4_000_000_000,
    outputIf: 2,
    tcpFlags: 0x1b,
    samplingInterval: 1,
    ...p,
  };
}

function chunk(exporter: string, records: FlowRecord[]) {
  const b = new FlowChunkBuilder(exporter, records.length);
  for (const r of records) b.push({ ...r, exporter }, T);
  return b.take();
}

dbTest("insertFlowBatch stores raw rows exactly, with roll-ups and exporters", async (db) => {
  const a = chunk("198.51.100.1", [
    flow({}),
    flow({ srcAddr: "", bytes: 10, packets: 1, samplingInterval: 100 }),
  ]);
  const b = chunk("::ffff:c633:6402", [flow({ protocol: 17, srcPort: 53, dstPort: 40000 })]);
  const n = await insertFlowBatch(db, [a, b], { nowMs: T + 5000, collector: "test" });
  assert.equal(n, 3);
  const rows = await db.query<Record<string, unknown>>(
    `select host(exporter) as exporter, version, source_id, host(src_addr) as src_addr,
       host(dst_addr) as dst_addr, src_port, dst_port, protocol, bytes, packets, start_at, end_at,
       input_if, output_if, tcp_flags, sampling_interval
     from netflow_flow order by id`,
  );
  assert.deepEqual(rows[0], {
    exporter: "198.51.100.1",
    version: 9,
    source_id: 3,
    src_addr: "198.51.100.10",
    dst_addr: "2001:db8::1",
    src_port: 50000,
    dst_port: 443,
    protocol: 6,
    bytes: 1000,
    packets: 4,
    start_at: new Date(T + 123),
    end_at: new Date(T + 2456),
    input_if: 4_000_000_000,
    output_if: 2,
    tcp_flags: 0x1b,
    sampling_interval: 1,
  });
  assert.equal(rows[1].src_addr, null);
  assert.equal(rows[1].sampling_interval, 100);
  assert.equal(rows[2].exporter, "::ffff:198.51.100.2");

  // Roll-ups: sampling applied; a second batch adds to the same minute rows.
  await insertFlowBatch(db, [chunk("198.51.100.1", [flow({ bytes: 1, packets: 1 })])], {
    nowMs: T + 9000,
    collector: "test",
  });
  const pairs = await db.query(
    `select minute, host(src_addr) as src, host(dst_addr) as dst, bytes, packets, flows
     from netflow_pair_minute order by src`,
  );
  assert.deepEqual(pairs, [
    {
      minute: new Date(T),
      src: "0.0.0.0",
      dst: "2001:db8::1",
      bytes: 1000,
      packets: 100,
      flows: 1,
    },
    {
      minute: new Date(T),
      src: "198.51.100.10",
      dst: "2001:db8::1",
      bytes: 2001,
      packets: 9,
      flows: 3,
    },
  ]);
  const ports = await db.query(
    `select protocol, port, bytes, flows from netflow_port_minute order by protocol`,
  );
  assert.deepEqual(ports, [
    { protocol: 6, port: 443, bytes: 2001, flows: 3 },
    { protocol: 17, port: 53, bytes: 1000, flows: 1 },
  ]);
  const exporters = await listExporters(db);
  assert.deepEqual(exporters.map((e) => [e.addr, e.records_stored]), [
    ["198.51.100.1", 3],
    ["::ffff:198.51.100.2", 1],
  ]);
  assert.deepEqual(exporters[0].first_seen_at, new Date(T + 5000));
  assert.deepEqual(exporters[0].last_seen_at, new Date(T + 9000));
});

dbTest("an empty batch writes nothing", async (db) => {
  assert.equal(await insertFlowBatch(db, [], { nowMs: T, collector: "x" }), 0);
  assert.equal(
    await insertFlowBatch(db, [chunk("198.51.100.1", [])], { nowMs: T, collector: "x" }),
    0,
  );
  assert.deepEqual(await db.query(`select count(*)::int as n from netflow_exporter`), [{ n: 0 }]);
});

dbTest("deleteExpired drops whole expired days of flows and roll-ups", async (db) => {
  const DAY = 1440 * MINUTE_MS;
  const D = Math.floor(T / DAY) * DAY;
  // Day partitions from D-3 on; a flow 20 days back has none and waits in the default partition.
  await ensureHistoryPartitions(db, D - 3 * DAY);
  const at = (endMs: number) => flow({ startMs: endMs - 1000, endMs });
  await insertFlowBatch(db, [chunk("198.51.100.1", [
    at(D - 20 * DAY),
    at(D - 3 * DAY + 5),
    at(D - 2 * DAY + 5),
    at(D - DAY + 3_600_000),
    at(D + 1),
  ])], { nowMs: D, collector: "x" });
  const where = async (table: string) =>
    (await db.query<{ p: string }>(
      `select tableoid::regclass::text as p from ${table} order by 1`,
    )).map((r) => r.p.replace(/^.*\./, ""));
  assert.deepEqual(await where("netflow_flow"), [
    "netflow_flow_default",
    `netflow_flow_p${day(D - 3 * DAY)}`,
    `netflow_flow_p${day(D - 2 * DAY)}`,
    `netflow_flow_p${day(D - DAY)}`,
    `netflow_flow_p${day(D)}`,
  ]);

  // Hours into day D-1: that day is not over, so it stays whole (a day late, never early).
  const cut = new Date(D - DAY + 5 * 3_600_000);
  const result = await deleteExpired(db, { flowsBefore: cut, rollupsBefore: cut });
  assert.deepEqual(result.partitions.toSorted(), [
    `netflow_flow_p${day(D - 3 * DAY)}`,
    `netflow_flow_p${day(D - 2 * DAY)}`,
    `netflow_pair_minute_p${day(D - 3 * DAY)}`,
    `netflow_pair_minute_p${day(D - 2 * DAY)}`,
    `netflow_port_minute_p${day(D - 3 * DAY)}`,
    `netflow_port_minute_p${day(D - 2 * DAY)}`,
  ]);
  // The flow of 20 days back and its two roll-up rows, from the default partitions.
  assert.equal(result.defaultRows, 3);
  assert.deepEqual(await where("netflow_flow"), [
    `netflow_flow_p${day(D - DAY)}`,
    `netflow_flow_p${day(D)}`,
  ]);
  assert.deepEqual(await db.query(`select count(*)::int as n from netflow_pair_minute`), [{
    n: 2,
  }]);
  const again = await deleteExpired(db, { flowsBefore: cut, rollupsBefore: cut });
  assert.deepEqual(again, { partitions: [], defaultRows: 0 });
});

/** YYYYMMDD of a UTC instant, as partition names spell it. */
function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10).replaceAll("-", "");
}

dbTest("template state and exporter counters are saved and read back", async (db) => {
  assert.equal(await loadTemplateState(db, "0.0.0.0:2055"), null);
  const snapshot = { format: "pingfold.netflow.templates", formatVersion: 1, domains: [] };
  await saveTemplateState(db, "0.0.0.0:2055", snapshot, T);
  await saveTemplateState(db, "0.0.0.0:2055", { ...snapshot, domains: [{ x: 1 }] }, T + 1);
  assert.deepEqual(await loadTemplateState(db, "0.0.0.0:2055"), {
    ...snapshot,
    domains: [{ x: 1 }],
  });

  await saveExporterCounters(db, "c1", {
    "198.51.100.1": { packets: 5, malformed: 1 },
    "*": { packets: 9 },
  }, { nowMs: T, sinceMs: T - 1000 });
  const [e] = await listExporters(db);
  assert.equal(e.addr, "198.51.100.1");
  assert.deepEqual(e.counters, { packets: 5, malformed: 1 });
  assert.deepEqual(e.counters_since, new Date(T - 1000));
  assert.equal(e.records_stored, 0);
  assert.equal((await listExporters(db)).length, 1, "the overflow entry is not stored");
});

dbTest(
  "insertFlowBatch's COPY fills a time-partitioned netflow_flow and its stored sequence",
  async (db) => {
    // The shape deployments partition netflow_flow into (native declarative partitioning by end_at):
    // COPY into the parent routes each row to its partition on both engines.
    await db.exec(`drop table netflow_flow;
    create table netflow_flow (
      id bigint generated always as identity, exporter inet not null, version smallint not null,
      source_id bigint not null, src_addr inet, dst_addr inet, src_port integer not null,
      dst_port integer not null, protocol smallint not null, bytes bigint not null,
      packets bigint not null, start_at timestamptz not null, end_at timestamptz not null,
      input_if bigint not null, output_if bigint not null, tcp_flags integer not null,
      sampling_interval double precision not null default 1
    ) partition by range (end_at);
    create table netflow_flow_old partition of netflow_flow
      for values from (minvalue) to ('2000-01-01');
    create table netflow_flow_new partition of netflow_flow
      for values from ('2000-01-01') to (maxvalue);`);
    const a = chunk("198.51.100.1", [flow({}), flow({ endMs: 1000, startMs: 0 })]);
    assert.equal(await insertFlowBatch(db, [a], { nowMs: T, collector: "p", storedSeq: 7 }), 2);
    const parts = await db.query<{ part: string; n: number }>(
      `select tableoid::regclass::text as part, count(*)::int as n from netflow_flow
     group by 1 order by 1`,
    );
    assert.deepEqual(parts.map((p) => [p.part.replace(/^.*\./, ""), p.n]), [
      ["netflow_flow_new", 1],
      ["netflow_flow_old", 1],
    ]);
    assert.equal(await loadStoredSeq(db, "p"), 7);
    await insertFlowBatch(db, [a], { nowMs: T, collector: "p", storedSeq: 5 });
    assert.equal(await loadStoredSeq(db, "p"), 7, "the stored sequence never goes back");
  },
);
