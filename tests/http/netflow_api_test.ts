// /api/v1/netflow through the app: exporters with live counters, top, matrix, series, flows,
// bad input as 422, and the collector's part of /health.
import assert from "node:assert/strict";
import { appTest, type TestApp } from "@/tests/support/test_app.ts";
import {
  FlowChunkBuilder,
  type FlowRecord,
  insertFlowBatch,
  startNetflowCollector,
} from "@/services/netflow/mod.ts";
import { buildV5Packet } from "@/tests/support/netflow/mod.ts";
import { waitFor } from "@/tests/netflow/collector_support.ts";

const LOOPBACK_COLLECTOR = { NETFLOW_BIND_HOST: "127.0.0.1", NETFLOW_BIND_PORT: "0" };

async function seed(t: TestApp) {
  const now = t.clock.now;
  await t.db.query(`insert into subnet (cidr, name) values ('127.0.2.0/24', 'LAN')`);
  await t.db.query(`insert into host (ip, hostname) values ('127.0.2.10', 'nas')`);
  const b = new FlowChunkBuilder("127.0.2.254", 8);
  const base: FlowRecord = {
    exporter: "127.0.2.254",
    version: 9,
    sourceId: 0,
    srcAddr: "127.0.2.10",
    dstAddr: "203.0.113.5",
    srcPort: 40000,
    dstPort: 443,
    protocol: 6,
    bytes: 5000,
    packets: 5,
    startMs: now - 60_000,
    endMs: now - 30_000,
    inputIf: 1,
    outputIf: 2,
    tcpFlags: 0x18,
    samplingInterval: 1,
  };
  b.push(base, now);
  b.push({
    ...base,
    srcAddr: "203.0.113.5",
    dstAddr: "127.0.2.10",
    bytes: 900,
    srcPort: 443,
    dstPort: 40000,
  }, now);
  b.push({ ...base, dstAddr: "127.0.2.11", bytes: 100, protocol: 17, dstPort: 53 }, now);
  await insertFlowBatch(t.db, [b.take()], { nowMs: now, collector: "elsewhere" });
}

appTest("top, matrix and series answer for a window", async (t) => {
  await seed(t);
  const top = await t.call("GET", "/api/v1/netflow/top?by=host&window=1h&limit=2");
  assert.equal(top.status, 200);
  const body = await top.json();
  assert.equal(body.by, "host");
  assert.equal(body.window.key, "1h");
  assert.deepEqual(
    body.items.map((i: { addr: string; hostname: string }) => [i.addr, i.hostname]),
    [
      ["127.0.2.10", "nas"],
      ["203.0.113.5", null],
    ],
  );
  assert.equal(body.items[0].bytes, 6000);
  assert.equal(body.next_cursor, null);

  const ports = await (await t.call("GET", "/api/v1/netflow/top?by=port")).json();
  assert.deepEqual(
    ports.items.map((p: { protocol_name: string; port: number }) => [p.protocol_name, p.port]),
    [
      ["tcp", 443],
      ["udp", 53],
    ],
  );
  const pairs = await (await t.call("GET", "/api/v1/netflow/top?by=pair&limit=1")).json();
  assert.deepEqual([pairs.items[0].src_addr, pairs.items[0].dst_addr], [
    "127.0.2.10",
    "203.0.113.5",
  ]);

  const matrix = await (await t.call("GET", "/api/v1/netflow/matrix?window=15m")).json();
  assert.deepEqual(matrix.nodes.map((n: { label: string }) => n.label).sort(), [
    "External",
    "LAN (127.0.2.0/24)",
  ]);
  const internal = matrix.edges.find((e: { src: string; dst: string }) => e.src === e.dst);
  assert.equal(internal.bytes, 100);

  const series = await (await t.call("GET", "/api/v1/netflow/series?window=15m")).json();
  assert.equal(series.items.length, 16);
  const sum = (k: string) =>
    series.items.reduce((n: number, p: Record<string, number>) => n + p[k], 0);
  assert.deepEqual([sum("internal"), sum("outbound"), sum("inbound")], [100, 5000, 900]);
});

