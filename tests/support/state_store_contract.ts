// The StateStore contract, registered once per engine: Deno KV beside the code
// (services/store/state_store_test.ts) and NATS KV with a real nats-server (tests/nats/).
import assert from "node:assert/strict";
import type { StateChange, StateStore } from "@/services/store/mod.ts";
import { acquireLease, leaseHolder, releaseLease, renewLease } from "@/services/jobs/mod.ts";

export type OpenStateStore = (clock: { now: number }) => Promise<StateStore>;

/** Polls `cond` (bounded: 200 tries, 25 ms apart) for what arrives asynchronously. */
export const until = async (cond: () => boolean | Promise<boolean>, what: string) => {
  for (let i = 0; i < 200; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`never happened: ${what}`);
};

/** Registers every contract test for one engine. */
export function stateStoreContract(engine: string, open: OpenStateStore): void {
  const engines: Array<[string, OpenStateStore]> = [[engine, open]];
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
    const many = await s.getMany<number>([
      ["x", ns, "a"],
      ["x", ns, 7],
      ["x", ns, "nope"],
      ...keys,
    ]);
    assert.equal(many.length, 28);
    assert.deepEqual(many.slice(0, 3).map((e) => e.value), [{ up: true, n: 1 }, "seven", null]);
    assert.deepEqual(many.slice(3).map((e) => e.value), keys.map((_, i) => i));
    await s.delete(["x", ns, "a"]);
    assert.equal((await s.get(["x", ns, "a"])).value, null);
  });

  contract(
    "compare-and-set: one writer of a version wins, a stale version loses",
    async (s, ns) => {
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
    },
  );

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
    await until(
      () => seen.some((c) => c.key[2] === "127.0.0.2" && c.value === null),
      "delete seen",
    );
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
}
