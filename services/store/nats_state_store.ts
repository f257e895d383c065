// The NATS KV engine of StateStore: every process on one NATS (JetStream) shares the current state.
// Compare-and-set is NATS's revision check; expiry is carried in each value (the server in use may
// predate per-message TTLs) and the lease and throttle buckets also age out as a backstop; watch is
// a KV watch; events are core NATS subjects under pingfold.events.
import { type KV, Kvm, KvWatchInclude } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { log } from "@/services/logger.ts";
import {
  bucketOf,
  type CommitResult,
  EVENT_SUBJECT_PREFIX,
  STATE_BUCKETS,
  type StateChange,
  type StateEntry,
  type StateKey,
  type StateKeyPart,
  type StateOp,
  type StateStore,
} from "./state_store.ts";

/** Max age per bucket (ms), a backstop for entries nobody reads again; 0 keeps them. */
const BUCKET_MAX_AGE_MS: Record<string, number> = {
  [STATE_BUCKETS.lease]: 24 * 3_600_000,
  [STATE_BUCKETS.ratelimit]: 24 * 3_600_000,
};
export const NATS_BUCKETS: readonly string[] = Object.values(STATE_BUCKETS);
/** Requests in flight at once for getMany and commitEach. */
const LANES = 64;
// JetStream's "wrong last sequence" answers: a compare-and-set that lost.
const CAS_CODES = new Set([10071, 10164]);

/** What is stored per key: the value and when it stops counting (ms epoch). */
interface Envelope {
  v: unknown;
  x?: number;
}

// A key part becomes one NATS token: "s" + string or "n" + number; bytes outside [A-Za-z0-9_-] are
// written "=XX" (so addresses' dots and colons never split tokens).
function encodePart(p: StateKeyPart): string {
  if (typeof p === "number") {
    if (!Number.isFinite(p)) throw new TypeError(`state key part ${p} is not a finite number`);
    return `n${String(p).replace(/[^A-Za-z0-9_-]/g, (c) => `=${c.charCodeAt(0).toString(16)}`)}`;
  }
  let out = "s";
  for (const b of new TextEncoder().encode(p)) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9_-]/.test(c) ? c : `=${b.toString(16).padStart(2, "0")}`;
  }
  return out;
}

function decodePart(token: string): StateKeyPart {
  const body = token.slice(1);
  const bytes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    if (body[i] === "=") {
      bytes.push(parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(body.charCodeAt(i));
  }
  const text = new TextDecoder().decode(new Uint8Array(bytes));
  return token[0] === "n" ? Number(text) : text;
}

export const encodeKey = (key: StateKey): string => key.map(encodePart).join(".");
export const decodeKey = (raw: string): StateKey => raw.split(".").map(decodePart);

const isCasLoss = (e: unknown) =>
  typeof e === "object" && e !== null && CAS_CODES.has((e as { code?: number }).code ?? -1);

async function inLanes<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(LANES, items.length) }, lane));
  return out;
}

export interface NatsStateStoreOptions {
  /** Clock for expiry (ms epoch); tests move it. */
  now?: () => number;
  /** Bucket replicas for a NATS cluster (default 1). */
  replicas?: number;
  /** close() also drains the connection (default); false when the process shares it. */
  ownsConnection?: boolean;
}

