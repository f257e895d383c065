// GET /netflow through the app: map, chart and tables for a window; labels escaped; a bad
// window explained instead of an error page.
import assert from "node:assert/strict";
import { appTest } from "@/tests/support/test_app.ts";
import { FlowChunkBuilder, type FlowRecord, insertFlowBatch } from "@/services/netflow/mod.ts";

appTest("the traffic page shows the map, talkers and escapes subnet names", async (t) => {
  const now = t.clock.now;
  await t.db.query(
    `insert into subnet (cidr, name) values ('127.0.2.0/24', '<script>alert(1)</script>'),
       ('198.51.100.0/24', 'Servers')`,
  );
  await t.db.query(`insert into host (ip, hostname) values ('127.0.2.7', 'desk<img>')`);
  const b = new FlowChunkBuilder("127.0.2.254", 4);
  const r: FlowRecord = {
    exporter: "127.0.2.254",
    version: 5,
    sourceId: 0,
    srcAddr: "127.0.2.7",
    dstAddr: "198.51.100.20",
    srcPort: 50000,
    dstPort: 22,
    protocol: 6,
    bytes: 123_456,
    packets: 100,
    startMs: now - 50_000,
    endMs: now - 40_000,
    inputIf: 0,
    outputIf: 0,
    tcpFlags: 0,
    samplingInterval: 1,
  };
  b.push(r, now);
  b.push({ ...r, dstAddr: "203.0.113.1", bytes: 1000 }, now);
  await insertFlowBatch(t.db, [b.take()], { nowMs: now, collector: "x" });

  const res = await t.call("GET", "/netflow?window=15m");
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /<svg[^>]*data-testid="traffic-map"/);
  assert.match(html, /data-testid="traffic-chart"/);
  assert.match(html, /data-edge="subnet:\d+&gt;subnet:\d+"|data-edge="subnet:\d+>subnet:\d+"/);
  assert.match(html, /data-node="external"/);
  assert.ok(!html.includes("<script>alert(1)</script>"), "subnet names are escaped");
  assert.ok(html.includes("&lt;script>alert(1)&lt;/script>"));
  assert.ok(!html.includes("desk<img>") && html.includes("desk&lt;img>"));
  assert.match(html, /data-testid="top-talkers"/);
  assert.match(html, /data-addr="127\.0\.2\.7"/);
  assert.match(html, /tcp\/22/);
  assert.match(html, /124 kB|123 kB/);
});

appTest("an empty window says so; a bad one is explained and the last hour shown", async (t) => {
  const empty = await (await t.call("GET", "/netflow")).text();
  assert.match(empty, /data-testid="traffic-map-empty"/);
  const bad = await t.call("GET", "/netflow?window=custom&from=nonsense");
  assert.equal(bad.status, 200);
  const html = await bad.text();
  assert.match(
    html,
    /role="alert"[^>]*>from &quot;nonsense&quot; is not a time|from "nonsense" is not a time/,
  );
  assert.match(html, /Showing the last hour instead/);
  const custom = await t.call(
    "GET",
    "/netflow?window=custom&from=2024-05-01T10:00&to=2024-05-01T11:00",
  );
  assert.equal(custom.status, 200);
  assert.match(await custom.text(), /value="2024-05-01T10:00"/);
});
