// The one limit on "do it now" requests (sweep, ping, port scan): N per user and target per minute.
import type { StateStore } from "@/services/store/mod.ts";
import { createRateLimiter, type RateLimiter } from "@/services/auth/mod.ts";
import { AppError } from "@/services/errors.ts";

/** "Scan now" and "scan ports now": this many requests per user and target per minute, then 429. */
export const REQUEST_NOW_MAX = 5;
export const REQUEST_NOW_WINDOW_MS = 60_000;

export function createRequestLimiter(
  kv: StateStore,
  prefix: string,
  now: () => number,
): RateLimiter {
  return createRateLimiter(kv, {
    prefix,
    max: REQUEST_NOW_MAX,
    windowMs: REQUEST_NOW_WINDOW_MS,
    now,
  });
}

/** Counts one request for `key`; over the limit, a 429 naming `what` and when to retry. */
export async function limitRequest(limiter: RateLimiter, key: string, what: string): Promise<void> {
  const r = await limiter.hit(key);
  if (!r.allowed) {
    throw new AppError(
      429,
      "rate_limited",
      `too many ${what}; at most ${REQUEST_NOW_MAX} per minute, ` +
        `try again in ${r.retryAfterSeconds} s`,
      { retry_after: r.retryAfterSeconds },
    );
  }
}
