// Flows through JetStream with real parts: a real collector (UDP socket, decode worker, disk spool)
// publishing to a real nats-server, the ingest storing into both engines. Checks that flows land
// once, that a NATS outage loses and doubles nothing (also across a collector restart), and that a
// redelivered batch writes nothing.
import assert from "node:assert/strict";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { dbTest } from "@/tests/support/test_db.ts";
import { startNats } from "@/tests/support/nats_test_server.ts";
import { rangePort } from "@/tests/support/nats_server.ts";
import { buildV5Packet, type V5Flow } from "@/tests/support/netflow/mod.ts";
import { collectorOptions, waitFor } from "@/tests/netflow/collector_support.ts";
import { type Collector, startCollector } from "@/services/netflow/mod.ts";
import type { Db } from "@/services/store/mod.ts";
import {
  createFlowPublisher,
  ensureFlowStream,
  FLOW_INGEST_CONSUMER,
  FLOW_STREAM,
  flowSubject,
  startFlowIngest,
} from "@/services/cluster/mod.ts";

/** This work's ports (nats-server and the collector's UDP socket). */
const PORTS: [number, number] = [19400, 19499];

function flows(n: number, salt: number): V5Flow[] {
  return Array.from({ length: n }, (_, i) => ({
    src: `127.0.3.${1 + (i % 200)}`,
    dst: `198.51.100.${1 + (i % 50)}`,
    packets: 1 + i,
    bytes: 100 + salt * 1000 + i,
    first: 1000,
    last: 2000,
    srcPort: 10000 + salt,
    dstPort: 443,
    protocol: 6,
  }));
}

async function sendV5(port: number, packets: number, perPacket: number, salt: number) {
  const sock = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  try {
    const now = Math.floor(Date.now() / 1000);
    for (let p = 0; p < packets; p++) {
      const pkt = buildV5Packet(
        { sysUptime: 5000, unixSecs: now, sequence: salt * 1000 + p * perPacket },
        flows(perPacket, salt + p),
      );
      await sock.send(pkt, { transport: "udp", hostname: "127.0.0.1", port });
    }
  } finally {
    sock.close();
  }
}

async function stored(db: Db): Promise<{ flows: number; bytes: number }> {
  const [r] = await db.query<{ flows: number; bytes: number }>(
    `select count(*)::int as flows, coalesce(sum(bytes), 0)::bigint as bytes from netflow_flow`,
  );
  return { flows: Number(r.flows), bytes: Number(r.bytes) };
}

/** Bytes of the flows sendV5 sends, for an exact comparison. */
function bytesOf(packets: number, perPacket: number, salt: number): number {
  let sum = 0;
  for (let p = 0; p < packets; p++) for (const f of flows(perPacket, salt + p)) sum += f.bytes;
  return sum;
}

async function settled(nc: NatsConnection) {
  const jsm = await jetstreamManager(nc);
  const c = await jsm.consumers.info(FLOW_STREAM, FLOW_INGEST_CONSUMER);
  return c.num_pending === 0 && c.num_ack_pending === 0;
}

dbTest("flows travel through JetStream once, across an outage and a redelivery", async (db) => {
  const nats = await startNats(PORTS);
  const spoolDir = await Deno.makeTempDir({ dir: "/tmp", prefix: "nfnats-spool-" });
  // The edge collector's own connection: reconnects for ever, as the real one does.
  const edgeNc = await connect({
    servers: nats.url,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 100,
  });
  const ingestNc = await connect({
    servers: nats.url,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 100,
  });
  let collector: Collector | null = null;
  const ingest = { stop: () => Promise.resolve() };
  try {
    await ensureFlowStream(await jetstreamManager(ingestNc), 1);
    const flowPort = rangePort(...PORTS);
    const startEdge = () =>
      startCollector(
        {
          outbox: createFlowPublisher({
            js: jetstream(edgeNc),
            site: "edge1",
            retryMs: 100,
            timeoutMs: 1000,
            graceMs: 1000,
          }),
          now: Date.now,
        },
        collectorOptions({ port: flowPort, spoolDir, name: "edge1/test", spoolWindow: 0 }),
      );
    collector = await startEdge();
    const running = startFlowIngest(jetstream(ingestNc), { db, now: Date.now, retention: null });
    ingest.stop = () => running.stop();

    // 1. Flows land once.
    await sendV5(collector.port, 5, 30, 1);
    await collector.sync();
    let want = { flows: 150, bytes: bytesOf(5, 30, 1) };
    await waitFor("the first flows in SQL", async () => (await stored(db)).flows >= 150, 10_000);
    assert.deepEqual(await stored(db), want);
    const pub = collector.status().publish!;
    assert.equal(pub.published_records, 150);
    assert.equal(pub.pending, 0);

    // 2. NATS goes away; flows keep arriving and wait (in flight, then in the disk spool).
    await nats.halt();
    await sendV5(collector.port, 20, 30, 100);
    await waitFor("the collector to spool", () => collector!.status().spool_files > 0, 10_000);
    assert.equal(collector.status().publish!.published_records, 150);
    await nats.resume();
    await collector.sync();
    want = { flows: 750, bytes: want.bytes + bytesOf(20, 30, 100) };
    await waitFor("the spooled flows in SQL", async () => (await stored(db)).flows >= 750, 20_000);
    await waitFor("the ingest to settle", () => settled(ingestNc), 10_000);
    assert.deepEqual(await stored(db), want, "an outage loses and doubles nothing");
    assert.ok(collector.status().publish!.failed_attempts > 0, "the outage was noticed");
    await waitFor("the spool to empty", () => collector!.status().spool_files === 0, 5_000);

    // 3. A batch that comes again (past JetStream's dedupe: another header id) writes nothing.
    const js = jetstream(ingestNc);
    const jsm = await jetstreamManager(ingestNc);
    const first = await jsm.streams.getMessage(FLOW_STREAM, { seq: 1 });
    assert.ok(first);
    const claims = await db.query(`select count(*)::int as n from ingested_flow_batch`);
    await js.publish(flowSubject("edge1"), first.data, { msgID: "a-redelivery" });
    await waitFor("the redelivery to be settled", () => settled(ingestNc), 10_000);
    assert.deepEqual(await stored(db), want, "a redelivery writes nothing twice");
    assert.deepEqual(await db.query(`select count(*)::int as n from ingested_flow_batch`), claims);
    const [ex] = await db.query<{ records_stored: number; collector: string }>(
      `select records_stored::int, collector from netflow_exporter where addr = '127.0.0.1'`,
    );
    assert.equal(Number(ex.records_stored), 750);
    assert.equal(ex.collector, "edge1/test");

    // 4. A collector stopped while NATS is away keeps its spool; the next start delivers it once.
    await nats.halt();
    await sendV5(collector.port, 10, 30, 300);
    await waitFor("the collector to spool", () => collector!.status().spool_files > 0, 10_000);
    await collector.stop();
    collector = null;
    await nats.resume();
    collector = await startEdge();
    await collector.sync();
    want = { flows: 1050, bytes: want.bytes + bytesOf(10, 30, 300) };
    await waitFor("the flows of the last run in SQL", async () => (await stored(db)).flows >= 1050);
    await waitFor("the ingest to settle", () => settled(ingestNc), 10_000);
    assert.deepEqual(await stored(db), want, "a restart loses and doubles nothing");
  } finally {
    await collector?.stop();
    await ingest.stop();
    await edgeNc.close().catch(() => {});
    await ingestNc.close().catch(() => {});
    await nats.stop();
    await Deno.remove(spoolDir, { recursive: true }).catch(() => {});
  }
});
