// Current host state in the state store (["host_state", ip]): version-checked transitions per
// sweep.
import type { StateEntry, StateOp, StateStore } from "@/services/store/mod.ts";

import {
  HOST_STATE_PREFIX,
  hostStateKey,
  hostStateSnapshot,
  noteHostStates,
  type StoredHostState,
} from "@/services/ipam/mod.ts";

/** The agreed KV value per address (key and type owned by IPAM's host_state.ts). */
export type HostState = StoredHostState;
export { HOST_STATE_PREFIX, hostStateKey };

/** One verdict of a sweep for one address. */
export interface Observation {
  ip: string;
  up: boolean;
  latencyMs: number | null;
  method: string;
}

/** What writing one observation did. */
export interface Transition {
  ip: string;
  prev: HostState | null;
  next: HostState;
  /** prev existed and its up differs from next's: an up→down or down→up flip. */
  flipped: boolean;
}

/** Observations written per batch (Deno KV commits up to 100 checks at once). */
const ATOMIC_CHECKS_MAX = 100;
/** Groups written at once: enough to overlap KV round trips, few enough to stay gentle. */
const GROUPS_IN_FLIGHT = 8;
const RETRIES_PER_HOST = 16;
/**
 * Scaled out (NATS KV, with `coalesceUnchanged`), a verdict that leaves a host's state as this
 * process last stored it (same up, method and since: only latency, last answer and check time
 * move) is stored again at most this often. Each store is a JetStream round trip, echoed back to
 * every process that follows the bucket: at 130,000 hosts a minute they were half of ingest's
 * time. This process's readers and live events still get every verdict; other processes see the
 * latency and check time of an unchanged host up to this old (its last answer is in SQL anyway).
 */
export const UNCHANGED_REWRITE_MS = 5 * 60_000;

/** The state after observing `obs` at `ts`; pure, so flips and `since` are easy to test. */
export function nextState(prev: HostState | null, obs: Observation, ts: number): HostState {
  const flipped = prev !== null && prev.up !== obs.up;
  return {
    up: obs.up,
    latency_ms: obs.up ? obs.latencyMs : null,
    since: prev === null || flipped ? ts : prev.since,
    last_seen: obs.up ? ts : (prev?.last_seen ?? null),
    method: obs.method,
    checked_at: ts,
  };
}

/** Reads the states of `ips`; absent addresses are missing from the map. */
export async function readStates(
  kv: StateStore,
  ips: readonly string[],
): Promise<Map<string, HostState>> {
  const out = new Map<string, HostState>();
  const entries = await kv.getMany<HostState>(ips.map(hostStateKey));
  for (const e of entries) if (isState(e.value)) out.set(e.key[1] as string, e.value);
  return out;
}

/**
 * Writes every observation as one version-checked transition, 100 hosts per batch. The hosts of a
 * batch that lose a race (another instance or a host ping wrote meanwhile) are redone one by one
 * from fresh reads, so each flip is reported exactly once across writers. An observation older than the
 * stored one (`checked_at` > ts) is dropped: a slow sweep never overwrites a newer verdict.
 */
export async function writeObservations(
  kv: StateStore,
  observations: readonly Observation[],
  ts: number,
  opts: {
    /** Store unchanged states at most every UNCHANGED_REWRITE_MS (NATS KV; see there). */
    coalesceUnchanged?: boolean;
  } = {},
): Promise<Transition[]> {
  const groups: Observation[][] = [];
  for (let i = 0; i < observations.length; i += ATOMIC_CHECKS_MAX) {
    groups.push(observations.slice(i, i + ATOMIC_CHECKS_MAX));
  }
  const out: Transition[][] = Array.from({ length: groups.length }, () => []);
  let next = 0;
  const lane = async () => {
    while (next < groups.length) {
      const index = next++;
      out[index] = await writeGroup(kv, groups[index], ts, opts.coalesceUnchanged ?? false);
    }
  };
  await Promise.all(Array.from({ length: Math.min(GROUPS_IN_FLIGHT, groups.length) }, lane));
  const transitions = out.flat();
  // This process is the writer: its readers see the new states without waiting for a rescan.
  noteHostStates(kv, transitions.map((t) => [t.ip, t.next] as const));
  return transitions;
}