appTest("flows: filters, paging and 422 for bad input", async (t) => {
  await seed(t);
  const all = await (await t.call("GET", "/api/v1/netflow/flows")).json();
  assert.equal(all.items.length, 3);
  assert.match(all.items[0].end_at, /^\d{4}-\d\d-\d\dT.*Z$/);
  const [subnet] = await t.db.query<{ id: number }>(`select id from subnet`);
  const bySubnet =
    await (await t.call("GET", `/api/v1/netflow/flows?subnet=${subnet.id}&proto=udp`))
      .json();
  assert.deepEqual(bySubnet.items.map((f: { dst_port: number }) => f.dst_port), [53]);
  const page = await (await t.call("GET", "/api/v1/netflow/flows?limit=2&ip=127.0.2.10")).json();
  assert.equal(page.items.length, 2);
  const next = await (await t.call(
    "GET",
    `/api/v1/netflow/flows?limit=2&ip=127.0.2.10&cursor=${page.next_cursor}`,
  )).json();
  assert.equal(next.items.length, 1);
  assert.equal(next.next_cursor, null);

  for (
    const [query, code] of [
      ["ip=999.1.1.1", "invalid_ip"],
      ["subnet=10.0.0.0/33", "invalid_cidr"],
      ["proto=quic", "invalid_protocol"],
      ["window=3y", "invalid_window"],
      ["port=70000", "validation_failed"],
      ["cursor=abc", "invalid_cursor"],
    ]
  ) {
    const res = await t.call("GET", `/api/v1/netflow/flows?${query}`);
    assert.equal(res.status, 422, query);
    assert.equal((await res.json()).error.code, code, query);
  }
  const missing = await t.call("GET", "/api/v1/netflow/flows?subnet=424242");
  assert.equal(missing.status, 404);
  const anon = await t.call("GET", "/api/v1/netflow/top", { as: null });
  assert.equal(anon.status, 401);
});

appTest("exporters: stored ones, and live counters of the running collector", async (t) => {
  await seed(t);
  const task = await startNetflowCollector(t.deps);
  assert.ok(task);
  try {
    const collector = t.deps.services.netflow as { port: number };
    const s = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
    await s.send(
      buildV5Packet({ sysUptime: 10, unixSecs: Math.floor(Date.now() / 1000), sequence: 0 }, [{
        src: "127.0.2.10",
        dst: "198.51.100.1",
        packets: 1,
        bytes: 40,
        first: 5,
        last: 9,
        srcPort: 1,
        dstPort: 2,
        protocol: 6,
      }]),
      { transport: "udp", hostname: "127.0.0.1", port: collector.port },
    );
    await s.send(new Uint8Array([0, 9, 0]), {
      transport: "udp",
      hostname: "127.0.0.1",
      port: collector.port,
    });
    s.close();
    const live = async () =>
      (await (await t.call("GET", "/api/v1/netflow/exporters")).json()) as {
        items: Array<
          {
            exporter: string;
            live: boolean;
            records_stored: number;
            counters: Record<string, number>;
          }
        >;
        collector: { state: string; port: number };
        totals: Record<string, number>;
      };
    await waitFor("the live counters", async () => (await live()).totals.packets === 2);
    const body = await live();
    assert.equal(body.collector.state, "listening");
    assert.equal(body.collector.port, collector.port);
    const stored = body.items.find((i) => i.exporter === "127.0.2.254")!;
    assert.deepEqual([stored.live, stored.records_stored], [false, 3]);
    const mine = body.items.find((i) => i.exporter === "127.0.0.1")!;
    assert.equal(mine.live, true);
    assert.equal(mine.counters.packets, 2);
    assert.equal(mine.counters.malformed, 1);
    assert.equal(mine.counters.records_decoded, 1);

    const health = await (await t.call("GET", "/health", { as: null })).json();
    assert.equal(health.netflow.state, "listening");
    assert.equal(health.netflow.packets, 2);
    assert.equal(health.netflow.malformed, 1);
    // /health is public: a count of exporters, never their addresses.
    assert.equal(health.netflow.exporters, 1);
  } finally {
    await task.stop();
  }
  const after = await (await t.call("GET", "/health", { as: null })).json();
  assert.equal(after.netflow, undefined, "stop removes the health part");
  const exporters = await (await t.call("GET", "/api/v1/netflow/exporters")).json();
  assert.equal(exporters.collector, null);
  const saved = exporters.items.find((i: { exporter: string }) => i.exporter === "127.0.0.1");
  assert.equal(saved.live, false);
  assert.equal(saved.counters.packets, 2, "the last counters were saved at stop");
}, LOOPBACK_COLLECTOR);

appTest("NETFLOW_ENABLED=false starts no collector", async (t) => {
  assert.equal(await startNetflowCollector(t.deps), null);
  const health = await (await t.call("GET", "/health", { as: null })).json();
  assert.equal(health.netflow, undefined);
}, { NETFLOW_ENABLED: "false" });

appTest(
  "a collector that cannot bind shows as failed on /health, the app carries on",
  async (t) => {
    const taken = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
    try {
      const port = (taken.addr as Deno.NetAddr).port;
      const deps = { ...t.deps, cfg: { ...t.deps.cfg, NETFLOW_BIND_PORT: port } };
      const task = await startNetflowCollector(deps);
      assert.ok(task);
      const health = await deps.services.healthExtras as () => Promise<
        Record<string, { state: string; error: string }>
      >;
      const extra = await health();
      assert.equal(extra.netflow.state, "failed");
      assert.match(extra.netflow.error, /cannot listen for NetFlow on udp 127\.0\.0\.1/);
      await task.stop();
      assert.equal(deps.services.healthExtras, undefined);
    } finally {
      taken.close();
    }
  },
  LOOPBACK_COLLECTOR,
);
