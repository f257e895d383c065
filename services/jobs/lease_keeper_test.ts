import type { StateKey } from "@/services/store/mod.ts";
import { stateTest } from "@/tests/support/state_engines.ts";
import assert from "node:assert/strict";
import { acquireLease, type Lease, leaseHolder, leaseKey } from "./lease.ts";
import { keepLeases } from "./lease_keeper.ts";

stateTest(
  "stopping gives back the kept leases but not one another owner took since",
  async (kv) => {
    const mine = await acquireLease(kv, leaseKey("sweep", 1), "a", 60_000, 0);
    const lost = await acquireLease(kv, leaseKey("sweep", 2), "a", 60_000, 0);
    assert.ok(mine && lost);
    const stop = keepLeases([mine, lost], { kv, ttlMs: 60_000, now: () => 0 });
    // "b" takes the second lease after it expired on the logical clock.
    assert.ok(await acquireLease(kv, lost.key, "b", 60_000, 70_000));
    await stop();
    assert.equal(await leaseHolder(kv, mine.key, 0), null);
    assert.equal((await leaseHolder(kv, lost.key, 70_000))?.owner, "b");
  },
);

stateTest(
  "a lease taken over while kept is reported lost and left to its new owner",
  async (kv) => {
    const lease = await acquireLease(kv, leaseKey("job", "rollup"), "a", 3_000, 0);
    assert.ok(lease);
    assert.ok(await acquireLease(kv, lease.key, "b", 3_000, 5_000));
    const lostKeys: StateKey[] = [];
    let reported!: () => void;
    const wasReported = new Promise<void>((resolve) => (reported = resolve));
    // Renewal runs every max(1 s, ttl / 3): the first one finds "b" holding it.
    const stop = keepLeases([lease], {
      kv,
      ttlMs: 3_000,
      now: () => 5_000,
      onLost: (l: Lease) => {
        lostKeys.push(l.key);
        reported();
      },
    });
    await wasReported;
    await stop();
    assert.deepEqual(lostKeys, [lease.key]);
    assert.equal((await leaseHolder(kv, lease.key, 5_000))?.owner, "b");
  },
);
