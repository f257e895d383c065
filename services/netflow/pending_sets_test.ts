// Pending data sets: count/byte/age bounds and lookup by domain + template.
import assert from "node:assert/strict";
import { type PendingSet, PendingSets } from "./pending_sets.ts";

function entry(templateId: number, arrivedMs: number, size = 10, domainKey = "d"): PendingSet {
  return {
    domainKey,
    exporter: "198.51.100.1",
    version: 9,
    sourceId: 0,
    templateId,
    body: new Uint8Array(size),
    arrivedMs,
    headerMs: 0,
    sysUptime: 0,
  };
}

Deno.test("pending sets: bounded by count and bytes, oldest dropped first", () => {
  const dropped: number[] = [];
  const drop = (e: PendingSet) => dropped.push(e.arrivedMs);
  const byCount = new PendingSets({ ttlMs: 1000, maxSets: 3, maxBytes: 1_000_000 });
  for (let i = 0; i < 5; i++) byCount.add(entry(256, i), drop);
  assert.deepEqual(dropped, [0, 1]);
  assert.equal(byCount.size, 3);
  const byBytes = new PendingSets({ ttlMs: 1000, maxSets: 100, maxBytes: 25 });
  dropped.length = 0;
  for (let i = 0; i < 4; i++) byBytes.add(entry(256, i), drop);
  byBytes.add(entry(256, 9, 26), drop); // larger than the whole budget: dropped at once
  assert.deepEqual(dropped, [0, 1, 9]);
});

Deno.test("pending sets: expire by age, take by domain and template in arrival order", () => {
  const dropped: number[] = [];
  const drop = (e: PendingSet) => dropped.push(e.arrivedMs);
  const sets = new PendingSets({ ttlMs: 100, maxSets: 1000, maxBytes: 1_000_000 });
  for (let i = 0; i < 200; i++) sets.add(entry(256 + (i % 2), i, 1, i % 3 === 0 ? "a" : "b"), drop);
  sets.expire(150, drop);
  assert.equal(dropped.length, 50, "arrived before 50 ms");
  assert.deepEqual(sets.take("c", 256), []);
  const taken = sets.take("a", 256);
  assert.ok(taken.length > 0);
  assert.ok(taken.every((e) => e.domainKey === "a" && e.templateId === 256));
  assert.deepEqual(
    taken.map((e) => e.arrivedMs),
    [...taken.map((e) => e.arrivedMs)].sort((x, y) => x - y),
  );
  assert.deepEqual(sets.take("a", 256), []);
  assert.equal(sets.size, 150 - taken.length);
});
