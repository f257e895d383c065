// One contract, both engines: Deno KV (in memory) and NATS KV (a real nats-server with JetStream).
import assert from "node:assert/strict";
import { kvStateStore } from "./kv_state_store.ts";
import { natsStateStore } from "./nats_state_store.ts";
import { connectNats } from "./nats_connection.ts";
import { decodeKey, encodeKey } from "./nats_state_store.ts";
import type { StateChange, StateStore } from "./state_store.ts";
import { startNats, type TestNats } from "@/tests/support/nats_test_server.ts";
import { acquireLease, leaseHolder, releaseLease, renewLease } from "@/services/jobs/mod.ts";

type Open = (clock: { now: number }) => Promise<StateStore>;

let nats: TestNats | null = null;
const engines: Array<[string, Open]> = [
  ["kv", async () => kvStateStore(await Deno.openKv(":memory:"))],
  ["nats", async (clock) => {
    nats ??= await startNats();
    // A fresh connection per test; buckets are shared, so each test uses its own key space.
    return natsStateStore(await connectNats({ url: nats.url }), { now: () => clock.now });
  }],
];

let run = 0;
function contract(
  name: string,
  fn: (s: StateStore, ns: string, clock: { now: number }) => Promise<void>,
) {
  for (const [engine, open] of engines) {
    Deno.test({
      name: `StateStore ${name} [${engine}]`,
      sanitizeOps: false,
      sanitizeResources: false,
    }, async () => {
      const clock = { now: Date.now() };
      const store = await open(clock);
      try {
        await fn(store, `t${Date.now()}_${run++}`, clock);
      } finally {
        await store.close();
      }
    });
  }
}

/** Polls `cond` (bounded: 200 tries, 25 ms apart) for what arrives asynchronously. */
const until = async (cond: () => boolean | Promise<boolean>, what: string) => {
  for (let i = 0; i < 200; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`never happened: ${what}`);
};

contract("get, set, getMany and delete round-trip values", async (s, ns) => {
  assert.deepEqual(await s.get(["x", ns, "a"]), {
    key: ["x", ns, "a"],
    value: null,
    versionstamp: null,
  });
  const w = await s.set(["x", ns, "a"], { up: true, n: 1 });
  assert.ok(w.ok && w.versionstamp);
  assert.deepEqual((await s.get(["x", ns, "a"])).value, { up: true, n: 1 });
  await s.set(["x", ns, 7], "seven");
  const keys = Array.from({ length: 25 }, (_, i) => ["x", ns, `k${i}`] as const);
  await s.commitEach(keys.map((key, i) => ({ key, set: i })));
  const many = await s.getMany<number>([["x", ns, "a"], ["x", ns, 7], ["x", ns, "nope"], ...keys]);
  assert.equal(many.length, 28);
  assert.deepEqual(many.slice(0, 3).map((e) => e.value), [{ up: true, n: 1 }, "seven", null]);
  assert.deepEqual(many.slice(3).map((e) => e.value), keys.map((_, i) => i));
  await s.delete(["x", ns, "a"]);
  assert.equal((await s.get(["x", ns, "a"])).value, null);
});

contract("compare-and-set: one writer of a version wins, a stale version loses", async (s, ns) => {
  const key = ["cas", ns] as const;
  const created = await s.compareAndSet(key, null, 1);
  assert.ok(created.ok);
  assert.equal((await s.compareAndSet(key, null, 2)).ok, false, "create of an existing key");
  const seen = await s.get(key);
  const racers = await Promise.all(
    [1, 2, 3, 4].map((n) => s.compareAndSet(key, seen.versionstamp, 10 + n)),
  );
  assert.equal(racers.filter((r) => r.ok).length, 1);
  assert.equal(await s.compareAndDelete(key, seen.versionstamp!), false, "stale delete");
  const now = await s.get(key);
  assert.ok(await s.compareAndDelete(key, now.versionstamp!));
  assert.equal((await s.get(key)).value, null);
  // Absent again: a create succeeds.
  assert.ok((await s.compareAndSet(key, null, "again")).ok);
});

contract("commitEach applies the ops whose check holds and reports the others", async (s, ns) => {
  const a = ["each", ns, "a"], b = ["each", ns, "b"];
  await s.set(a, 1);
  const stale = (await s.get(a)).versionstamp;
  await s.set(a, 2);
  const result = await s.commitEach([
    { key: a, check: stale, set: 3 },
    { key: b, check: null, set: "new" },
  ]);
  assert.deepEqual(result.map((r) => r.ok), [false, true]);
  assert.equal(result[0].versionstamp, null);
  assert.equal((await s.get(a)).value, 2);
  assert.equal((await s.get(b)).value, "new");
  // The versionstamp it reports is the key's: a check against it holds without a read.
  assert.equal(result[1].versionstamp, (await s.get(b)).versionstamp);
  assert.deepEqual(
    await s.commitEach([{ key: b, check: result[1].versionstamp, delete: true }]),
    [{ ok: true, versionstamp: null }],
  );
  assert.equal((await s.get(b)).value, null);
});

