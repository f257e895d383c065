// Current host state in Deno KV (["host_state", ip]): atomic, version-checked transitions per sweep.

import { HOST_STATE_PREFIX, hostStateKey, type StoredHostState } from "@/services/ipam/mod.ts";

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

// Deno KV limits: 100 checks per atomic operation, 10 keys per getMany.
const ATOMIC_CHECKS_MAX = 100;
const GET_MANY_MAX = 10;
/** Groups written at once: enough to overlap KV round trips, few enough to stay gentle. */
const GROUPS_IN_FLIGHT = 8;
const RETRIES_PER_HOST = 16;

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
  kv: Deno.Kv,
  ips: readonly string[],
): Promise<Map<string, HostState>> {
  const out = new Map<string, HostState>();
  const chunks: string[][] = [];
  for (let i = 0; i < ips.length; i += GET_MANY_MAX) chunks.push(ips.slice(i, i + GET_MANY_MAX));
  await Promise.all(chunks.map(async (chunk) => {
    const entries = await kv.getMany<HostState[]>(chunk.map(hostStateKey));
    for (const e of entries) if (isState(e.value)) out.set(e.key[1] as string, e.value);
  }));
  return out;
}

/**
 * Writes every observation as one version-checked transition, 100 hosts per atomic commit. A group
 * that loses a race (another instance or a host ping wrote meanwhile) is redone host by host from
 * fresh reads, so each flip is reported exactly once across writers. An observation older than the
 * stored one (`checked_at` > ts) is dropped: a slow sweep never overwrites a newer verdict.
 */
export async function writeObservations(
  kv: Deno.Kv,
  observations: readonly Observation[],
  ts: number,
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
      out[index] = await writeGroup(kv, groups[index], ts);
    }
  };
  await Promise.all(Array.from({ length: Math.min(GROUPS_IN_FLIGHT, groups.length) }, lane));
  return out.flat();
}

async function writeGroup(kv: Deno.Kv, group: Observation[], ts: number): Promise<Transition[]> {
  const entries = await getEntries(kv, group.map((o) => o.ip));
  const transitions: Transition[] = [];
  let op = kv.atomic();
  for (const [i, obs] of group.entries()) {
    const entry = entries[i];
    const prev = isState(entry.value) ? entry.value : null;
    if (prev && prev.checked_at > ts) continue;
    const state = nextState(prev, obs, ts);
    op = op.check(entry).set(entry.key, state);
    transitions.push({
      ip: obs.ip,
      prev,
      next: state,
      flipped: prev !== null && prev.up !== obs.up,
    });
  }
  if (transitions.length === 0) return transitions;
  if ((await op.commit()).ok) return transitions;
  const retried: Transition[] = [];
  for (const obs of group) {
    const t = await writeOne(kv, obs, ts);
    if (t) retried.push(t);
  }
  return retried;
}

async function writeOne(kv: Deno.Kv, obs: Observation, ts: number): Promise<Transition | null> {
  for (let attempt = 0; attempt < RETRIES_PER_HOST; attempt++) {
    const entry = await kv.get<HostState>(hostStateKey(obs.ip));
    const prev = isState(entry.value) ? entry.value : null;
    if (prev && prev.checked_at > ts) return null;
    const state = nextState(prev, obs, ts);
    const res = await kv.atomic().check(entry).set(entry.key, state).commit();
    if (res.ok) {
      return { ip: obs.ip, prev, next: state, flipped: prev !== null && prev.up !== obs.up };
    }
  }
  throw new Error(`host state of ${obs.ip}: too much write contention in KV`);
}

async function getEntries(kv: Deno.Kv, ips: string[]): Promise<Deno.KvEntryMaybe<HostState>[]> {
  const chunks: string[][] = [];
  for (let i = 0; i < ips.length; i += GET_MANY_MAX) chunks.push(ips.slice(i, i + GET_MANY_MAX));
  const parts = await Promise.all(
    chunks.map((chunk) => kv.getMany<HostState[]>(chunk.map(hostStateKey))),
  );
  return parts.flat();
}

/** Forgets the state of addresses (a deleted host must not keep a pill). */
export async function deleteStates(kv: Deno.Kv, ips: readonly string[]): Promise<void> {
  for (let i = 0; i < ips.length; i += 1000) {
    let op = kv.atomic();
    for (const ip of ips.slice(i, i + 1000)) op = op.delete(hostStateKey(ip));
    await op.commit();
  }
}

/** How many of `ips` (or of every stored address, when absent) are up right now. */
export async function countUp(kv: Deno.Kv, ips?: readonly string[]): Promise<number> {
  let n = 0;
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