/**
 * The versionstamp (NATS: revision) and value this process last wrote per address. A write checked
 * against it needs no read first (half the round trips of a sweep, and on Deno KV most of a
 * streamed batch's cost); if another writer came in between, the check fails and that host is
 * redone from a fresh read, so flips stay exact.
 */
const lastWritten = new WeakMap<StateStore, Map<string, Written>>();

interface Written {
  versionstamp: string;
  /** The newest state this process decided on (newer than the stored one when coalesced). */
  state: HostState;
  /** checked_at of the state stored under versionstamp. */
  storedAt: number;
}

function writtenBy(kv: StateStore) {
  let m = lastWritten.get(kv);
  if (!m) {
    const mine = m = new Map();
    lastWritten.set(kv, mine);
    // Another process's write (the scheduler's pings of its site's hosts) makes ours outdated:
    // forget it, so the next verdict reads the stored state and is never coalesced against ours.
    // Our own writes come back with the revision we hold and stay.
    // (Deno KV serves one process: a stale versionstamp there only fails its check and is redone.)
    if (kv.engine === "nats") {
      kv.watch([HOST_STATE_PREFIX], ({ key, versionstamp }) => {
        const ip = key[1] as string;
        const w = mine.get(ip);
        if (w && versionstamp !== undefined && w.versionstamp !== versionstamp) mine.delete(ip);
      });
    }
  }
  return m;
}

/** The current entries of `ips`: from what this process wrote last, else read. */
async function currentEntries(kv: StateStore, ips: string[]): Promise<StateEntry<HostState>[]> {
  const mine = writtenBy(kv);
  const out: Array<StateEntry<HostState> | undefined> = ips.map((ip) => {
    const w = mine.get(ip);
    return w ? { key: hostStateKey(ip), value: w.state, versionstamp: w.versionstamp } : undefined;
  });
  const missing = ips.filter((_, i) => !out[i]);
  if (missing.length) {
    const read = await getEntries(kv, missing);
    let j = 0;
    for (let i = 0; i < out.length; i++) if (!out[i]) out[i] = read[j++];
  }
  return out as StateEntry<HostState>[];
}

/** Writes the states and remembers their new versionstamps; says per op whether it was applied. */
async function commitStates(kv: StateStore, ops: StateOp[]): Promise<boolean[]> {
  const mine = writtenBy(kv);
  // NATS KV compares and sets per key anyway: all at once rather than in commitEach's lanes.
  const results = kv.engine === "nats"
    ? await Promise.all(
      ops.map((op) => kv.compareAndSet(op.key, op.check ?? null, (op as { set: HostState }).set)),
    )
    : await kv.commitEach(ops);
  return results.map((res, i) => {
    const ip = ops[i].key[1] as string;
    if (res.ok && res.versionstamp) {
      const state = (ops[i] as { set: HostState }).set;
      mine.set(ip, { versionstamp: res.versionstamp, state, storedAt: state.checked_at });
    } else mine.delete(ip);
    return res.ok;
  });
}

/** Nothing a reader counts changed: only latency, last answer and check time moved. */
const sameVerdict = (a: HostState, b: HostState) =>
  a.up === b.up && a.method === b.method && a.since === b.since;

