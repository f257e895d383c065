// The read memo: shared while running, reused while fresh, served stale while it refreshes (within a
// limit), forgotten after a write, failures not kept.
import assert from "node:assert/strict";
import { enableReadMemo, forgetReads, liveStateChanged, memoRead } from "./read_memo.ts";

Deno.test("read memo: off by default, single flight, reuse within maxAge, forget", async () => {
  const owner = {};
  let calls = 0;
  const compute = () => Promise.resolve(++calls);
  assert.equal(await memoRead(owner, "k", compute), 1);
  assert.equal(await memoRead(owner, "k", compute), 2, "off: every call computes");

  let now = 0;
  enableReadMemo(owner, { maxAgeMs: 100, now: () => now });
  const [a, b] = await Promise.all([memoRead(owner, "k", compute), memoRead(owner, "k", compute)]);
  assert.deepEqual([a, b], [3, 3]);
  now = 99;
  assert.equal(await memoRead(owner, "k", compute), 3);
  assert.equal(await memoRead(owner, "other", compute), 4, "keys are separate");
  now = 100;
  assert.equal(await memoRead(owner, "k", compute), 3, "an old result serves while it refreshes");
  assert.equal(await memoRead(owner, "k", compute), 5, "then the refreshed one (one refresh)");
  forgetReads(owner);
  assert.equal(await memoRead(owner, "k", compute), 6, "a write forgets everything");
  now = 100 + 10 * 100;
  assert.equal(await memoRead(owner, "k", compute), 7, "a result too old is never served");
});

Deno.test("read memo: a failed read is not kept", async () => {
  const owner = {};
  enableReadMemo(owner, { maxAgeMs: 60_000 });
  await assert.rejects(memoRead(owner, "k", () => Promise.reject(new Error("db down"))));
  assert.equal(await memoRead(owner, "k", () => Promise.resolve("ok")), "ok");
});

Deno.test("read memo: a live event refreshes live reads in the background, once", async () => {
  const owner = {};
  let now = 0;
  enableReadMemo(owner, { maxAgeMs: 100, now: () => now });
  let calls = 0;
  let release: (() => void) | null = null;
  const compute = () => {
    calls++;
    const n = calls;
    return new Promise<number>((r) => (release = () => r(n)));
  };
  const first = memoRead(owner, "board", compute, { live: true });
  release!();
  assert.equal(await first, 1);
  const session = memoRead(owner, "user", () => Promise.resolve("u1"));
  assert.equal(await session, "u1");

  now = 60; // past maxAge/2 since the first computation began: the refresh starts at once
  liveStateChanged(owner);
  liveStateChanged(owner);
  assert.equal(calls, 2, "one refresh for both events");
  assert.equal(await memoRead(owner, "board", compute, { live: true }), 1, "old result meanwhile");
  liveStateChanged(owner); // during the refresh: its result will be stale at once
  now = 111; // and maxAge/2 after the refresh began, so the next one starts at once
  release!();
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(await memoRead(owner, "board", compute, { live: true }), 2, "the refreshed one");
  assert.equal(calls, 3, "the event during the refresh started another one");
  release!();
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(await memoRead(owner, "board", compute, { live: true }), 3);
  assert.equal(
    await memoRead(owner, "user", () => Promise.resolve("u2")),
    "u1",
    "reads that do not follow live state are left alone by live events",
  );

  // Nobody looked lately: the event forgets it, and the next reader computes (and waits).
  now = 111 + 10 * 100 + 1;
  liveStateChanged(owner);
  const next = memoRead(owner, "board", compute, { live: true });
  assert.equal(calls, 4);
  release!();
  assert.equal(await next, 4);
  forgetReads(owner);
});

Deno.test("read memo: after a live event, a refresh waits for maxAge/2 since the last one", async () => {
  const owner = {};
  enableReadMemo(owner, { maxAgeMs: 40 });
  let calls = 0;
  const compute = () => Promise.resolve(++calls);
  assert.equal(await memoRead(owner, "board", compute, { live: true }), 1);
  liveStateChanged(owner);
  assert.equal(calls, 1, "the last computation began less than maxAge/2 ago");
  assert.equal(await memoRead(owner, "board", compute, { live: true }), 1);
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(calls, 2, "the timer ran the refresh");
  assert.equal(await memoRead(owner, "board", compute, { live: true }), 2);
});
