// The collector wired together (worker, batcher, SQL): templates survive a restart, stop flushes
// the queue, a small queue drops nothing, decode-only mode stores nothing.
import assert from "node:assert/strict";
import { dbTest } from "@/tests/support/test_db.ts";
import { startTestCollector, waitFor } from "@/tests/netflow/collector_support.ts";
import {
  buildDataSet,
  buildTemplateSet,
  buildV5Packet,
  buildV9Packet,
  encodeRecord,
  type FieldSpec,
  type V5Flow,
} from "@/tests/support/netflow/mod.ts";

const FIELDS: FieldSpec[] = [[8, 4], [12, 4], [7, 2], [11, 2], [4, 1], [1, 4], [2, 4]];
const record = (n: number) =>
  encodeRecord([
    [4, `203.0.113.${n}`],
    [4, "198.51.100.1"],
    [2, 1000 + n],
    [2, 443],
    [1, 6],
    [4, 100],
    [4, 1],
  ]);
const header = () => ({ sysUptime: 1000, unixSecs: Math.floor(Date.now() / 1000) });
const v5Flows = (n: number): V5Flow[] =>
  Array.from({ length: n }, (_, i) => ({
    src: `203.0.113.${i + 1}`,
    dst: "198.51.100.9",
    packets: 1,
    bytes: 64,
    first: 900,
    last: 950,
    srcPort: 5000 + i,
    dstPort: 53,
    protocol: 17,
  }));

async function send(port: number, ...packets: Uint8Array[]) {
  const s = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  try {
    for (const p of packets) await s.send(p, { transport: "udp", hostname: "127.0.0.1", port });
  } finally {
    s.close();
  }
}

const counted = (c: { counters(): Record<string, { packets: number }> }, n: number) => () =>
  (c.counters()["127.0.0.1"]?.packets ?? 0) >= n;

dbTest("v9 templates are saved on stop and restored by the next collector", async (db) => {
  const first = await startTestCollector(db, { name: "restart" });
  try {
    await send(
      first.port,
      buildV9Packet({ ...header(), sequence: 1, sourceId: 7 }, [
        buildTemplateSet(0, [{ id: 300, fields: FIELDS }]),
        buildDataSet(300, [record(1)]),
      ]),
    );
    await waitFor("the template packet", counted(first, 1));
  } finally {
    await first.stop();
  }
  const [saved] = await db.query<{ n: number }>(
    `select jsonb_array_length(snapshot->'domains') as n from netflow_template_state
     where collector = 'restart'`,
  );
  assert.equal(saved.n, 1);

  const second = await startTestCollector(db, { name: "restart" });
  try {
    // Data only: without the restored template it would wait (unknown_template).
    await send(
      second.port,
      buildV9Packet({ ...header(), sequence: 2, sourceId: 7 }, [
        buildDataSet(300, [record(2), record(3)]),
      ]),
    );
    await waitFor("the data packet", counted(second, 1));
    await second.sync();
    const c = second.counters()["127.0.0.1"];
    assert.equal(c.unknown_template, 0);
    assert.equal(c.records_decoded, 2);
    assert.equal(c.records_inserted, 2);
    const rows = await db.query<{ src: string }>(
      `select host(src_addr) as src from netflow_flow order by src_addr`,
    );
    assert.deepEqual(rows.map((r) => r.src), ["203.0.113.1", "203.0.113.2", "203.0.113.3"]);
  } finally {
    await second.stop();
  }
});

dbTest("stop stores what is still queued", async (db) => {
  // A batch and interval that never trigger on their own: only stop() can store these.
  const c = await startTestCollector(db, { batchSize: 10_000, flushIntervalMs: 600_000 });
  try {
    await send(c.port, buildV5Packet({ ...header(), sequence: 0 }, v5Flows(25)));
    await waitFor("the records", () => (c.counters()["127.0.0.1"]?.records_decoded ?? 0) === 25);
    assert.deepEqual(await db.query(`select count(*)::int as n from netflow_flow`), [{ n: 0 }]);
  } finally {
    await c.stop();
  }
  assert.deepEqual(await db.query(`select count(*)::int as n from netflow_flow`), [{ n: 25 }]);
  const [e] = await db.query<{ records_stored: number; counters: Record<string, number> }>(
    `select records_stored, counters from netflow_exporter`,
  );
  assert.equal(e.records_stored, 25);
  assert.equal(e.counters.records_inserted, 25, "the final counters are saved too");
  assert.equal(e.counters.packets, 1);
});

dbTest(
  "a queue smaller than a batch drops nothing: receive batches wait their turn",
  async (db) => {
    // Records reach the queue as whole receive batches, never dropped there: what the database
    // cannot take yet waits in the receive worker's spool (tests/netflow/spool_test.ts).
    const c = await startTestCollector(db, { queueMax: 1 });
    try {
      await send(c.port, buildV5Packet({ ...header(), sequence: 0 }, v5Flows(30)));
      await waitFor("the first packet", counted(c, 1));
      await c.sync();
      await send(c.port, buildV5Packet({ ...header(), sequence: 30 }, v5Flows(1)));
      await waitFor("the second packet", counted(c, 2));
      await c.sync();
      const counters = c.counters()["127.0.0.1"];
      assert.equal(counters.records_decoded, 31);
      assert.equal(counters.queue_drops, 0);
      assert.equal(counters.records_inserted, 31);
      assert.equal(c.status().totals.queue_drops, 0);
    } finally {
      await c.stop();
    }
  },
);

dbTest("decode-only collectors store nothing", async (db) => {
  const c = await startTestCollector(db, { persist: false });
  try {
    await send(c.port, buildV5Packet({ ...header(), sequence: 0 }, v5Flows(5)));
    await waitFor("the packet", counted(c, 1));
    await c.sync();
    assert.equal(c.counters()["127.0.0.1"].records_decoded, 5);
    assert.equal(c.counters()["127.0.0.1"].records_inserted, 0);
  } finally {
    await c.stop();
  }
  assert.deepEqual(await db.query(`select count(*)::int as n from netflow_flow`), [{ n: 0 }]);
  assert.deepEqual(await db.query(`select count(*)::int as n from netflow_exporter`), [{ n: 0 }]);
});

dbTest("a port already in use is a clear start-up error", async (db) => {
  const taken = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  try {
    const port = (taken.addr as Deno.NetAddr).port;
    await assert.rejects(
      startTestCollector(db, { port }),
      (e: Error) => /cannot listen for NetFlow on udp 127\.0\.0\.1:\d+/.test(e.message),
    );
  } finally {
    taken.close();
  }
});
