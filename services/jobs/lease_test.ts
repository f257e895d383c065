import { stateTest } from "@/tests/support/state_engines.ts";
import assert from "node:assert/strict";
import { acquireLease, leaseHolder, leaseKey, releaseLease, renewLease } from "./lease.ts";

const KEY = leaseKey("sweep", 7);

stateTest("only one instance holds a lease until it is released or expires", async (kv) => {
  const a = await acquireLease(kv, KEY, "instance-a", 60_000, 1_000);
  assert.ok(a);
  assert.equal(a.expiresAt, 61_000);
  assert.equal(await acquireLease(kv, KEY, "instance-b", 60_000, 2_000), null);
  assert.deepEqual(await leaseHolder(kv, KEY, 2_000), {
    owner: "instance-a",
    expiresAt: 61_000,
    acquiredAt: 1_000,
  });

  assert.equal(await releaseLease(kv, a), true);
  const b = await acquireLease(kv, KEY, "instance-b", 60_000, 3_000);
  assert.equal(b?.owner, "instance-b");
  // A stale holder cannot release what another owner holds now.
  assert.equal(await releaseLease(kv, a), false);
  assert.equal((await leaseHolder(kv, KEY, 3_000))?.owner, "instance-b");
});

stateTest(
  "an expired lease can be taken over, and the old holder's renewal then fails",
  async (kv) => {
    const a = await acquireLease(kv, KEY, "a", 10_000, 0);
    assert.ok(a);
    assert.equal(await acquireLease(kv, KEY, "b", 10_000, 9_999), null);
    const b = await acquireLease(kv, KEY, "b", 10_000, 10_000);
    assert.equal(b?.owner, "b");
    assert.equal(await renewLease(kv, a, 10_000, 10_001), null);
    const renewed = await renewLease(kv, b!, 10_000, 15_000);
    assert.equal(renewed?.expiresAt, 25_000);
    assert.equal(await leaseHolder(kv, KEY, 25_000), null);
  },
);

stateTest("many instances racing for one lease: exactly one wins", async (kv) => {
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) => acquireLease(kv, KEY, `i${i}`, 60_000, 5_000)),
  );
  assert.equal(results.filter((r) => r !== null).length, 1);
});
