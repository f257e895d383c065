import assert from "node:assert/strict";
import { createProbeBudget } from "./probe_budget.ts";

Deno.test("grants never add up to more than the cap, and waiters get slots back in order", async () => {
  const budget = createProbeBudget(64);
  const a = await budget.acquire(50);
  assert.equal(a.workers, 50);
  const b = await budget.acquire(50);
  assert.equal(b.workers, 14, "only what is left");
  assert.equal(budget.free(), 0);

  const order: string[] = [];
  const c = budget.acquire(10).then((g) => (order.push("c"), g));
  const d = budget.acquire(100).then((g) => (order.push("d"), g));
  await Promise.resolve();
  assert.deepEqual(order, [], "nothing is free yet");

  b.release();
  b.release(); // twice is harmless: slots are not counted twice
  const gc = await c;
  const gd = await d;
  assert.deepEqual(order, ["c", "d"]);
  assert.equal(gc.workers, 10);
  assert.equal(gd.workers, 4);
  assert.equal(budget.free(), 0);
  a.release();
  gc.release();
  gd.release();
  assert.equal(budget.free(), 64);
});

Deno.test("a wait can be aborted and frees its place in the queue", async () => {
  const budget = createProbeBudget(1);
  const held = await budget.acquire(1);
  const ac = new AbortController();
  const waiting = budget.acquire(1, ac.signal);
  ac.abort(new Error("stopping"));
  await assert.rejects(waiting, /stopping/);
  held.release();
  assert.equal(budget.free(), 1);
  assert.equal((await budget.acquire(5)).workers, 1);
});
