import assert from "node:assert/strict";
import { bucketAt, sparkGeometry, STRIP } from "./sparkline_geometry.ts";

const p = (up: number | null, latency_ms: number | null) => ({
  t: "2026-01-20T00:00:00Z",
  up,
  latency_ms,
});

Deno.test("sparkline: latency line scaled to the maximum, broken where no sweep ran", () => {
  const g = sparkGeometry([p(1, 1), p(1, 2), p(null, null), p(1, 2)], 40, 24);
  assert.equal(g.maxLatency, 2);
  // x at bucket centres (5, 15, 35); y from the bottom of the line area (24-4-2=18) up to 2.
  assert.equal(g.latencyPath, "M5 10L15 2M35 2");
  assert.equal(g.sampledBuckets, 3);
  assert.equal(g.downBuckets, 0);
  assert.deepEqual(g.bars.map((b) => [b.index, b.kind, b.y, b.height]), [
    [0, "up", 24 - STRIP, STRIP],
    [1, "up", 24 - STRIP, STRIP],
    [3, "up", 24 - STRIP, STRIP],
  ]);
});

Deno.test("sparkline: any downtime gets a full-height band, partial or total", () => {
  const g = sparkGeometry([p(1, 0.5), p(2 / 3, 0.5), p(0, null)], 30, 20);
  assert.deepEqual(g.bars.map((b) => [b.kind, b.y, b.height]), [
    ["up", 20 - STRIP, STRIP],
    ["partial", 0, 20],
    ["down", 0, 20],
  ]);
  assert.equal(g.downBuckets, 2);
});

Deno.test("sparkline: empty or latency-less input draws no line and no NaN", () => {
  const none = sparkGeometry([], 100, 20);
  assert.equal(none.latencyPath, "");
  assert.deepEqual(none.bars, []);
  const flat = sparkGeometry([p(0, null), p(0, null)], 100, 20);
  assert.equal(flat.latencyPath, "");
  assert.equal(flat.maxLatency, null);
  const zero = sparkGeometry([p(1, 0), p(1, 0)], 100, 20);
  assert.doesNotMatch(zero.latencyPath, /NaN|Infinity/);
});

Deno.test("sparkline: the bucket under the pointer is clamped to the series", () => {
  assert.equal(bucketAt(0, 100, 4), 0);
  assert.equal(bucketAt(49, 100, 4), 1);
  assert.equal(bucketAt(100, 100, 4), 3);
  assert.equal(bucketAt(-5, 100, 4), 0);
  assert.equal(bucketAt(5, 100, 0), -1);
});
