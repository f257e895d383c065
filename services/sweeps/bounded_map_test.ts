import assert from "node:assert/strict";
import { mapBounded } from "./bounded_map.ts";

Deno.test("mapBounded keeps input order and never exceeds the worker count", async () => {
  let inFlight = 0;
  let peak = 0;
  const out = await mapBounded([5, 1, 4, 2, 3, 0, 6], 3, async (n) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    // Later items finish first, so order must come from the index, not completion.
    for (let i = 0; i < 10 - n; i++) await Promise.resolve();
    inFlight--;
    return n * 10;
  });
  assert.deepEqual(out, [50, 10, 40, 20, 30, 0, 60]);
  assert.equal(peak, 3);
});

Deno.test("mapBounded skips items not yet started once stop() is true", async () => {
  const seen: number[] = [];
  const out = await mapBounded([1, 2, 3, 4, 5], 1, (n) => {
    seen.push(n);
    return Promise.resolve(n);
  }, () => seen.length >= 2);
  assert.deepEqual(seen, [1, 2]);
  assert.deepEqual(out, [1, 2, undefined, undefined, undefined]);
});

Deno.test("mapBounded treats nonsense worker counts as one lane", async () => {
  let peak = 0;
  let inFlight = 0;
  await mapBounded([1, 2, 3], 0, async () => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await Promise.resolve();
    inFlight--;
  });
  assert.equal(peak, 1);
  assert.deepEqual(await mapBounded([], 8, () => Promise.resolve(1)), []);
});
