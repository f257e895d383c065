// The collector under faults, through its real UDP socket and worker: a receive worker that dies
// is restarted and receives again; datagrams the kernel drops show as kernel_drops; exporters
// outside the allowlist are refused; saved templates beyond the caps are not restored.
import assert from "node:assert/strict";
import { dbTest } from "@/tests/support/test_db.ts";
import { startTestCollector, waitFor } from "@/tests/netflow/collector_support.ts";
import { saveTemplateState } from "@/services/netflow/mod.ts";
import {
  buildDataSet,
  buildTemplateSet,
  buildV5Packet,
  buildV9Packet,
  encodeRecord,
  type FieldSpec,
} from "@/tests/support/netflow/mod.ts";

const FIELDS: FieldSpec[] = [[8, 4], [12, 4], [1, 4], [2, 4]];
const v5 = (n: number) =>
  buildV5Packet(
    { sysUptime: 1000, unixSecs: Math.floor(Date.now() / 1000), sequence: n },
    [{
      src: "203.0.113.1",
      dst: "198.51.100.9",
      packets: 1,
      bytes: 64,
      first: 900,
      last: 950,
      srcPort: 5000,
      dstPort: 53,
      protocol: 17,
    }],
  );

async function sendAll(port: number, packets: Uint8Array[], hostname = "127.0.0.1") {
  const s = Deno.listenDatagram({ transport: "udp", hostname, port: 0 });
  try {
    for (const p of packets) await s.send(p, { transport: "udp", hostname: "127.0.0.1", port });
  } finally {
    s.close();
  }
}

dbTest("a receive worker that dies is restarted and receives again", async (db) => {
  const c = await startTestCollector(db, { name: "restart-worker" });
  try {
    await sendAll(c.port, [v5(0)]);
    await waitFor("first record", () => c.status().totals.records_decoded === 1);
    for (let round = 1; round <= 2; round++) {
      c.testHooks.crashWorker();
      await waitFor(`restart ${round}`, () => c.status().worker_restarts === round);
      await waitFor(`listening again ${round}`, () => c.status().state === "listening");
      assert.equal(c.status().port, c.port, "the same port is bound again");
      await sendAll(c.port, [v5(round)]);
      await waitFor(
        `record after restart ${round}`,
        () => c.status().totals.records_decoded === round + 1,
      );
    }
    await c.sync();
    // Counters of the dead workers are kept: totals only grow. The receive thread's datagram
    // count reaches this thread with the next counters message, which may follow the records.
    assert.equal(c.status().totals.packets, 3);
    await waitFor("datagrams of every worker counted", () => c.status().datagrams === 3);
    await waitFor("stored", async () => {
      const rows = await db.query<{ n: number }>(
        "select count(*)::int as n from netflow_flow",
      );
      return rows[0].n === 3;
    });
  } finally {
    await c.stop();
  }
  assert.equal(c.status().state, "stopped");
});

dbTest(
  "datagrams the kernel drops while the socket is not read show as kernel_drops",
  async (db) => {
    if (Deno.build.os !== "linux") return;
    // The smallest receive buffer Linux grants (it rounds small requests up to ~4.5 KiB).
    const c = await startTestCollector(db, { name: "kernel-drops", recvBufferBytes: 1 });
    try {
      assert.equal(c.status().kernel_drops, 0);
      await c.testHooks.pauseReceive(1500);
      // 600 datagrams of 1.3 KB cannot wait in a few KiB of buffer: most are dropped.
      const big = buildV9Packet(
        { sysUptime: 1, unixSecs: 1, sequence: 0, sourceId: 0 },
        [buildDataSet(
          300,
          Array.from({ length: 80 }, () => encodeRecord([[4, 1], [4, 2], [4, 3], [4, 4]])),
        )],
      );
      await sendAll(c.port, Array.from({ length: 600 }, () => big));
      await waitFor("kernel drops counted", () => c.status().kernel_drops > 0, 10_000);
      await waitFor("reading again", () => c.status().datagrams > 0, 10_000);
      const s = c.status();
      assert.ok(s.datagrams + s.kernel_drops <= 600);
      assert.ok(s.kernel_drops >= 300, `only ${s.kernel_drops} drops counted`);
    } finally {
      await c.stop();
    }
  },
);

dbTest("exporters outside NETFLOW_ALLOWED_EXPORTERS are refused and counted", async (db) => {
  const c = await startTestCollector(db, {
    name: "allowlist",
    allowedExporters: ["198.51.100.0/24", "::1/128"],
  });
  try {
    await sendAll(c.port, [v5(0), v5(1), v5(2)]);
    await waitFor("refused", () => c.status().datagrams_refused === 3);
    const s = c.status();
    assert.equal(s.datagrams, 0);
    assert.deepEqual(c.counters(), {}, "refused exporters get no counters of their own");
  } finally {
    await c.stop();
  }
  const open = await startTestCollector(db, {
    name: "allowlist-open",
    allowedExporters: ["127.0.0.0/8"],
  });
  try {
    await sendAll(open.port, [v5(0)]);
    await waitFor("accepted", () => open.status().datagrams === 1);
    assert.equal(open.status().datagrams_refused, 0);
  } finally {
    await open.stop();
  }
});

dbTest("saved templates beyond the caps are not restored after a restart", async (db) => {
  const domains = Array.from({ length: 40 }, (_, sid) => ({
    exporter: "198.51.100.7",
    version: 9,
    domainId: sid,
    templates: Array.from({ length: 10 }, (_, i) => ({
      id: 256 + i,
      options: false,
      scopeCount: 0,
      fields: FIELDS.map(([id, len]) => [id, len, 0]),
    })),
    samplingInterval: 0,
    samplers: [],
    systemInitMs: null,
  }));
  await saveTemplateState(db, "capped", {
    format: "pingfold.netflow.templates",
    formatVersion: 1,
    domains,
  }, Date.now());
  const c = await startTestCollector(db, {
    name: "capped",
    maxTemplates: 1000,
    maxTemplatesPerExporter: 50,
  });
  try {
    await c.saveTemplates();
    const rows = await db.query<{ snapshot: { domains: Array<{ templates: unknown[] }> } }>(
      "select snapshot from netflow_template_state where collector = $1",
      ["capped"],
    );
    const restored = rows[0].snapshot.domains.reduce((n, d) => n + d.templates.length, 0);
    assert.equal(restored, 50, "400 saved, the exporter's cap of 50 restored");
    // A live flood on top: restored templates count as idle and yield to live ones, up to the cap.
    const flood = Array.from(
      { length: 20 },
      (_, sid) =>
        buildV9Packet({ sysUptime: 1, unixSecs: 1, sequence: 0, sourceId: 100 + sid }, [
          buildTemplateSet(
            0,
            Array.from({ length: 10 }, (_, i) => ({ id: 256 + i, fields: FIELDS })),
          ),
        ]),
    );
    await sendAll(c.port, flood);
    await waitFor("flood counted", () => c.status().totals.packets === 20);
    await c.sync();
    const s = c.status();
    assert.equal(s.totals.templates, 50);
    assert.equal(s.totals.templates_refused, 150);
  } finally {
    await c.stop();
  }
});
