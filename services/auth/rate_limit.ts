// Fixed-window counters in the state store (login throttling, "scan now" debouncing), shared by
// every instance.
import type { StateKey, StateStore } from "@/services/store/mod.ts";

export interface RateLimitResult {
  allowed: boolean;
  /** Hits still allowed in the current window. */
  remaining: number;
  /** Hits counted in the current window (saturates just above `max`). */
  count: number;
  /** 0 when allowed; otherwise seconds until the window resets (for Retry-After). */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  /** Counts one hit for `key` and says whether it is within the limit. */
  hit(key: string): Promise<RateLimitResult>;
  /** The state for `key` without counting a hit (check before doing costly work). */
  peek(key: string): Promise<RateLimitResult>;
  /** Forgets `key` (after a successful login, say). */
  reset(key: string): Promise<void>;
}

export interface RateLimiterOptions {
  /** Names the bucket: "login_user", "login_ip", "scan_now"… */
  prefix: string;
  /** Hits allowed per window. */
  max: number;
  windowMs: number;
  /** Clock in epoch milliseconds; tests move it instead of sleeping. */
  now?: () => number;
}

interface Window {
  count: number;
  startedAt: number;
}

const MAX_ATTEMPTS = 32;

export function createRateLimiter(kv: StateStore, opts: RateLimiterOptions): RateLimiter {
  if (!(opts.max >= 1) || !(opts.windowMs >= 1)) {
    throw new RangeError(`rate limiter "${opts.prefix}": max and windowMs must be >= 1`);
  }
  const now = opts.now ?? Date.now;
  const keyOf = (key: string): StateKey => ["ratelimit", opts.prefix, key];

  function live(w: Window | null, t: number): Window | null {
    return w && t >= w.startedAt && t < w.startedAt + opts.windowMs ? w : null;
  }

  function secondsLeft(w: Window, t: number): number {
    return Math.max(1, Math.ceil((w.startedAt + opts.windowMs - t) / 1000));
  }

  function result(w: Window | null, t: number): RateLimitResult {
    const count = w?.count ?? 0;
    const allowed = count <= opts.max;
    return {
      allowed,
      count,
      remaining: Math.max(0, opts.max - count),
      retryAfterSeconds: allowed || !w ? 0 : secondsLeft(w, t),
    };
  }

  return {
    async hit(key) {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const t = now();
        const entry = await kv.get<Window>(keyOf(key));
        const current = live(entry.value, t);
        // Once over the limit, further hits change nothing; skip the write.
        if (current && current.count > opts.max) return result(current, t);
        const next: Window = current
          ? { count: current.count + 1, startedAt: current.startedAt }
          : { count: 1, startedAt: t };
        const res = await kv.compareAndSet(keyOf(key), entry.versionstamp, next, {
          expireIn: Math.max(1, next.startedAt + opts.windowMs - t),
        });
        if (res.ok) return result(next, t);
      }
      throw new Error(`rate limiter "${opts.prefix}": too much contention on one key`);
    },
    async peek(key) {
      const t = now();
      const w = live((await kv.get<Window>(keyOf(key))).value, t);
      // peek says whether one more hit would pass, not whether the last one did.
      const blocked = (w?.count ?? 0) >= opts.max;
      return {
        allowed: !blocked,
        count: w?.count ?? 0,
        remaining: Math.max(0, opts.max - (w?.count ?? 0)),
        retryAfterSeconds: blocked && w ? secondsLeft(w, t) : 0,
      };
    },
    async reset(key) {
      await kv.delete(keyOf(key));
    },
  };
}
