// The live host state in the state store (["host_state", ip]): its one key and type, and reads
// of it in as few round trips as possible. Discovery (services/sweeps/state_store.ts) writes it.
// When the process cache is on for a store (host_state_cache.ts), reads come from it instead.
import type { StateKey, StateStore } from "@/services/store/mod.ts";
import { hostStateSnapshot } from "./host_state_cache.ts";

/** What readers get per address; times are milliseconds since the epoch. */
export interface HostState {
  up: boolean;
  latency_ms: number | null;
  /** When the host last flipped (or was first observed). */
  since: number;
  /** Last time it answered; null if it never did. */
  last_seen: number | null;
  method: string;
}

/** The value discovery writes: what readers get, plus when it was last checked. */
export interface StoredHostState extends HostState {
  checked_at: number;
}

export type HostStatus = "up" | "down" | "unknown";

export const HOST_STATE_PREFIX = "host_state";
export const hostStateKey = (ip: string): StateKey => [HOST_STATE_PREFIX, ip];
/**
 * Above this many addresses one prefix scan beats many getMany calls (measured: 5,000 states
 * list in ~25 ms, fetched as 500 parallel getMany calls in ~70 ms).
 */
const LIST_THRESHOLD = 200;

const finiteOrNull = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** Accepts only well-formed values: a half-written or foreign value reads as "no state". */
export function asHostState(value: unknown): HostState | null {
  if (!value || typeof value !== "object") return null;
  const v = value as Record<string, unknown>;
  if (typeof v.up !== "boolean") return null;
  return {
    up: v.up,
    latency_ms: finiteOrNull(v.latency_ms),
    since: finiteOrNull(v.since) ?? 0,
    last_seen: finiteOrNull(v.last_seen),
    method: typeof v.method === "string" ? v.method : "unknown",
  };
}

export function statusOf(state: HostState | null | undefined): HostStatus {
  return !state ? "unknown" : state.up ? "up" : "down";
}

/** States for `ips` (canonical address strings); addresses without a state are absent. */
export async function readHostStates(
  kv: StateStore,
  ips: readonly string[],
  opts: {
    /**
     * Text every wanted address starts with ("10.21." for 10.21.0.0/16): other keys of a large
     * read are skipped before their value is looked at.
     */
    textPrefix?: string;
  } = {},
): Promise<Map<string, HostState>> {
  const wanted = [...new Set(ips)];
  const out = new Map<string, HostState>();
  if (wanted.length === 0) return out;
  const cached = await hostStateSnapshot(kv);
  if (cached) {
    for (const ip of wanted) {
      const state = cached.get(ip);
      if (state) out.set(ip, state);
    }
    return out;
  }
  if (wanted.length > LIST_THRESHOLD) {
    const want = new Set(wanted);
    const p = opts.textPrefix ?? "";
    // The state store lists by key prefix only (NATS KV has no key ranges): skip the others early.
    for await (const e of kv.list({ prefix: [HOST_STATE_PREFIX] }, { batchSize: 1000 })) {
      const ip = e.key[1];
      if (typeof ip !== "string" || !ip.startsWith(p) || !want.has(ip)) continue;
      const state = asHostState(e.value);
      if (state) out.set(ip, state);
    }
    return out;
  }
  for (const e of await kv.getMany(wanted.map(hostStateKey))) {
    const state = asHostState(e.value);
    if (state) out.set(e.key[1] as string, state);
  }
  return out;
}

/** Every address discovery currently reports up (one prefix scan; for counting "alive"). */
export async function listUpIps(kv: StateStore): Promise<string[]> {
  const ips: string[] = [];
  const cached = await hostStateSnapshot(kv);
  if (cached) {
    for (const [ip, state] of cached) if (state.up) ips.push(ip);
    return ips;
  }
  for await (const e of kv.list({ prefix: [HOST_STATE_PREFIX] }, { batchSize: 1000 })) {
    const ip = e.key[1];
    if (typeof ip === "string" && asHostState(e.value)?.up) ips.push(ip);
  }
  return ips;
}
