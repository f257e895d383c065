// The Deno KV engine of StateStore: today's single-box behaviour (one process, one KV file). Its
// change feed and event topics are in-process: nothing else shares the file.
import type {
  CommitResult,
  StateChange,
  StateEntry,
  StateEntryFound,
  StateKey,
  StateOp,
  StateStore,
} from "./state_store.ts";
import { hasPrefix } from "./state_store.ts";
import { openKv } from "./kv.ts";

// Deno KV limits: 10 keys per getMany, 100 checks per atomic operation.
const GET_MANY_MAX = 10;
const ATOMIC_CHECKS_MAX = 100;

const asKvKey = (key: StateKey) => key as Deno.KvKey;
const asEntry = <T>(e: Deno.KvEntryMaybe<T>): StateEntry<T> => ({
  key: e.key as StateKey,
  value: e.value,
  versionstamp: e.versionstamp,
});

/** Opens Deno KV at `path` (":memory:" for tests), creating its directory. */
export async function openKvStateStore(path: string): Promise<StateStore> {
  return kvStateStore(await openKv(path));
}

export function kvStateStore(kv: Deno.Kv): StateStore {
  const watchers = new Set<{ prefix: StateKey; fn: (c: StateChange) => void }>();
  const topics = new Map<string, Set<(m: unknown) => void>>();
  let closed = false;

  const changed = (key: StateKey, value: unknown | null) => {
    for (const w of [...watchers]) {
      if (!hasPrefix(key, w.prefix)) continue;
      try {
        w.fn({ key, value });
      } catch { /* a broken watcher must not fail the write */ }
    }
  };
  const checkOf = (key: StateKey, check: string | null) => ({
    key: asKvKey(key),
    versionstamp: check,
  });
  const addOp = (atomic: Deno.AtomicOperation, op: StateOp) => {
    if (op.check !== undefined) atomic.check(checkOf(op.key, op.check));
    if ("delete" in op) atomic.delete(asKvKey(op.key));
    else atomic.set(asKvKey(op.key), op.set, op.expireIn ? { expireIn: op.expireIn } : undefined);
  };
  const announce = (op: StateOp) => changed(op.key, "delete" in op ? null : op.set);

  const store: StateStore = {
    engine: "kv",
    async get<T>(key: StateKey) {
      return asEntry(await kv.get<T>(asKvKey(key)));
    },
    async getMany<T>(keys: readonly StateKey[]) {
      const chunks: StateKey[][] = [];
      for (let i = 0; i < keys.length; i += GET_MANY_MAX) {
        chunks.push(keys.slice(i, i + GET_MANY_MAX));
      }
      const parts = await Promise.all(
        chunks.map((chunk) => kv.getMany<T[]>(chunk.map(asKvKey))),
      );
      return parts.flat().map((e) => asEntry<T>(e as Deno.KvEntryMaybe<T>));
    },
    async set(key, value, opts) {
      const res = await kv.set(asKvKey(key), value, opts?.expireIn ? opts : undefined);
      changed(key, value);
      return { ok: true, versionstamp: res.versionstamp };
    },
    async compareAndSet(key, expected, value, opts): Promise<CommitResult> {
      const res = await kv.atomic().check(checkOf(key, expected))
        .set(asKvKey(key), value, opts?.expireIn ? opts : undefined).commit();
      if (!res.ok) return { ok: false, versionstamp: null };
      changed(key, value);
      return { ok: true, versionstamp: res.versionstamp };
    },
    async delete(key) {
      await kv.delete(asKvKey(key));
      changed(key, null);
    },
    async compareAndDelete(key, expected) {
      const res = await kv.atomic().check(checkOf(key, expected)).delete(asKvKey(key)).commit();
      if (res.ok) changed(key, null);
      return res.ok;
    },
    async commitEach(ops) {
      const out: CommitResult[] = [];
      // Every key an atomic commit sets gets that commit's versionstamp; a deleted key has none.
      const result = (op: StateOp, versionstamp: string) => ({
        ok: true,
        versionstamp: "delete" in op ? null : versionstamp,
      });
      for (let i = 0; i < ops.length; i += ATOMIC_CHECKS_MAX) {
        const group = ops.slice(i, i + ATOMIC_CHECKS_MAX);
        const all = kv.atomic();
        for (const op of group) addOp(all, op);
        const res = await all.commit();
        if (res.ok) {
          group.forEach(announce);
          out.push(...group.map((op) => result(op, res.versionstamp)));
          continue;
        }
        // One check failed: apply the others one by one so each gets its own verdict.
        for (const op of group) {
          const one = kv.atomic();
          addOp(one, op);
          const r = await one.commit();
          if (r.ok) announce(op);
          out.push(r.ok ? result(op, r.versionstamp) : { ok: false, versionstamp: null });
        }
      }
      return out;
    },
    async *list<T>(selector: { prefix: StateKey }, opts?: { limit?: number; batchSize?: number }) {
      for await (const e of kv.list<T>({ prefix: asKvKey(selector.prefix) }, opts)) {
        yield asEntry(e) as StateEntryFound<T>;
      }
    },
    watch(prefix, fn) {
      const w = { prefix, fn };
      watchers.add(w);
      return () => watchers.delete(w);
    },
    publish(topic, message) {
      for (const fn of [...(topics.get(topic) ?? [])]) {
        try {
          fn(message);
        } catch { /* one broken subscriber must not stop the others */ }
      }
    },
    subscribe(topic, fn) {
      let set = topics.get(topic);
      if (!set) topics.set(topic, set = new Set());
      set.add(fn);
      return () => set.delete(fn);
    },
    close() {
      if (!closed) {
        closed = true;
        watchers.clear();
        topics.clear();
        kv.close();
      }
      return Promise.resolve();
    },
    [Symbol.asyncDispose]() {
      return store.close();
    },
  };
  return store;
}
