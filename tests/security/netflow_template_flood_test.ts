// Unauthenticated UDP must not exhaust memory: a template flood from many source ids and
// exporter addresses, through the app's real collector and UDP socket, is held to the caps set in
// the environment, counted on /health and the exporters API, and stops by itself. Also: the
// collector binds where HOST does unless told otherwise, and the allowlist setting is validated.
import assert from "node:assert/strict";
import { appTest } from "@/tests/support/test_app.ts";
import { ConfigError, parseConfig } from "@/services/config/config.ts";
import { type Collector, startNetflowCollector } from "@/services/netflow/mod.ts";
import { buildTemplateSet, buildV9Packet, type FieldSpec } from "@/tests/support/netflow/mod.ts";
import { waitFor } from "@/tests/netflow/collector_support.ts";

const FIELDS: FieldSpec[] = [[8, 4], [12, 4], [7, 2], [11, 2], [4, 1], [1, 4], [2, 4]];
const SOURCE_IDS = 200;
const TEMPLATES_PER_PACKET = 50;
/** Exporter addresses the flood comes from (loopback aliases: 127.0.0.0/8 is all local). */
const SENDERS = ["127.0.0.1", "127.0.0.2", "127.0.0.3"];
const CAPS = {
  NETFLOW_BIND_HOST: "127.0.0.1",
  NETFLOW_BIND_PORT: "0",
  NETFLOW_MAX_TEMPLATES: "600",
  NETFLOW_MAX_TEMPLATES_PER_EXPORTER: "250",
  NETFLOW_MAX_PENDING_PER_EXPORTER: "16",
};

appTest("a template flood through the UDP socket is held to the caps and counted", async (t) => {
  const task = await startNetflowCollector(t.deps);
  assert.ok(task);
  const collector = t.deps.services.netflow as Collector;
  const sockets = SENDERS.map((hostname) =>
    Deno.listenDatagram({ transport: "udp", hostname, port: 0 })
  );
  const to = { transport: "udp" as const, hostname: "127.0.0.1", port: collector.port };
  const deadline = Date.now() + 60_000;
  let sent = 0;
  try {
    // 3 exporters × 200 source ids × 50 templates = 30,000 templates, in bounded, paced bursts.
    for (let sid = 0; sid < SOURCE_IDS && Date.now() < deadline; sid++) {
      const packet = buildV9Packet(
        { sysUptime: 1000, unixSecs: Math.floor(Date.now() / 1000), sequence: 0, sourceId: sid },
        [buildTemplateSet(
          0,
          Array.from({ length: TEMPLATES_PER_PACKET }, (_, i) => ({ id: 256 + i, fields: FIELDS })),
        )],
      );
      for (const s of sockets) await s.send(packet, to);
      sent += sockets.length;
      if (sid % 20 === 19) {
        await waitFor("the burst decoded", () => collector.status().totals.packets >= sent, 20_000);
      }
    }
    await waitFor("every datagram", () => collector.status().totals.packets >= sent, 20_000);
    await collector.sync();
    const s = collector.status();
    const offered = sent * TEMPLATES_PER_PACKET;
    assert.equal(s.totals.packets, SOURCE_IDS * SENDERS.length);
    assert.equal(s.totals.templates, 600, "the total cap");
    assert.equal(s.totals.templates + s.totals.templates_refused, offered);
    for (const [exporter, c] of Object.entries(collector.counters())) {
      assert.ok(c.templates <= 250, `${exporter} holds ${c.templates} templates`);
    }

    // /health is public: it shows the counts (refused, kernel drops, restarts), no addresses.
    const health = await (await t.call("GET", "/health", { as: null })).json();
    assert.equal(health.netflow.templates, 600);
    assert.equal(health.netflow.templates_refused, offered - 600);
    assert.equal(typeof health.netflow.kernel_drops, "number");
    assert.equal(health.netflow.worker_restarts, 0);
    assert.equal(health.netflow.datagrams_refused, 0);
    assert.ok(!JSON.stringify(health).includes("127.0.0.2"));

    const api = await (await t.call("GET", "/api/v1/netflow/exporters")).json();
    assert.equal(api.collector.kernel_drops, s.kernel_drops);
    assert.equal(api.totals.templates_refused, offered - 600);
    const second = api.items.find((i: { exporter: string }) => i.exporter === "127.0.0.2");
    assert.ok(second.counters.templates <= 250);
    assert.ok(second.counters.templates_refused > 0);

    // The NetFlow page shows the kernel's drop count next to the collector's state.
    const page = await (await t.call("GET", "/netflow")).text();
    assert.match(page, new RegExp(`data-testid="kernel-drops"[^>]*>${s.kernel_drops}<`));

    // What is saved for the next start is within the caps as well.
    await collector.saveTemplates();
    const rows = await t.db.query<{ snapshot: { domains: Array<{ templates: unknown[] }> } }>(
      "select snapshot from netflow_template_state where collector = $1",
      [collector.name],
    );
    const saved = rows[0].snapshot.domains.reduce(
      (n: number, d: { templates: unknown[] }) => n + d.templates.length,
      0,
    );
    assert.equal(saved, 600);
  } finally {
    for (const s of sockets) s.close();
    await task.stop();
  }
}, CAPS);