/** A StateStore on `nc`'s JetStream; creates the buckets it misses (or binds existing ones). */
export function natsStateStore(nc: NatsConnection, opts: NatsStateStoreOptions = {}): StateStore {
  const now = opts.now ?? Date.now;
  const kvm = new Kvm(nc);
  const buckets = new Map<string, Promise<KV>>();
  const watchers = new Set<() => void>();
  let closed = false;

  const bucket = (name: string): Promise<KV> => {
    let b = buckets.get(name);
    if (!b) {
      b = (async () => {
        try {
          return await kvm.create(name, {
            history: 1,
            replicas: opts.replicas ?? 1,
            ttl: BUCKET_MAX_AGE_MS[name] ?? 0,
          });
        } catch (err) {
          // Created beforehand with other settings, or no right to create: use it as it is.
          log.debug("binding existing NATS KV bucket", { bucket: name, error: String(err) });
          return await kvm.open(name);
        }
      })();
      b.catch(() => buckets.delete(name));
      buckets.set(name, b);
    }
    return b;
  };
  const bucketFor = (key: StateKey) => bucket(bucketOf(key));
  const pack = (value: unknown, expireIn?: number) =>
    JSON.stringify(expireIn ? { v: value, x: now() + expireIn } : { v: value } satisfies Envelope);
  const unpack = (data: Uint8Array): Envelope | null => {
    try {
      const e = JSON.parse(new TextDecoder().decode(data)) as Envelope;
      return e && typeof e === "object" ? e : null;
    } catch {
      return null;
    }
  };
  const live = (e: Envelope | null) => e !== null && (e.x === undefined || e.x > now());

  async function get<T>(key: StateKey): Promise<StateEntry<T>> {
    const e = await (await bucketFor(key)).get(encodeKey(key));
    if (!e || e.operation !== "PUT") return { key, value: null, versionstamp: null };
    const env = unpack(e.value);
    // An expired value reads as absent but keeps its revision, so a compare-and-set can replace it.
    return { key, value: live(env) ? env!.v as T : null, versionstamp: String(e.revision) };
  }

  async function compareAndSet(
    key: StateKey,
    expected: string | null,
    value: unknown,
    o?: { expireIn?: number },
  ): Promise<CommitResult> {
    const b = await bucketFor(key);
    try {
      const rev = expected === null
        ? await b.create(encodeKey(key), pack(value, o?.expireIn))
        : await b.update(encodeKey(key), pack(value, o?.expireIn), Number(expected));
      return { ok: true, versionstamp: String(rev) };
    } catch (err) {
      if (isCasLoss(err)) return { ok: false, versionstamp: null };
      throw err;
    }
  }

  async function compareAndDelete(key: StateKey, expected: string): Promise<boolean> {
    try {
      await (await bucketFor(key)).delete(encodeKey(key), { previousSeq: Number(expected) });
      return true;
    } catch (err) {
      if (isCasLoss(err)) return false;
      throw err;
    }
  }

  async function applyOp(op: StateOp): Promise<CommitResult> {
    if ("delete" in op) {
      const deleted = (ok: boolean) => ({ ok, versionstamp: null });
      if (op.check === undefined) {
        await store.delete(op.key);
        return deleted(true);
      }
      // Deleting what must be absent: nothing to do if it is.
      if (op.check === null) return deleted((await get(op.key)).versionstamp === null);
      return deleted(await compareAndDelete(op.key, op.check));
    }
    if (op.check === undefined) return await store.set(op.key, op.set, { expireIn: op.expireIn });
    return await compareAndSet(op.key, op.check, op.set, { expireIn: op.expireIn });
  }

  const store: StateStore = {
    engine: "nats",
    get,
    getMany: <T>(keys: readonly StateKey[]) => inLanes(keys, (k) => get<T>(k)),
    async set(key, value, o) {
      const rev = await (await bucketFor(key)).put(encodeKey(key), pack(value, o?.expireIn));
      return { ok: true, versionstamp: String(rev) };
    },
    compareAndSet,
    async delete(key) {
      await (await bucketFor(key)).delete(encodeKey(key));
    },
    compareAndDelete,
    commitEach: (ops) => inLanes(ops, applyOp),
    async *list<T>(selector: { prefix: StateKey }, o?: { limit?: number }) {
      const { prefix } = selector;
      if (prefix.length === 0) throw new RangeError("NATS state store: list needs a key prefix");
      const b = await bucketFor(prefix);
      // With history 1, a history read is one pass over the current values (ends by itself, also
      // when there are none); later entries of a key replace earlier ones if a bucket keeps more.
      const latest = new Map<string, { rev: number; op: string; data: Uint8Array }>();
      const iter = await b.history({ key: `${encodeKey(prefix)}.>` });
      for await (const e of iter) {
        latest.set(e.key, { rev: e.revision, op: e.operation, data: e.value });
      }
      let n = 0;
      for (const [raw, e] of latest) {
        if (e.op !== "PUT") continue;
        const env = unpack(e.data);
        if (!live(env)) continue;
        if (o?.limit !== undefined && n++ >= o.limit) return;
        yield { key: decodeKey(raw), value: env!.v as T, versionstamp: String(e.rev) };
      }
    },
    watch(prefix, fn) {
      let stop = () => {};
      let stopped = false;
      const done = () => {
        stopped = true;
        stop();
        watchers.delete(done);
      };
      watchers.add(done);
      (async () => {
        const b = await bucketFor(prefix);
        const iter = await b.watch({
          key: prefix.length ? `${encodeKey(prefix)}.>` : ">",
          include: KvWatchInclude.UpdatesOnly,
        });
        stop = () => iter.stop();
        if (stopped) return iter.stop();
        for await (const e of iter) {
          const env = e.operation === "PUT" ? unpack(e.value) : null;
          const change: StateChange = {
            key: decodeKey(e.key),
            value: live(env) ? env!.v : null,
            versionstamp: String(e.revision),
          };
          try {
            fn(change);
          } catch { /* a broken watcher must not end the watch */ }
        }
      })().catch((err) => {
        if (!closed) log.warn("NATS KV watch ended", { error: String(err) });
      });
      return done;
    },
    publish(topic, message) {
      nc.publish(`${EVENT_SUBJECT_PREFIX}.${topic}`, JSON.stringify(message));
    },
    subscribe(topic, fn) {
      const sub = nc.subscribe(`${EVENT_SUBJECT_PREFIX}.${topic}`, {
        callback: (err, msg) => {
          if (err) return;
          try {
            fn(msg.json());
          } catch { /* a bad message or subscriber must not end the subscription */ }
        },
      });
      return () => sub.unsubscribe();
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const stop of [...watchers]) stop();
      if (opts.ownsConnection !== false && !nc.isClosed()) {
        await nc.drain().catch(() => nc.close());
      }
    },
    [Symbol.asyncDispose]() {
      return store.close();
    },
  };
  return store;
}
