import assert from "node:assert/strict";
import { parseRetryAfter, retryDelayMs } from "./backoff.ts";

Deno.test("backoff doubles from the base, stays within half and all of it, and is capped", () => {
  const opts = { baseMs: 1000, maxMs: 60_000 };
  for (let attempt = 1; attempt <= 10; attempt++) {
    const exp = Math.min(60_000, 1000 * 2 ** (attempt - 1));
    for (let i = 0; i < 50; i++) {
      const d = retryDelayMs(attempt, opts);
      assert(d >= exp / 2 && d <= exp, `attempt ${attempt}: ${d} outside [${exp / 2}, ${exp}]`);
    }
  }
  assert.equal(retryDelayMs(1, { ...opts, random: () => 0 }), 500);
  assert.equal(retryDelayMs(3, { ...opts, random: () => 0.999999 }), 4000);
  assert.equal(retryDelayMs(100, { ...opts, random: () => 0 }), 30_000);
});

Deno.test("Retry-After is honoured up to the cap", () => {
  const opts = { baseMs: 100, maxMs: 10_000, random: () => 0 };
  assert.equal(retryDelayMs(1, opts, 5000), 5000);
  assert.equal(retryDelayMs(1, opts, 50_000), 10_000);
  assert.equal(parseRetryAfter("7", 0), 7000);
  assert.equal(parseRetryAfter(null, 0), 0);
  assert.equal(parseRetryAfter("soon", 0), 0);
  const now = Date.parse("2026-12-01T00:00:00Z");
  assert.equal(parseRetryAfter("Tue, 01 Dec 2026 00:00:30 GMT", now), 30_000);
});