appTest("NETFLOW_ALLOWED_EXPORTERS set in the environment refuses other exporters", async (t) => {
  const task = await startNetflowCollector(t.deps);
  assert.ok(task);
  const collector = t.deps.services.netflow as Collector;
  const s = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  try {
    const packet = buildV9Packet({ sysUptime: 1, unixSecs: 1, sequence: 0, sourceId: 0 }, [
      buildTemplateSet(0, [{ id: 256, fields: FIELDS }]),
    ]);
    for (let i = 0; i < 5; i++) {
      await s.send(packet, { transport: "udp", hostname: "127.0.0.1", port: collector.port });
    }
    await waitFor("refused", () => collector.status().datagrams_refused === 5);
    const health = await (await t.call("GET", "/health", { as: null })).json();
    assert.equal(health.netflow.datagrams_refused, 5);
    assert.equal(health.netflow.templates, 0);
    assert.equal(health.netflow.exporters, 0);

    // A receive worker that dies comes back, counted on /health, its counts carried over.
    collector.testHooks.crashWorker();
    await waitFor("restarted", async () => {
      const h = await (await t.call("GET", "/health", { as: null })).json();
      return h.netflow.worker_restarts === 1 && h.netflow.state === "listening";
    });
    await s.send(packet, { transport: "udp", hostname: "127.0.0.1", port: collector.port });
    await waitFor("refused again", () => collector.status().datagrams_refused === 6);
  } finally {
    s.close();
    await task.stop();
  }
}, { ...CAPS, NETFLOW_ALLOWED_EXPORTERS: "198.51.100.0/24, 2001:db8::1" });

Deno.test("the collector binds where HOST does unless NETFLOW_BIND_HOST says otherwise", async () => {
  assert.equal(parseConfig({}).NETFLOW_BIND_HOST, "127.0.0.1");
  assert.equal(parseConfig({ HOST: "::1" }).NETFLOW_BIND_HOST, "::1");
  assert.equal(parseConfig({ HOST: "0.0.0.0" }).NETFLOW_BIND_HOST, "0.0.0.0");
  assert.equal(
    parseConfig({ HOST: "127.0.0.1", NETFLOW_BIND_HOST: "0.0.0.0" }).NETFLOW_BIND_HOST,
    "0.0.0.0",
  );
  // The Docker image serves the LAN, so it sets both explicitly.
  const dockerfile = await Deno.readTextFile(new URL("../../Dockerfile", import.meta.url));
  assert.match(dockerfile, /NETFLOW_BIND_HOST=0\.0\.0\.0/);
});

Deno.test("NETFLOW_ALLOWED_EXPORTERS takes CIDRs and addresses; a bad entry names the variable", () => {
  assert.deepEqual(parseConfig({}).NETFLOW_ALLOWED_EXPORTERS, []);
  assert.deepEqual(
    parseConfig({ NETFLOW_ALLOWED_EXPORTERS: "10.1.0.0/16, 2001:db8::/32 192.168.1.7" })
      .NETFLOW_ALLOWED_EXPORTERS,
    ["10.1.0.0/16", "2001:db8::/32", "192.168.1.7/32"],
  );
  assert.throws(
    () => parseConfig({ NETFLOW_ALLOWED_EXPORTERS: "10.0.0.0/8,10.0.0.300" }),
    (e) =>
      e instanceof ConfigError && e.message.includes("NETFLOW_ALLOWED_EXPORTERS") &&
      e.message.includes("300"),
  );
});
