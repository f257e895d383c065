import assert from "node:assert/strict";
import { AppError } from "@/services/errors.ts";
import type { Db } from "@/services/store/mod.ts";
import { dbTest } from "@/tests/support/test_db.ts";
import { FlowChunkBuilder } from "./flow_chunk.ts";
import { insertFlowBatch } from "./flow_repo.ts";
import type { FlowRecord } from "./flow_record.ts";
import { MINUTE_MS } from "./rollup.ts";
import {
  listFlows,
  parseProtocol,
  protocolName,
  topHosts,
  topPairs,
  topPorts,
  trafficMatrix,
  trafficSeries,
} from "./traffic_query.ts";
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

async function seed(db: Db) {
  const [lan] = await db.query<{ id: number }>(
    `insert into subnet (cidr, name) values ('127.0.2.0/24', 'LAN') returning id`,
  );
  const [dmz] = await db.query<{ id: number }>(
    `insert into subnet (cidr, name) values ('198.51.100.0/24', null) returning id`,
  );
  // A more specific subnet inside LAN takes its addresses.
  const [lab] = await db.query<{ id: number }>(
    `insert into subnet (cidr, name) values ('127.0.2.128/25', 'Lab <b>') returning id`,
  );
  await db.query(
    `insert into host (ip, subnet_id, hostname, hostname_override) values
       ('127.0.2.10', $1, 'nas.lan', null), ('198.51.100.5', $2, 'web', 'www.example')`,
    [lan.id, dmz.id],
  );
  const b = new FlowChunkBuilder("127.0.2.254", 64);
  for (
    const r of [
      flow("127.0.2.10", "198.51.100.5", 5000), // LAN -> DMZ
      flow("198.51.100.5", "127.0.2.10", 20000, { srcPort: 443, dstPort: 50000 }), // DMZ -> LAN
      flow("127.0.2.10", "203.0.113.9", 3000, { protocol: 17, srcPort: 5353, dstPort: 53 }),
      flow("203.0.113.9", "127.0.2.200", 1000, { endMs: NOW - 3 * MINUTE_MS }), // ext -> Lab
      flow("203.0.113.9", "203.0.113.10", 7, { protocol: 1, srcPort: 0, dstPort: 0x0800 }),
      flow("127.0.2.10", "198.51.100.5", 999_999, { endMs: NOW - 2 * 3_600_000 }), // too old
    ]
  ) b.push(r, NOW);
  await insertFlowBatch(db, [b.take()], { nowMs: NOW, collector: "t" });
  return { lan: lan.id, dmz: dmz.id, lab: lab.id };
}

dbTest("top hosts by src, dst and both, with IPAM hostnames and subnets", async (db) => {
  const ids = await seed(db);
  const w = parseWindow({ window: "1h" }, NOW);
  const src = await topHosts(db, w, "src", 10);
  assert.deepEqual(src.map((r) => [r.addr, r.bytes, r.hostname, r.subnet, r.subnet_name]), [
    ["198.51.100.5", 20000, "www.example", "198.51.100.0/24", null],
    ["127.0.2.10", 8000, "nas.lan", "127.0.2.0/24", "LAN"],
    ["203.0.113.9", 1007, null, null, null],
  ]);
  const dst = await topHosts(db, w, "dst", 2);
  assert.deepEqual(dst.map((r) => [r.addr, r.bytes]), [["127.0.2.10", 20000], [
    "198.51.100.5",
    5000,
  ]]);
  const both = await topHosts(db, w, "host", 1);
  assert.deepEqual(
    [both[0].addr, both[0].bytes, both[0].bytes_sent, both[0].bytes_received, both[0].subnet_id],
    ["127.0.2.10", 28000, 8000, 20000, ids.lan],
  );
  const lab = (await topHosts(db, w, "dst", 10)).find((r) => r.addr === "127.0.2.200");
  assert.equal(lab?.subnet_id, ids.lab, "the most specific subnet");
});

dbTest("top conversations and ports", async (db) => {
  await seed(db);
  const w = parseWindow({ window: "1h" }, NOW);
  const pairs = await topPairs(db, w, 2);
  assert.deepEqual(pairs.map((p) => [p.src_addr, p.dst_addr, p.bytes, p.src_hostname]), [
    ["198.51.100.5", "127.0.2.10", 20000, "www.example"],
    ["127.0.2.10", "198.51.100.5", 5000, "nas.lan"],
  ]);
  const ports = await topPorts(db, w, 10);
  assert.deepEqual(ports.map((p) => [p.protocol_name, p.port, p.bytes, p.flows]), [
    ["tcp", 443, 26000, 3],
    ["udp", 53, 3000, 1],
    ["icmp", 0, 7, 1],
  ]);
});

