import assert from "node:assert/strict";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { natsFixture } from "../../tests/support/nats_fixture.ts";
import { natsStateStore } from "@/services/store/mod.ts";
import { parseScanScope } from "@/services/sweeps/mod.ts";
import type { SweepSubnet } from "@/services/ipam/mod.ts";
import { type LeaseStore, stateStoreLeases } from "./state_leases.ts";
import { createClusterScheduler } from "./job_scheduler.ts";
import { jobStream } from "./subjects.ts";

const subnets: SweepSubnet[] = [
  { id: 1, cidr: "127.0.70.0/28", name: null, scan_enabled: true, scan_interval_s: 60, site: "a" },
  { id: 2, cidr: "127.0.71.0/28", name: null, scan_enabled: true, scan_interval_s: 60, site: "b" },
  // Outside the scope: never published.
  { id: 3, cidr: "10.9.0.0/28", name: null, scan_enabled: true, scan_interval_s: 60, site: "a" },
];

Deno.test({
  name: "cluster scheduler: only the leader publishes, per site, each interval once even when " +
    "two believe they lead",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await using f = await natsFixture();
    const js = jetstream(f.nc);
    const jsm = await jetstreamManager(f.nc);
    const state = natsStateStore(f.nc, { ownsConnection: false });
    const leases = stateStoreLeases(state, 60_000);
    let now = 1_000_000;
    const make = (instance: string, leaseStore: LeaseStore = leases) =>
      createClusterScheduler({
        js,
        jsm,
        leases: leaseStore,
        state,
        listSubnets: () => Promise.resolve(subnets),
        scope: () => Promise.resolve(parseScanScope("127.0.0.0/8")),
        planInputs: () => Promise.resolve({ exclude: [], known: [] }),
        now: () => now,
        jitter: 0,
        minIntervalS: 30,
        maxSweepPrefix: 16,
        instance,
        replicas: 1,
      });
    const a = make("A"), b = make("B");
    assert.equal(await a.keepLease(), true);
    assert.equal(await b.keepLease(), false);
    assert.deepEqual((await b.tick()).published, [], "the standby publishes nothing");
    const first = await a.tick();
    assert.deepEqual(first.published.map((j) => [j.subnet_id, j.site]), [[1, "a"], [2, "b"]]);
    assert.deepEqual((await a.tick()).published, [], "not due again within the interval");

    // Two schedulers that both believe they lead (a lease store that grants everyone): the
    // schedule's compare-and-set still lets only one claim each subnet's next interval.
    now += 60_000;
    const everyone: LeaseStore = {
      ttlMs: 60_000,
      acquire: (name, owner, t) =>
        Promise.resolve({
          name,
          owner,
          expiresAt: t + 1,
          lease: { key: ["lease", name], owner, expiresAt: t + 1 },
        }),
      renew: (l) => Promise.resolve(l),
      release: () => Promise.resolve(),
      holder: () => Promise.resolve(null),
    };
    const c = make("C", everyone), d = make("D", everyone);
    assert.ok(await c.keepLease() && await d.keepLease());
    const [x, y] = await Promise.all([c.tick(), d.tick()]);
    const issued = [...x.published, ...y.published].map((j) => j.subnet_id).sort();
    assert.deepEqual(issued, [1, 2], "each subnet once for this interval");
    for (const site of ["a", "b"]) {
      const info = await jsm.streams.info(jobStream(site));
      assert.equal(info.state.messages, 2, `two intervals of site ${site}`);
    }
    await a.stop();
  },
});

Deno.test({
  name: "cluster lease on the state store: one holder; a lost lease cannot be renewed",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await using f = await natsFixture();
    const leases = stateStoreLeases(natsStateStore(f.nc, { ownsConnection: false }), 60_000);
    const t = 1_000_000;
    const won = await Promise.all(["A", "B", "C"].map((o) => leases.acquire("scheduler", o, t)));
    assert.equal(won.filter(Boolean).length, 1, "racers: exactly one wins");
    const a = won.find(Boolean)!;
    assert.ok(await leases.renew(a, t + 10));
    // The holder died: after the TTL another takes it, and the old holder's renewal fails.
    const b = await leases.acquire("scheduler", "Z", t + 61_000);
    assert.ok(b);
    assert.equal(await leases.renew(a, t + 61_001), null);
    assert.equal((await leases.holder("scheduler", t + 61_002))?.owner, "Z");
    await leases.release(b!);
    assert.equal(await leases.holder("scheduler", t + 61_003), null);
  },
});
