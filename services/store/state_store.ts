// The shared current state (host state, leases, sessions, throttles, schedules) and the live event
// feed, behind one interface with two engines: Deno KV (single box, the default) and NATS KV
// (several processes; services/store/nats_state_store.ts). Callers see Deno-KV-shaped keys and
// entries so both engines read the same to them; what an engine cannot do atomically is not here.

/** One part of a key; keys sort and prefix-match part by part, as in Deno KV. */
export type StateKeyPart = string | number;
export type StateKey = readonly StateKeyPart[];

/** What a read returns. `versionstamp` is opaque: only ever hand it back for a compare-and-set. */
export interface StateEntry<T = unknown> {
  key: StateKey;
  /** null when the key holds nothing (never written, deleted, or expired). */
  value: T | null;
  /** null when nothing was ever stored under the key (or it was removed). */
  versionstamp: string | null;
}

export interface StateEntryFound<T = unknown> extends StateEntry<T> {
  value: T;
  versionstamp: string;
}

export interface SetOptions {
  /** Milliseconds after which the value reads as absent (leases, sessions, windows, caches). */
  expireIn?: number;
}

export interface CommitResult {
  ok: boolean;
  /** The new version when ok. */
  versionstamp: string | null;
}

/**
 * One checked write of a batch (StateStore.commitEach). `check` is the versionstamp the key must
 * still have (null: must be absent); without it the write is unconditional.
 */
export type StateOp =
  | { key: StateKey; check?: string | null; set: unknown; expireIn?: number }
  | { key: StateKey; check?: string | null; delete: true };

/** A change of a key seen by a watcher; `value` null is a delete. */
export interface StateChange {
  key: StateKey;
  value: unknown | null;
  /** The key's revision after the change, where the engine tells it (NATS KV). */
  versionstamp?: string;
}

export interface StateStore {
  /** "kv" (Deno KV, one process) or "nats" (NATS KV, shared by every process). */
  readonly engine: "kv" | "nats";
  get<T = unknown>(key: StateKey): Promise<StateEntry<T>>;
  /** Entries in the order of `keys` (any number of keys; engines chunk as they must). */
  getMany<T = unknown>(keys: readonly StateKey[]): Promise<StateEntry<T>[]>;
  /** Unconditional write. */
  set(key: StateKey, value: unknown, opts?: SetOptions): Promise<CommitResult>;
  /**
   * Compare-and-set: writes only if the key's versionstamp is still `expected` (null: only if the
   * key holds nothing). Two writers racing on one version: exactly one wins.
   */
  compareAndSet(
    key: StateKey,
    expected: string | null,
    value: unknown,
    opts?: SetOptions,
  ): Promise<CommitResult>;
  delete(key: StateKey): Promise<void>;
  /** Deletes only if the key's versionstamp is still `expected`. */
  compareAndDelete(key: StateKey, expected: string): Promise<boolean>;
  /**
   * Applies each op whose check holds; says per op whether it was applied and, for a set, the new
   * versionstamp (a later check against it needs no read first). Not atomic as a group across
   * engines (Deno KV commits the whole batch at once when every check holds).
   */
  commitEach(ops: readonly StateOp[]): Promise<CommitResult[]>;
  /** Every live entry under `prefix` (the prefix key itself excluded); key order on Deno KV only. */
  list<T = unknown>(
    selector: { prefix: StateKey },
    opts?: { limit?: number; batchSize?: number },
  ): AsyncIterableIterator<StateEntryFound<T>>;
  /**
   * Calls `fn` for every later change of a key under `prefix`, whichever process wrote it (NATS) or
   * by this process (Deno KV). Returns the function that stops watching. For caches above the store.
   */
  watch(prefix: StateKey, fn: (change: StateChange) => void): () => void;
  /** Sends `message` to every subscriber of `topic`, in every process sharing the store. */
  publish(topic: string, message: unknown): void;
  /** Returns the unsubscribe function. */
  subscribe(topic: string, fn: (message: unknown) => void): () => void;
  /** Closes the store (and its connection); later calls fail. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** The NATS KV buckets: one per kind of state, so each role gets only the rights it needs. */
export const STATE_BUCKETS = {
  host_state: "pingfold_host_state",
  lease: "pingfold_leases",
  session: "pingfold_sessions",
  ratelimit: "pingfold_throttles",
  state: "pingfold_state",
} as const;
export const DEFAULT_STATE_BUCKET = STATE_BUCKETS.state;

/**
 * Every first key part in use and its bucket: the one list of what lives in the state store (the
 * key helpers stay beside their domains: ipam/host_state.ts, jobs/lease.ts, auth/sessions.ts…).
 * A test checks that no domain uses a prefix missing here (docs/scale-out.md lists them too).
 */
export const STATE_KEY_PREFIXES = {
  /** ["host_state", ip]: current up/down per address (ipam/host_state.ts). */
  host_state: STATE_BUCKETS.host_state,
  /** ["lease", kind, id]: one holder per job across processes (jobs/lease.ts). */
  lease: STATE_BUCKETS.lease,
  /** ["session", id] and ["user_sessions", userId, id]: logins (auth/sessions.ts). */
  session: STATE_BUCKETS.session,
  user_sessions: STATE_BUCKETS.session,
  /** ["ratelimit", bucket, key]: login throttles and "scan now" limits (auth/rate_limit.ts). */
  ratelimit: STATE_BUCKETS.ratelimit,
  /** ["sweep_schedule", subnetId] and ["job_last", name]: scheduler marks (sweeps). */
  sweep_schedule: STATE_BUCKETS.state,
  job_last: STATE_BUCKETS.state,
  /** ["ptr", ip]: reverse-DNS cache (sweeps/ptr.ts). */
  ptr: STATE_BUCKETS.state,
  /** ["health"]: read by GET /health to prove the store answers. */
  health: STATE_BUCKETS.state,
} as const satisfies Record<string, string>;

/** Core NATS subject prefix of StateStore.publish topics. */
export const EVENT_SUBJECT_PREFIX = "pingfold.events";

export function bucketOf(key: StateKey): string {
  const first = key[0];
  return typeof first === "string" && Object.hasOwn(STATE_KEY_PREFIXES, first)
    ? STATE_KEY_PREFIXES[first as keyof typeof STATE_KEY_PREFIXES]
    : DEFAULT_STATE_BUCKET;
}

/** True when `key` starts with every part of `prefix` (same types). */
export function hasPrefix(key: StateKey, prefix: StateKey): boolean {
  if (key.length < prefix.length) return false;
  return prefix.every((p, i) => key[i] === p);
}