dbTest("the matrix groups addresses by subnet with External for the rest", async (db) => {
  const ids = await seed(db);
  const w = parseWindow({ window: "1h" }, NOW);
  const m = await trafficMatrix(db, w);
  const edge = (src: string, dst: string) =>
    m.edges.find((e) => e.src === src && e.dst === dst)?.bytes;
  assert.equal(edge(`subnet:${ids.dmz}`, `subnet:${ids.lan}`), 20000);
  assert.equal(edge(`subnet:${ids.lan}`, `subnet:${ids.dmz}`), 5000);
  assert.equal(edge(`subnet:${ids.lan}`, "external"), 3000);
  assert.equal(edge("external", `subnet:${ids.lab}`), 1000);
  assert.equal(edge("external", "external"), 7);
  assert.equal(m.edges.length, 5);
  const lab = m.nodes.find((n) => n.id === `subnet:${ids.lab}`);
  assert.equal(lab?.label, "Lab <b> (127.0.2.128/25)", "labels are data; the view escapes them");
  assert.equal(m.nodes.find((n) => n.id === "external")?.bytes_out, 1007);

  // With room for one subnet only, the others share "Other subnets".
  const small = await trafficMatrix(db, w, { maxSubnets: 1 });
  assert.deepEqual(small.nodes.map((n) => n.id).sort(), ["external", "other", `subnet:${ids.lan}`]);
  assert.equal(
    small.edges.find((e) => e.src === "other" && e.dst === `subnet:${ids.lan}`)?.bytes,
    20000,
  );
});

dbTest("bytes over time per bucket, split internal / outbound / inbound / external", async (db) => {
  await seed(db);
  const w = parseWindow({ window: "15m" }, NOW);
  const series = await trafficSeries(db, w);
  assert.equal(series.length, 16, "15 minutes + the current one, empty buckets kept");
  const last = series.at(-1)!;
  assert.equal(last.t, NOW - 30_000);
  assert.deepEqual(
    [last.internal, last.outbound, last.inbound, last.external],
    [25000, 3000, 0, 7],
  );
  const earlier = series.find((p) => p.t === NOW - 30_000 - 3 * MINUTE_MS)!;
  assert.equal(earlier.inbound, 1000);
  const total = series.reduce((n, p) => n + p.internal + p.outbound + p.inbound + p.external, 0);
  assert.equal(total, 29007);
});

dbTest("flows are filtered and keyset-paged newest first", async (db) => {
  await seed(db);
  const window = parseWindow({ window: "1h" }, NOW);
  const all = await listFlows(db, { window, limit: 100 });
  assert.equal(all.items.length, 5, "the 2-hour-old flow is outside the window");
  assert.equal(all.next_cursor, null);
  const byIp = await listFlows(db, { window, ip: "127.0.2.10", limit: 100 });
  assert.equal(byIp.items.length, 3);
  const within = await listFlows(db, { window, within: "127.0.2.128/25", limit: 100 });
  assert.deepEqual(within.items.map((f) => f.dst_addr), ["127.0.2.200"]);
  const udp = await listFlows(db, { window, protocol: parseProtocol("UDP"), port: 53, limit: 9 });
  assert.deepEqual(udp.items.map((f) => [f.src_addr, f.src_port, f.dst_port]), [
    ["127.0.2.10", 5353, 53],
  ]);
  const exp = await listFlows(db, { window, exporter: "127.0.2.254", limit: 100 });
  assert.equal(exp.items.length, 5);

  const seen: number[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 10; page++) {
    const r = await listFlows(db, { window, limit: 2, cursor });
    seen.push(...r.items.map((f) => f.id));
    if (!r.next_cursor) break;
    cursor = r.next_cursor;
  }
  assert.deepEqual(seen, all.items.map((f) => f.id));
  await assert.rejects(
    listFlows(db, { window, limit: 2, cursor: "garbage" }),
    (e) => e instanceof AppError && e.status === 422,
  );
});

Deno.test("protocol names both ways", () => {
  assert.equal(protocolName(6), "tcp");
  assert.equal(protocolName(250), "250");
  assert.equal(parseProtocol("icmpv6"), 58);
  assert.equal(parseProtocol("17"), 17);
  assert.throws(() => parseProtocol("256"), /expected 0\.\.255/);
  assert.throws(() => parseProtocol("quic"), /unknown/);
});
