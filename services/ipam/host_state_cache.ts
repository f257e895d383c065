// A process cache of every host's live state (KV stays the durable copy). Readers share one KV
// prefix scan: concurrent requests wait for the same scan, and its result serves for `maxAgeMs`
// (then a little longer while one rescan runs in the background).
// The writer in this process (discovery's state store) puts its transitions in at once, so this
// process never reads its own writes late; writes of other processes show within `maxAgeMs`.
// Off unless enabled for a KV handle (main.ts does): direct KV writes in tests stay visible.
// On NATS KV (`follow`, the default there) one scan is taken and then kept current from the
// store's change feed: rescanning 100,000 keys through JetStream every second would cost more
// than every page that reads them; a full rescan then runs only every FOLLOW_RESCAN_MS.
import { asHostState, HOST_STATE_PREFIX, type HostState } from "./host_state.ts";
import type { StateStore } from "@/services/store/mod.ts";

interface Cache {
  maxAgeMs: number;
  now: () => number;
  snapshot: Map<string, HostState> | null;
  takenAt: number;
  scan: Promise<Map<string, HostState>> | null;
  /** Writes made while a scan runs: they win over what the scan read. */
  during: Map<string, HostState | null> | null;
  /** Kept current from the store's watch; rescanned only as a backstop. */
  follow: boolean;
  unwatch: (() => void) | null;
}

const caches = new WeakMap<StateStore, Cache>();
/** A snapshot older than this many maxAgeMs is never served, even while a rescan runs. */
const STALE_LIMIT = 10;
/** A followed snapshot is rescanned this often anyway (a watch that silently ended). */
export const FOLLOW_RESCAN_MS = 5 * 60_000;

export function enableHostStateCache(
  kv: StateStore,
  opts: { maxAgeMs: number; now?: () => number; follow?: boolean },
): void {
  caches.get(kv)?.unwatch?.();
  if (opts.maxAgeMs <= 0) {
    caches.delete(kv);
    return;
  }
  const c: Cache = {
    maxAgeMs: opts.maxAgeMs,
    now: opts.now ?? Date.now,
    snapshot: null,
    takenAt: 0,
    scan: null,
    during: null,
    follow: opts.follow ?? kv.engine === "nats",
    unwatch: null,
  };
  if (c.follow) {
    // Watching starts before the first scan, so nothing written meanwhile is missed. The feed
    // is in write order per key; this process's own writes come back as the same values.
    c.unwatch = kv.watch([HOST_STATE_PREFIX], ({ key, value }) => {
      const ip = key[1];
      if (typeof ip === "string") {
        noteHostStates(kv, [[ip, value === null ? null : asHostState(value)]]);
      }
    });
  }
  caches.set(kv, c);
}

export function hostStateCacheEnabled(kv: StateStore): boolean {
  return caches.has(kv);
}

async function scanAll(kv: StateStore): Promise<Map<string, HostState>> {
  const out = new Map<string, HostState>();
  for await (const e of kv.list({ prefix: [HOST_STATE_PREFIX] }, { batchSize: 1000 })) {
    const ip = e.key[1];
    const state = typeof ip === "string" ? asHostState(e.value) : null;
    if (state) out.set(ip as string, state);
  }
  return out;
}

/**
 * Every stored state, at most `maxAgeMs` old (plus one scan), or null when the cache is off for
 * this KV handle. The map is shared: callers must not change it.
 */
export async function hostStateSnapshot(
  kv: StateStore,
): Promise<ReadonlyMap<string, HostState> | null> {
  const c = caches.get(kv);
  if (!c) return null;
  const age = c.now() - c.takenAt;
  const fresh = c.follow ? FOLLOW_RESCAN_MS : c.maxAgeMs;
  if (c.snapshot && age < fresh) return c.snapshot;
  if (!c.scan) {
    const startedAt = c.now();
    c.during = new Map();
    c.scan = scanAll(kv).then((states) => {
      for (const [ip, s] of c.during ?? []) s ? states.set(ip, s) : states.delete(ip);
      c.snapshot = states;
      c.takenAt = startedAt;
      return states;
    }).finally(() => {
      c.scan = null;
      c.during = null;
    });
  }
  // A little old: serve it while the rescan runs (nobody waits for it); much older: wait. A
  // followed snapshot is current anyway: always served.
  if (c.snapshot && (c.follow || age < c.maxAgeMs * STALE_LIMIT)) return c.snapshot;
  return await c.scan;
}

/** The writer's transitions (null: the state was deleted), applied to the cache at once. */
export function noteHostStates(
  kv: StateStore,
  changes: Iterable<readonly [string, HostState | null]>,
): void {
  const c = caches.get(kv);
  if (!c) return;
  for (const [ip, state] of changes) {
    const s = state ? asHostState(state) : null;
    if (c.snapshot) s ? c.snapshot.set(ip, s) : c.snapshot.delete(ip);
    c.during?.set(ip, s);
  }
}