async function writeGroup(
  kv: StateStore,
  group: Observation[],
  ts: number,
  coalesce: boolean,
): Promise<Transition[]> {
  // Deno KV is the single box: every verdict is stored there (nobody else reads it late).
  const mine = coalesce && kv.engine === "nats" ? writtenBy(kv) : null;
  const entries = await currentEntries(kv, group.map((o) => o.ip));
  const transitions: Transition[] = [];
  const skipped: Transition[] = [];
  const observed: Observation[] = [];
  const ops: StateOp[] = [];
  for (const [i, obs] of group.entries()) {
    const entry = entries[i];
    const prev = isState(entry.value) ? entry.value : null;
    if (prev && prev.checked_at > ts) continue;
    const state = nextState(prev, obs, ts);
    const written = mine?.get(obs.ip);
    if (
      written && prev && sameVerdict(prev, state) && ts - written.storedAt < UNCHANGED_REWRITE_MS
    ) {
      // Kept in memory only (see UNCHANGED_REWRITE_MS); the stored revision stays the check.
      written.state = state;
      skipped.push({ ip: obs.ip, prev, next: state, flipped: false });
      continue;
    }
    ops.push({ key: entry.key, check: entry.versionstamp, set: state });
    observed.push(obs);
    transitions.push({
      ip: obs.ip,
      prev,
      next: state,
      flipped: prev !== null && prev.up !== obs.up,
    });
  }
  if (transitions.length === 0) return skipped;
  const applied = await commitStates(kv, ops);
  const out: Transition[] = skipped;
  for (const [i, ok] of applied.entries()) {
    if (ok) out.push(transitions[i]);
    else {
      const t = await writeOne(kv, observed[i], ts);
      if (t) out.push(t);
    }
  }
  return out;
}

async function writeOne(kv: StateStore, obs: Observation, ts: number): Promise<Transition | null> {
  for (let attempt = 0; attempt < RETRIES_PER_HOST; attempt++) {
    const entry = await kv.get<HostState>(hostStateKey(obs.ip));
    const prev = isState(entry.value) ? entry.value : null;
    if (prev && prev.checked_at > ts) return null;
    const state = nextState(prev, obs, ts);
    const res = await kv.compareAndSet(entry.key, entry.versionstamp, state);
    const mine = writtenBy(kv);
    if (res.ok && res.versionstamp) {
      mine.set(obs.ip, { versionstamp: res.versionstamp, state, storedAt: state.checked_at });
    }
    if (res.ok) {
      return { ip: obs.ip, prev, next: state, flipped: prev !== null && prev.up !== obs.up };
    }
  }
  throw new Error(`host state of ${obs.ip}: too much write contention in the state store`);
}

function getEntries(kv: StateStore, ips: string[]): Promise<StateEntry<HostState>[]> {
  return kv.getMany<HostState>(ips.map(hostStateKey));
}

/** Forgets the state of addresses (a deleted host must not keep a pill). */
export async function deleteStates(kv: StateStore, ips: readonly string[]): Promise<void> {
  const mine = writtenBy(kv);
  for (const ip of ips) mine.delete(ip);
  await kv.commitEach(ips.map((ip) => ({ key: hostStateKey(ip), delete: true as const })));
  noteHostStates(kv, ips.map((ip) => [ip, null] as const));
}

/** How many of `ips` (or of every stored address, when absent) are up right now. */
export async function countUp(kv: StateStore, ips?: readonly string[]): Promise<number> {
  let n = 0;
  const cached = await hostStateSnapshot(kv);
  if (cached) {
    if (!ips) {
      for (const state of cached.values()) if (state.up) n++;
    } else {
      for (const ip of new Set(ips)) if (cached.get(ip)?.up) n++;
    }
    return n;
  }
  // Past a few hundred addresses one prefix scan is cheaper than many getMany round trips.
  if (ips && ips.length <= 200) {
    for (const state of (await readStates(kv, ips)).values()) if (state.up) n++;
    return n;
  }
  const wanted = ips ? new Set(ips) : null;
  for await (const e of kv.list<HostState>({ prefix: [HOST_STATE_PREFIX] }, { batchSize: 1000 })) {
    if (wanted && !wanted.has(e.key[1] as string)) continue;
    if (isState(e.value) && e.value.up) n++;
  }
  return n;
}

function isState(v: unknown): v is HostState {
  return typeof v === "object" && v !== null && typeof (v as HostState).up === "boolean" &&
    typeof (v as HostState).since === "number";
}
