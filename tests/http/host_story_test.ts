// One host, one story over HTTP on both engines: flows stored through the collector's insert
// path, an IPAM edit and an indicator through the real API, up/down events as sweeps store them;
// then the host page, the drawer's JSON and GET /api/v1/hosts/{id}/timeline and /traffic.
import assert from "node:assert/strict";
import { appTest, type TestApp } from "@/tests/support/test_app.ts";
import { FlowChunkBuilder, insertFlowBatch } from "@/services/netflow/mod.ts";
import type { FlowRecord } from "@/services/netflow/mod.ts";

function flow(t: TestApp, src: string, dst: string, bytes: number, dstPort = 443): FlowRecord {
  const now = t.clock.now;
  return {
    exporter: "127.0.2.254",
    version: 9,
    sourceId: 0,
    srcAddr: src,
    dstAddr: dst,
    srcPort: 50000,
    dstPort,
    protocol: 6,
    bytes,
    packets: 1,
    startMs: now - 20_000,
    endMs: now - 10_000,
    inputIf: 1,
    outputIf: 2,
    tcpFlags: 0x18,
    samplingInterval: 1,
  };
}

async function seed(t: TestApp) {
  await t.call("POST", "/api/v1/subnets", { json: { cidr: "198.51.100.0/24", name: "lab" } });
  const web = await (await t.call("POST", "/api/v1/hosts", {
    json: { ip: "198.51.100.10", hostname: "web-01" },
  })).json() as { id: number };
  await t.call("POST", "/api/v1/hosts", { json: { ip: "198.51.100.20", hostname: "db-01" } });
  const edit = await t.call("PATCH", `/api/v1/hosts/${web.id}`, {
    json: { description: "front web server" },
  });
  assert.equal(edit.status, 200);
  const ind = await t.call("PUT", `/api/v1/hosts/${web.id}/indicators/disk_used`, {
    json: { value: 93, unit: "%", status: "critical" },
  });
  assert.ok(ind.status < 300, `indicator: ${ind.status}`);
  await t.db.query(
    `insert into host_event (host_id, ts, kind, detail) values ($1, $2, 'down', '{}'),
       ($1, $3, 'up', '{}')`,
    // After the host was created (the database clock), as a sweep would store them.
    [web.id, new Date(Date.now() + 1_000), new Date(Date.now() + 2_000)],
  );
  const b = new FlowChunkBuilder("127.0.2.254", 16);
  b.push(flow(t, "198.51.100.10", "198.51.100.20", 5000, 5432), t.clock.now);
  b.push(flow(t, "198.51.100.10", "203.0.113.9", 3000), t.clock.now);
  b.push(flow(t, "203.0.113.9", "198.51.100.10", 40000), t.clock.now);
  await insertFlowBatch(t.db, [b.take()], { nowMs: t.clock.now, collector: "t" });
  return web;
}

appTest(
  "host story API: timeline newest first and paged, traffic with peers and split",
  async (t) => {
    const web = await seed(t);
    const res = await t.call("GET", `/api/v1/hosts/${web.id}/timeline?limit=100`);
    assert.equal(res.status, 200);
    const page = await res.json() as {
      items: Array<{ source: string; kind: string; summary: string; username: string | null }>;
      next_cursor: string | null;
    };
    const sources = page.items.map((i) => i.source);
    for (const s of ["first_seen", "audit", "event", "indicator"]) {
      assert.ok(sources.includes(s), `timeline has ${s}: ${sources}`);
    }
    const editLine = page.items.find((i) => i.source === "audit" && /edited host/.test(i.summary));
    assert.ok(editLine, JSON.stringify(page.items));
    assert.equal(editLine.username, "admin");
    const times = page.items.map((i) => Date.parse((i as unknown as { ts: string }).ts));
    assert.deepEqual(times, [...times].sort((a, b) => b - a), "newest first");

    const first = await (await t.call("GET", `/api/v1/hosts/${web.id}/timeline?limit=2`)).json();
    assert.equal(first.items.length, 2);
    assert.ok(first.next_cursor);
    const second = await (await t.call(
      "GET",
      `/api/v1/hosts/${web.id}/timeline?limit=2&cursor=${encodeURIComponent(first.next_cursor)}`,
    )).json();
    assert.deepEqual(
      [...first.items, ...second.items].map((i: { summary: string }) => i.summary),
      page.items.slice(0, 4).map((i) => i.summary),
    );

    const tr = await t.call("GET", `/api/v1/hosts/${web.id}/traffic?window=1h`);
    assert.equal(tr.status, 200);
    const traffic = await tr.json();
    assert.deepEqual(
      traffic.peers.map((p: { addr: string; hostname: string | null; internal: boolean }) => [
        p.addr,
        p.hostname,
        p.internal,
      ]),
      [["203.0.113.9", null, false], ["198.51.100.20", "db-01", true]],
    );
    assert.deepEqual(traffic.split, { internal: 5000, external: 43000 });
    assert.deepEqual(traffic.totals, { bytes_sent: 8000, bytes_received: 40000, flows: 3 });
    assert.deepEqual(traffic.ports.map((p: { port: number }) => p.port), [443, 5432]);
  },
);

appTest("host story API: unknown host 404, hostile cursor and limits 422, never 500", async (t) => {
  const web = await seed(t);
  assert.equal((await t.call("GET", "/api/v1/hosts/999999/timeline")).status, 404);
  assert.equal((await t.call("GET", "/api/v1/hosts/999999/traffic")).status, 404);
  for (
    const q of ["cursor=%00", "cursor=nope", "cursor=1.audit.1'--", "limit=0", "limit=9999"]
  ) {
    const r = await t.call("GET", `/api/v1/hosts/${web.id}/timeline?${q}`);
    assert.equal(r.status, 422, q);
    await r.body?.cancel();
  }
  const w = await t.call("GET", `/api/v1/hosts/${web.id}/traffic?window=%00`);
  assert.equal(w.status, 422);
  await w.body?.cancel();
});

appTest("host page and drawer JSON show traffic and the timeline", async (t) => {
  const web = await seed(t);
  const res = await t.call("GET", `/hosts/${web.id}`);
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /data-testid="host-traffic"/);
  assert.match(html, /data-peer="203\.0\.113\.9"/);
  assert.match(html, /internal 10% · external 90%/);
  assert.match(html, /data-testid="host-timeline"/);
  assert.match(html, /edited host/);
  assert.match(html, /went down/);
  const json = await (await t.call("GET", `/hosts/${web.id}?format=json`)).json();
  assert.equal(json.story.traffic.peers.length, 2);
  assert.ok(json.story.timeline.items.length >= 5);
  // The "Older" link pages the timeline on the page itself.
  const old = await t.call("GET", `/hosts/${web.id}?timeline=${"9".repeat(13)}.zz.1`);
  assert.equal(old.status, 200);
  await old.body?.cancel();
});
