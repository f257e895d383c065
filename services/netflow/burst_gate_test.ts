import assert from "node:assert/strict";
import { BurstGate } from "./burst_gate.ts";

const opts = { burstBytesPerMs: 20_000, quietMs: 200, maxHoldMs: 5000 };
const MiB = 1024 * 1024;

Deno.test("BurstGate holds while batches fill fast and lets go once the socket is quiet", () => {
  const g = new BurstGate(opts);
  assert.equal(g.holding(0), false);
  g.filled(1000, 60, MiB); // 17 MB/s: steady traffic, no hold
  assert.equal(g.holding(1000), false);
  g.filled(1010, 5, MiB);
  assert.equal(g.holding(1010), true);
  g.filled(1020, 5, MiB);
  assert.equal(g.holding(1219), true);
  assert.equal(g.holding(1220), false);
  assert.equal(g.holding(1230), false);
});

Deno.test("BurstGate stops holding a flood after maxHoldMs until it has been quiet", () => {
  const g = new BurstGate(opts);
  for (let t = 0; t <= 6000; t += 10) g.filled(t, 5, MiB);
  assert.equal(g.holding(4990), true);
  assert.equal(g.holding(6000), false);
  // The same flood goes on: still drained while it lasts.
  g.filled(6010, 5, MiB);
  assert.equal(g.holding(6010), false);
  // Quiet, then a new burst: held again.
  g.filled(7000, 5, MiB);
  assert.equal(g.holding(7000), true);
});
