import { stateTest } from "@/tests/support/state_engines.ts";
import assert from "node:assert/strict";
import { createRateLimiter } from "./rate_limit.ts";

stateTest("hit allows max hits per window, then reports when to retry", async (kv) => {
  let now = 1_000_000;
  const rl = createRateLimiter(kv, {
    prefix: "login_user",
    max: 3,
    windowMs: 60_000,
    now: () => now,
  });
  assert.deepEqual(await rl.hit("alice"), {
    allowed: true,
    count: 1,
    remaining: 2,
    retryAfterSeconds: 0,
  });
  assert.deepEqual(await rl.hit("alice"), {
    allowed: true,
    count: 2,
    remaining: 1,
    retryAfterSeconds: 0,
  });
  now += 10_000;
  assert.deepEqual(await rl.hit("alice"), {
    allowed: true,
    count: 3,
    remaining: 0,
    retryAfterSeconds: 0,
  });
  assert.deepEqual(await rl.hit("alice"), {
    allowed: false,
    count: 4,
    remaining: 0,
    retryAfterSeconds: 50,
  });
  now += 49_500;
  assert.deepEqual(await rl.hit("alice"), {
    allowed: false,
    count: 4,
    remaining: 0,
    retryAfterSeconds: 1,
  });
  // Other keys and prefixes are counted separately.
  assert.equal((await rl.hit("bob")).allowed, true);
  const other = createRateLimiter(kv, {
    prefix: "login_ip",
    max: 3,
    windowMs: 60_000,
    now: () => now,
  });
  assert.equal((await other.hit("alice")).remaining, 2);
  // A new window starts once the old one is over.
  now += 500;
  assert.deepEqual(await rl.hit("alice"), {
    allowed: true,
    count: 1,
    remaining: 2,
    retryAfterSeconds: 0,
  });
});

stateTest("blocked hits do not extend the window", async (kv) => {
  let now = 0;
  const rl = createRateLimiter(kv, { prefix: "p", max: 1, windowMs: 10_000, now: () => now });
  await rl.hit("k");
  for (let i = 0; i < 5; i++) {
    now += 1000;
    assert.equal((await rl.hit("k")).allowed, false);
  }
  now = 10_000;
  assert.equal((await rl.hit("k")).allowed, true);
});

stateTest("peek tells whether the next hit would pass without counting", async (kv) => {
  const now = 5_000;
  const rl = createRateLimiter(kv, { prefix: "p", max: 2, windowMs: 30_000, now: () => now });
  assert.deepEqual(await rl.peek("k"), {
    allowed: true,
    count: 0,
    remaining: 2,
    retryAfterSeconds: 0,
  });
  assert.deepEqual(await rl.peek("k"), {
    allowed: true,
    count: 0,
    remaining: 2,
    retryAfterSeconds: 0,
  });
  await rl.hit("k");
  assert.deepEqual(await rl.peek("k"), {
    allowed: true,
    count: 1,
    remaining: 1,
    retryAfterSeconds: 0,
  });
  await rl.hit("k");
  assert.deepEqual(await rl.peek("k"), {
    allowed: false,
    count: 2,
    remaining: 0,
    retryAfterSeconds: 30,
  });
});

stateTest("reset forgets a key", async (kv) => {
  const rl = createRateLimiter(kv, { prefix: "p", max: 1, windowMs: 60_000, now: () => 0 });
  await rl.hit("k");
  assert.equal((await rl.hit("k")).allowed, false);
  await rl.reset("k");
  assert.equal((await rl.hit("k")).allowed, true);
});

stateTest("concurrent hits are all counted (atomic check and retry)", async (kv) => {
  const rl = createRateLimiter(kv, { prefix: "p", max: 10, windowMs: 60_000, now: () => 0 });
  const results = await Promise.all(Array.from({ length: 25 }, () => rl.hit("k")));
  assert.equal(results.filter((r) => r.allowed).length, 10);
  const stored = await kv.get<{ count: number }>(["ratelimit", "p", "k"]);
  assert.equal(stored.value?.count, 11);
});

stateTest("two limiters on one KV (two instances) share the count", async (kv) => {
  const a = createRateLimiter(kv, { prefix: "scan_now", max: 1, windowMs: 60_000, now: () => 0 });
  const b = createRateLimiter(kv, { prefix: "scan_now", max: 1, windowMs: 60_000, now: () => 0 });
  assert.equal((await a.hit("subnet:1")).allowed, true);
  assert.equal((await b.hit("subnet:1")).allowed, false);
});

stateTest("nonsense limits are refused at construction", async (kv) => {
  assert.throws(() => createRateLimiter(kv, { prefix: "p", max: 0, windowMs: 1000 }), RangeError);
  assert.throws(() => createRateLimiter(kv, { prefix: "p", max: 1, windowMs: 0 }), RangeError);
  await Promise.resolve();
});
