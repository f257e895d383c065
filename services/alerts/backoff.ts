// Retry delays: exponential from a base, capped, with "equal jitter" (half fixed, half random).

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** [0, 1); injected so tests are deterministic. */
  random?: () => number;
}

/** Delay before attempt `attempt + 1` after `attempt` failed attempts (attempt ≥ 1). */
export function retryDelayMs(attempt: number, opts: BackoffOptions, retryAfterMs = 0): number {
  const exp = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, Math.min(30, attempt - 1)));
  const jittered = exp / 2 + (opts.random ?? Math.random)() * (exp / 2);
  // A receiver's Retry-After is honoured, within the cap.
  return Math.round(Math.min(opts.maxMs, Math.max(jittered, retryAfterMs)));
}

/** Retry-After as seconds or an HTTP date; 0 when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number {
  if (!value) return 0;
  if (/^\d{1,7}$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : 0;
}