contract(
  "list by prefix yields only that prefix, with addresses and numbers in keys",
  async (s, ns) => {
    const ips = ["127.0.0.1", "127.0.0.2", "::1", "2001:db8::5"];
    for (const ip of ips) await s.set(["host_state", ns, ip], { up: ip !== "::1" });
    await s.set(["host_state", `${ns}x`, "127.0.0.9"], { up: true });
    await s.set(["user_sessions", 42, ns], true);
    const got = [];
    for await (const e of s.list<{ up: boolean }>({ prefix: ["host_state", ns] })) got.push(e);
    assert.deepEqual(got.map((e) => e.key[2]).sort(), [...ips].sort());
    assert.ok(got.every((e) => e.versionstamp && typeof e.value.up === "boolean"));
    const sessions = [];
    for await (const e of s.list({ prefix: ["user_sessions", 42] })) sessions.push(e.key);
    assert.ok(sessions.some((k) => k[1] === 42 && k[2] === ns));
    const none = [];
    for await (const e of s.list({ prefix: ["host_state", `${ns}-empty`] })) none.push(e);
    assert.deepEqual(none, []);
  },
);

contract(
  "expired values read as absent and can be replaced by compare-and-set",
  async (s, ns, clock) => {
    const key = ["ratelimit", ns, "k"];
    await s.set(key, { count: 1 }, { expireIn: 50 });
    assert.deepEqual((await s.get(key)).value, { count: 1 });
    // Deno KV drops expired keys lazily ("some time after"): callers keep their own time checks
    // (leases, sessions, windows do), so only the NATS engine promises absence right at expiry.
    if (s.engine === "kv") return;
    clock.now += 60_000;
    await until(async () => (await s.get(key)).value === null, "value expired");
    const expired = await s.get(key);
    if (expired.versionstamp !== null) {
      assert.ok((await s.compareAndSet(key, expired.versionstamp, { count: 1 })).ok);
    } else assert.ok((await s.compareAndSet(key, null, { count: 1 })).ok);
  },
);

contract(
  "leases: one holder, renew, expiry takeover, release only by the holder",
  async (s, ns) => {
    const key = ["lease", "contract", ns];
    const a = await acquireLease(s, key, "a", 10_000, 1_000);
    assert.ok(a);
    assert.equal(await acquireLease(s, key, "b", 10_000, 5_000), null, "held by a");
    const racers = await Promise.all(
      ["c", "d", "e"].map((o) => acquireLease(s, key, o, 10_000, 20_000)),
    );
    assert.equal(racers.filter(Boolean).length, 1, "exactly one taker after expiry");
    const taker = racers.find(Boolean)!;
    assert.equal(await renewLease(s, a, 10_000, 20_001), null, "a lost it");
    assert.equal(await releaseLease(s, a), false, "a cannot release another's lease");
    assert.ok(await renewLease(s, taker, 10_000, 25_000));
    assert.equal((await leaseHolder(s, key, 26_000))?.owner, taker.owner);
    assert.ok(await releaseLease(s, taker));
    assert.equal(await leaseHolder(s, key, 26_000), null);
  },
);

contract("watch sees later writes and deletes under its prefix only", async (s, ns) => {
  const seen: StateChange[] = [];
  const stop = s.watch(["host_state", ns], (c) => seen.push(c));
  // The NATS watch starts asynchronously: write a first key until its change shows.
  await until(async () => {
    await s.set(["host_state", ns, "127.0.0.1"], { up: true });
    return seen.length > 0;
  }, "first change");
  await s.set(["host_state", `${ns}other`, "127.0.0.3"], { up: true });
  await s.set(["host_state", ns, "127.0.0.2"], { up: false });
  await s.delete(["host_state", ns, "127.0.0.2"]);
  await until(() => seen.some((c) => c.key[2] === "127.0.0.2" && c.value === null), "delete seen");
  stop();
  assert.ok(seen.every((c) => c.key[1] === ns));
  assert.ok(
    seen.some((c) => c.key[2] === "127.0.0.2" && (c.value as { up: boolean })?.up === false),
  );
});

contract("events reach every subscriber of a topic", async (s, ns) => {
  const got: unknown[] = [];
  const off = s.subscribe(`test_${ns}`, (m) => got.push(m));
  s.publish(`test_${ns}`, { type: "hosts", n: 1 });
  await until(() => got.length === 1, "event delivered");
  off();
  assert.deepEqual(got, [{ type: "hosts", n: 1 }]);
});

