import assert from "node:assert/strict";
import { dbTest } from "@/tests/support/test_db.ts";
import { FlowChunkBuilder } from "./flow_chunk.ts";
import { insertFlowBatch } from "./flow_repo.ts";
import type { FlowRecord } from "./flow_record.ts";
import { MINUTE_MS } from "./rollup.ts";
import { hostTraffic } from "./host_traffic.ts";
import { parseWindow } from "./traffic_window.ts";

const NOW = 28_333_333 * MINUTE_MS + 30_000;

function flow(src: string, dst: string, bytes: number, p: Partial<FlowRecord> = {}): FlowRecord {
  return {
    exporter: "127.0.2.254",
    version: 9,
    sourceId: 0,
    srcAddr: src,
    dstAddr: dst,
    srcPort: 50000,
    dstPort: 443,
    protocol: 6,
    bytes,
    packets: 1,
    startMs: NOW - 20_000,
    endMs: NOW - 10_000,
    inputIf: 1,
    outputIf: 2,
    tcpFlags: 0x18,
    samplingInterval: 1,
    ...p,
  };
}

dbTest(
  "hostTraffic: peers, ports, series and the internal/external split of one host",
  async (db) => {
    await db.query(`insert into subnet (cidr, name) values ('127.0.2.0/24', 'LAN')`);
    await db.query(`insert into host (ip, hostname) values ('127.0.2.20', 'nas.lan')`);
    const b = new FlowChunkBuilder("127.0.2.254", 64);
    for (
      const r of [
        flow("127.0.2.10", "127.0.2.20", 5000), // out to an internal peer
        flow("127.0.2.20", "127.0.2.10", 20000, { srcPort: 443, dstPort: 50000 }), // back
        flow("127.0.2.10", "203.0.113.9", 3000, { protocol: 17, srcPort: 5353, dstPort: 53 }),
        flow("203.0.113.9", "127.0.2.10", 1000, { endMs: NOW - 3 * MINUTE_MS }),
        flow("127.0.2.20", "203.0.113.9", 77_777), // not this host
        flow("127.0.2.10", "127.0.2.20", 999_999, { endMs: NOW - 2 * 3_600_000 }), // too old
      ]
    ) b.push(r, NOW);
    await insertFlowBatch(db, [b.take()], { nowMs: NOW, collector: "t" });

    const t = await hostTraffic(db, "127.0.2.10", parseWindow({ window: "1h" }, NOW));
    assert.deepEqual(
      t.peers.map((p) => [p.addr, p.hostname, p.internal, p.bytes_sent, p.bytes_received]),
      [["127.0.2.20", "nas.lan", true, 5000, 20000], ["203.0.113.9", null, false, 3000, 1000]],
    );
    assert.deepEqual(t.totals, { bytes_sent: 8000, bytes_received: 21000, flows: 4 });
    assert.deepEqual(t.split, { internal: 25000, external: 4000 });
    assert.deepEqual(t.ports.map((p) => [p.protocol_name, p.port, p.bytes]), [
      ["tcp", 443, 26000],
      ["udp", 53, 3000],
    ]);
    const sum = (k: "internal" | "outbound" | "inbound" | "external") =>
      t.series.reduce((n, p) => n + p[k], 0);
    assert.deepEqual(
      [sum("internal"), sum("outbound"), sum("inbound"), sum("external")],
      [25000, 3000, 1000, 0],
    );
    assert.ok(t.series.length >= 60, "empty buckets kept");

    const none = await hostTraffic(db, "127.0.2.99", parseWindow({ window: "1h" }, NOW));
    assert.deepEqual([none.peers, none.ports, none.totals.flows], [[], [], 0]);
  },
);
