// A short-lived, single-flight memo of read models, per database handle. Under many clients every
// dashboard request asked the same ~10 queries (≈1 s of PGlite time each) and every API call the
// same token lookup: now concurrent requests for the same key share one computation, and its
// result serves for `maxAgeMs`. Past that, callers still get the previous result while one
// refresh runs (so nobody waits for it), up to STALE_LIMIT × maxAgeMs; older results are not
// served. A write through this process (POST/PUT/PATCH/DELETE, see app.ts) forgets everything at
// once, so people see their own changes; changes of other processes show within about maxAge.
// A live event (sweep verdicts: several a second while a fleet's results stream in) forgets
// nothing: reads that follow live state (`live: true`) and were served since computed are
// refreshed in the background, at once or maxAge/2 after their last refresh began, and their
// previous result serves meanwhile; a read nobody looked at is forgotten. Forgetting on every
// event made each dashboard request recompute the whole board while results streamed in.
// Off unless enabled (main.ts does), so tests that write SQL directly keep reading fresh.

interface Entry {
  /** When the value was computed; null while its first computation runs (callers join it). */
  at: number | null;
  /** When its computation started. */
  startedAt: number;
  value: Promise<unknown>;
  refreshing: boolean;
  compute: () => Promise<unknown>;
  /** Follows live state: a live event refreshes it instead of leaving it be. */
  live: boolean;
  /** When it (or the result it refreshes) was last served: a live event refreshes it while
   * people look, and forgets it otherwise. */
  readAt: number | null;
  /** The memo's live-event count when its computation started. */
  eventsAtStart: number;
  /** The memo's live-event count at the last event that made it stale (0: none). */
  staleAt: number;
  /** A refresh waiting for its turn (one per maxAge/2 at most). */
  timer: ReturnType<typeof setTimeout> | null;
}

interface Memo {
  maxAgeMs: number;
  now: () => number;
  entries: Map<string, Entry>;
  /** Live events seen (liveStateChanged calls). */
  events: number;
}

/** Keys kept at most; a filter bar can make many, and each holds a page of rows. */
const MAX_KEYS = 64;
/** A result older than this many maxAgeMs is never served, even while a refresh runs. */
const STALE_LIMIT = 10;
const memos = new WeakMap<object, Memo>();

export function enableReadMemo(
  owner: object,
  opts: { maxAgeMs: number; now?: () => number },
): void {
  forgetReads(owner);
  if (opts.maxAgeMs <= 0) memos.delete(owner);
  else {
    memos.set(owner, {
      maxAgeMs: opts.maxAgeMs,
      now: opts.now ?? Date.now,
      entries: new Map(),
      events: 0,
    });
  }
}

function drop(m: Memo, key: string): void {
  const e = m.entries.get(key);
  if (e?.timer != null) clearTimeout(e.timer);
  m.entries.delete(key);
}

/** Forgets every memoized read of `owner` (after a write). */
export function forgetReads(owner: object): void {
  const m = memos.get(owner);
  if (!m) return;
  for (const key of [...m.entries.keys()]) drop(m, key);
}

/**
 * Live state changed (a sweep's verdicts, here or in another process): see the top of the file.
 * Reads that do not follow live state (a session's user, a token's owner) are left alone.
 */
export function liveStateChanged(owner: object): void {
  const m = memos.get(owner);
  if (!m) return;
  m.events++;
  for (const [key, e] of [...m.entries]) {
    if (!e.live) continue;
    // Still computing, or nobody looked lately: its next reader computes afresh (and waits).
    if (e.at === null || e.readAt === null || m.now() - e.readAt > m.maxAgeMs * STALE_LIMIT) {
      drop(m, key);
      continue;
    }
    e.staleAt = m.events;
    scheduleRefresh(m, key, e);
  }
}

/** Refreshes a stale entry now, or maxAge/2 after its last computation began. */
function scheduleRefresh(m: Memo, key: string, e: Entry): void {
  if (e.refreshing || e.timer !== null) return;
  const run = () => {
    e.timer = null;
    if (m.entries.get(key) !== e || e.refreshing) return;
    e.refreshing = true;
    start(m, key, e.compute, e.live, e);
  };
  const wait = e.startedAt + m.maxAgeMs / 2 - m.now();
  if (wait <= 0) return run();
  const timer = setTimeout(run, wait);
  // A pending refresh must not keep a stopping process alive.
  Deno.unrefTimer(timer);
  e.timer = timer;
}

function start<T>(
  m: Memo,
  key: string,
  compute: () => Promise<T>,
  live: boolean,
  /** The entry this computation refreshes (it stays current until this one is done). */
  previous?: Entry,
): Entry {
  const entry: Entry = {
    at: null,
    startedAt: m.now(),
    value: Promise.resolve(),
    refreshing: false,
    compute,
    live,
    readAt: previous?.readAt ?? null,
    eventsAtStart: m.events,
    staleAt: 0,
    timer: null,
  };
  const value = compute();
  entry.value = value;
  value.then(
    () => {
      entry.at = m.now();
      // A refresh replaces the entry only when it finished (and nothing forgot it meanwhile).
      const current = m.entries.get(key);
      if (current !== entry && current?.refreshing) {
        drop(m, key);
        m.entries.set(key, entry);
        if (previous) entry.readAt = previous.readAt;
        // An event during the computation is not in its result: refreshed again (people still
        // look, or the event would have forgotten the previous result).
        if (previous && current === previous && previous.staleAt > entry.eventsAtStart) {
          entry.staleAt = previous.staleAt;
          scheduleRefresh(m, key, entry);
        }
      }
    },
    () => {
      // A failure is not kept: the next request tries again.
      const current = m.entries.get(key);
      if (current === entry) drop(m, key);
      else if (current) current.refreshing = false;
    },
  );
  return entry;
}

/**
 * `compute()`, or the result of a recent (or running) call with the same key: see above.
 * `live`: the result shows live host state, so live events refresh it (liveStateChanged).
 */
export function memoRead<T>(
  owner: object,
  key: string,
  compute: () => Promise<T>,
  opts: { live?: boolean } = {},
): Promise<T> {
  const m = memos.get(owner);
  if (!m) return compute();
  const live = opts.live ?? false;
  const hit = m.entries.get(key);
  if (hit) {
    if (hit.at === null) return hit.value as Promise<T>;
    const age = m.now() - hit.at;
    if (age < m.maxAgeMs * STALE_LIMIT) {
      hit.readAt = m.now();
      // Fresh, or stale by a live event with its refresh on the way: served as it is.
      if (age < m.maxAgeMs || hit.refreshing || hit.timer !== null) {
        return hit.value as Promise<T>;
      }
      hit.refreshing = true;
      start(m, key, compute, live, hit);
      return hit.value as Promise<T>;
    }
  }
  const entry = start(m, key, compute, live);
  entry.readAt = m.now();
  drop(m, key);
  m.entries.set(key, entry);
  while (m.entries.size > MAX_KEYS) drop(m, m.entries.keys().next().value!);
  return entry.value as Promise<T>;
}