Deno.test("NATS key encoding keeps parts, types and order", () => {
  for (
    const key of [["host_state", "10.0.0.1"], ["user_sessions", 12, "abc-_"], ["x", "ü.*> "], [
      "n",
      -1.5,
    ]]
  ) {
    const raw = encodeKey(key);
    assert.match(raw, /^[A-Za-z0-9_=.-]+$/);
    assert.deepEqual(decodeKey(raw), key);
  }
});

Deno.test({
  name: "StateStore: two NATS clients share state and see each other's changes",
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  nats ??= await startNats();
  const a = natsStateStore(await connectNats({ url: nats.url }));
  const b = natsStateStore(await connectNats({ url: nats.url }));
  try {
    const ns = `shared${Date.now()}`;
    const seen: StateChange[] = [];
    const stop = b.watch(["host_state", ns], (c) => seen.push(c));
    const events: unknown[] = [];
    const off = b.subscribe("hosts", (m) => events.push(m));
    await until(async () => {
      await a.set(["host_state", ns, "127.0.0.1"], { up: true });
      a.publish("hosts", { ns });
      return seen.length > 0 && events.some((e) => (e as { ns?: string }).ns === ns);
    }, "b sees a's write and event");
    assert.deepEqual((await b.get(["host_state", ns, "127.0.0.1"])).value, { up: true });
    stop();
    off();
  } finally {
    await a.close();
    await b.close();
  }
});

Deno.test({
  name: "StateStore: a NATS restart loses no state; writes, watches and events resume",
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  nats ??= await startNats();
  const a = natsStateStore(await connectNats({ url: nats.url }));
  const b = natsStateStore(await connectNats({ url: nats.url }));
  try {
    const ns = `restart${Date.now()}`;
    await a.set(["host_state", ns, "127.0.0.1"], { up: true });
    const events: unknown[] = [];
    const off = b.subscribe("run", (m) => events.push(m));
    const changes: StateChange[] = [];
    const unwatch = b.watch(["host_state", ns], (c) => changes.push(c));
    await until(async () => {
      await a.set(["host_state", ns, "127.0.0.1"], { up: true });
      return changes.length > 0;
    }, "watch running before the restart");
    await nats.restart();
    // Stored on disk by JetStream: still there for the other client once it is back.
    await until(async () => {
      try {
        return (await b.get(["host_state", ns, "127.0.0.1"])).value !== null;
      } catch {
        return false; // still reconnecting
      }
    }, "state readable after the restart");
    await until(async () => {
      try {
        await a.set(["host_state", ns, "127.0.0.2"], { up: false });
      } catch { /* still reconnecting */ }
      a.publish("run", { ns });
      return events.some((e) => (e as { ns?: string }).ns === ns);
    }, "events flow again after the restart");
    assert.deepEqual((await b.get(["host_state", ns, "127.0.0.2"])).value, { up: false });
    await until(() => changes.some((c) => c.key[2] === "127.0.0.2"), "the watch resumed");
    off();
    unwatch();
  } finally {
    await a.close();
    await b.close();
  }
});

Deno.test({
  name: "StateStore: stop the test nats-server",
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  await nats?.stop();
  nats = null;
});

Deno.test("every state key prefix used by the code is registered with its bucket", async () => {
  const { STATE_KEY_PREFIXES } = await import("./state_store.ts");
  const root = new URL("../../", import.meta.url);
  const used = new Set<string>();
  // Key helpers (`…: StateKey => ["prefix", …]`) and literal keys passed to the store.
  const pattern = /(?:StateKey\s*=>\s*|\bkv\.\w+\(\s*)\[\s*"([A-Za-z_]+)"/g;
  const walk = async (dir: URL) => {
    for await (const e of Deno.readDir(dir)) {
      const url = new URL(e.name + (e.isDirectory ? "/" : ""), dir);
      if (e.isDirectory) await walk(url);
      else if (e.name.endsWith(".ts") && !e.name.endsWith("_test.ts")) {
        for (const m of (await Deno.readTextFile(url)).matchAll(pattern)) used.add(m[1]);
      }
    }
  };
  for (const dir of ["services/", "routes/", "web/"]) await walk(new URL(dir, root));
  assert.ok(used.has("session") && used.has("lease"), [...used].join(","));
  const missing = [...used].filter((p) => !Object.hasOwn(STATE_KEY_PREFIXES, p));
  assert.deepEqual(missing, [], "add them to STATE_KEY_PREFIXES (services/store/state_store.ts)");
});
