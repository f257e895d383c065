import assert from "node:assert/strict";
import { startMinuteTicks } from "./minute_ticks.ts";

/** A tick that resolves `first` on its first call and counts every call. */
function countingTick() {
  let calls = 0;
  let resolve!: () => void;
  const first = new Promise<void>((r) => (resolve = r));
  return {
    first,
    calls: () => calls,
    tick: () => {
      calls++;
      resolve();
    },
  };
}

Deno.test("ticks right away at start-up; stopping ends the cron and the timers", async () => {
  const t = countingTick();
  const stop = startMinuteTicks({ cronName: "minute-ticks-test-a", tick: t.tick, timerNote: "n" });
  await t.first;
  stop();
  // The op and resource sanitizers fail this test if a timer or the cron were left running.
  assert.equal(t.calls(), 1);
});

Deno.test("a cron name already taken falls back to a timer and still ticks", async () => {
  const a = countingTick();
  const b = countingTick();
  const stopA = startMinuteTicks({ cronName: "minute-ticks-test-b", tick: a.tick, timerNote: "n" });
  const stopB = startMinuteTicks({
    cronName: "minute-ticks-test-b",
    tick: b.tick,
    timerNote: "cron taken",
    alsoEveryMs: 60_000,
  });
  await Promise.all([a.first, b.first]);
  stopA();
  stopB();
  assert.deepEqual([a.calls(), b.calls()], [1, 1]);
});
