import assert from "node:assert/strict";
import {
  intervalProblem,
  intervalWords,
  knownHostCycleWords,
  sweptEveryS,
} from "./scan_interval.ts";

Deno.test("intervalWords: the interval a subnet shows, in the UI's words", () => {
  assert.equal(intervalWords(60), "1 min");
  assert.equal(intervalWords(300), "5 min");
  assert.equal(intervalWords(3600), "1 h");
  assert.equal(intervalWords(5400), "1 h 30 min");
  assert.equal(intervalWords(86400), "1 d");
  assert.equal(intervalWords(90), "90 s");
});

Deno.test("sweptEveryS: the floor and the tick decide what is kept", () => {
  assert.equal(sweptEveryS(30, 60), 60, "a minute tick cannot keep 30 s");
  assert.equal(sweptEveryS(90, 60), 120, "due between two ticks: swept on the next one");
  assert.equal(sweptEveryS(300, 60), 300);
  assert.equal(sweptEveryS(30, 10), 30, "a 10 s floor ticks every 10 s");
  assert.equal(sweptEveryS(60, 300), 300, "never below the floor");
  assert.equal(intervalProblem(300, 60), null);
  assert.match(intervalProblem(30, 60)!, /30 s would really be 1 min: choose 60 seconds/);
});

Deno.test("knownHostCycleWords: the period, and the last check's age and result", () => {
  const now = 1_000_000;
  assert.equal(
    knownHostCycleWords(60, null, now),
    "Known hosts are pinged every 1 min between sweeps; no check has finished yet.",
  );
  const last = {
    finished_at: now - 12_000,
    hosts: 12,
    up: 10,
    left_to_sweeps: 0,
    status: "succeeded",
  };
  assert.equal(
    knownHostCycleWords(5, last, now),
    "Known hosts are pinged every 5 s between sweeps; the last check 12 s ago: 10 of 12 up.",
  );
  assert.equal(
    knownHostCycleWords(5, { ...last, left_to_sweeps: 3, status: "failed" }, now),
    "Known hosts are pinged every 5 s between sweeps; the last check 12 s ago: failed " +
      "(3 left to their subnet's sweep).",
  );
});
