import assert from "node:assert/strict";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { natsFixture } from "@/tests/support/nats_fixture.ts";
import { startNats } from "@/tests/support/nats_server.ts";
import {
  createResultSpool,
  ensureResultStream,
  RESULT_STREAM,
  type SweepResult,
  type SweepResultMessage,
} from "@/services/cluster/mod.ts";

const result = (id: string): SweepResult => ({
  result_id: id,
  job_id: id,
  site: "local",
  subnet_id: 1,
  cidr: "127.0.80.0/30",
  instance: "test",
  origin: "offline",
  started_at: 1,
  finished_at: 2,
  status: "succeeded",
  method: "fping",
  targets: 2,
  results: [{ ip: "127.0.80.1", up: true, latencyMs: 0.1, method: "fping" }],
  errors: [],
  notes: [],
});

Deno.test({
  name: "result spool: kept while NATS is down, then published once each, in spool order",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await using f = await natsFixture();
    const jsm = await jetstreamManager(f.nc);
    await ensureResultStream(jsm, 1);
    await using kv = await Deno.openKv(":memory:");
    const spool = createResultSpool(kv, jetstream(f.nc));
    await spool.add(result("r0"));
    assert.equal(await spool.flush(), 1);

    f.server.kill();
    for (const id of ["r1", "r2", "r3"]) await spool.add(result(id));
    assert.equal(await spool.flush(), 0, "nothing goes out while the server is away");
    assert.equal(await spool.pending(), 3);

    // The same server comes back (same port and store): the spool drains in order.
    const back = startNats(f.dir, { port: f.server.port, name: f.server.name });
    try {
      await back.ready();
      let sent = 0;
      for (let i = 0; i < 100 && sent < 3; i++) {
        sent += await spool.flush();
        if (sent < 3) await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(sent, 3);
      assert.equal(await spool.pending(), 0);
      assert.equal(await spool.delivered("r2", 10), true);
      // A re-publish of a delivered id is dropped by JetStream's dedupe window.
      const again = await jetstream(f.nc).publish("pingfold.results.local", "{}", {
        msgID: "r1.0",
      });
      assert.equal(again.duplicate, true);
      const stored = [];
      for (let seq = 1; seq <= 4; seq++) {
        const m = await jsm.streams.getMessage(RESULT_STREAM, { seq });
        stored.push(m?.json<SweepResultMessage>());
      }
      assert.deepEqual(stored.map((r) => r?.result_id), ["r0", "r1", "r2", "r3"]);
      assert.deepEqual(stored.map((r) => r?.seq), [0, 1, 2, 3]);
      await spool.stop();
    } finally {
      back.kill();
    }
  },
});

Deno.test({
  name: "result spool: a big sweep goes out as chunks in order, each with its own message id; " +
    "chunks a dead process left unsealed are dropped",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await using f = await natsFixture();
    const jsm = await jetstreamManager(f.nc);
    await ensureResultStream(jsm, 1);
    await using kv = await Deno.openKv(":memory:");
    // Left by a process that died while writing a sweep: never sealed, never published.
    await kv.set(["cluster_spool_seq"], 2);
    await kv.set(["cluster_spool", 0], {
      result_id: "dead",
      seq: 0,
      chunk: 0,
      chunks: 2,
      site: "local",
      body: "{}",
    });
    const spool = createResultSpool(kv, jetstream(f.nc));
    const big = {
      ...result("big"),
      results: Array.from({ length: 10_300 }, (_, i) => ({
        ip: `127.81.${i >> 8}.${i & 255}`,
        up: true,
        latencyMs: 0.1,
        method: "fping",
      })),
    };
    const added = await spool.add(big);
    assert.deepEqual(added, { result_id: "big", seq: 2, chunks: 21 });
    await spool.add(result("after"));
    assert.equal(await spool.flush(), 22);
    assert.equal(await spool.pending(), 0);
    assert.equal(await spool.delivered("big", 10), true);
    const stored: SweepResultMessage[] = [];
    for (let seq = 1; seq <= 22; seq++) {
      stored.push((await jsm.streams.getMessage(RESULT_STREAM, { seq }))!.json());
    }
    assert.deepEqual(stored.map((m) => m.seq), Array.from({ length: 22 }, (_, i) => i + 2));
    assert.deepEqual(stored.map((m) => m.chunk), [...Array.from({ length: 21 }, (_, i) => i), 0]);
    assert.equal(stored.slice(0, 21).reduce((n, m) => n + m.results.length, 0), 10_300);
    // A chunk published again (lost PubAck, replay) is a duplicate for JetStream.
    const again = await jetstream(f.nc).publish("pingfold.results.local", "{}", {
      msgID: "big.20",
    });
    assert.equal(again.duplicate, true);
    assert.equal(await kv.get(["cluster_spool_sealed", 2]).then((e) => e.value), null);
    await spool.stop();
  },
});
