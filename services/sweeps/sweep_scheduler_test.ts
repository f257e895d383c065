import { openKvStateStore, type StateStore } from "@/services/store/mod.ts";
import assert from "node:assert/strict";
import { testScope } from "@/tests/support/test_scope.ts";
import type { SweepSubnet } from "@/services/ipam/mod.ts";
import { acquireLease, leaseHolder, leaseKey } from "@/services/jobs/mod.ts";
import {
  createScheduler,
  dueAt,
  effectiveIntervalS,
  nextDue,
  type ScheduleEntry,
  scheduleKey,
  type SchedulerOptions,
} from "./sweep_scheduler.ts";

const subnet = (id: number, interval = 300): SweepSubnet => ({
  id,
  cidr: `198.51.100.${id * 16}/28`,
  name: null,
  scan_enabled: true,
  scan_interval_s: interval,
  site: "local",
});

/** A sweep that finishes only when the test says so. */
function gate() {
  let open!: () => void;
  const p = new Promise<void>((r) => (open = r));
  return { p, open };
}

function harness(kv: StateStore, subnets: SweepSubnet[], extra: Partial<SchedulerOptions> = {}) {
  const clock = { now: Date.UTC(2026, 0, 1) };
  const runs: Array<{ id: number; at: number }> = [];
  const gates = new Map<number, ReturnType<typeof gate>>();
  const s = createScheduler({
    kv,
    listSubnets: () => Promise.resolve(subnets),
    runSubnet: async (sub, signal) => {
      runs.push({ id: sub.id, at: clock.now });
      const g = gates.get(sub.id);
      if (g) {
        await Promise.race([
          g.p,
          new Promise((r) => signal.addEventListener("abort", r, { once: true })),
        ]);
      }
    },
    now: () => clock.now,
    random: () => 0.5, // no jitter unless a test says otherwise
    jitter: 0.1,
    minIntervalS: 60,
    instance: "test-a",
    scope: testScope,
    ...extra,
  });
  return { s, clock, runs, gates };
}

Deno.test("jitter spreads the next sweep within ±jitter of the interval", () => {
  assert.equal(nextDue(0, 300, 0.1, 0), 270_000);
  assert.equal(nextDue(0, 300, 0.1, 0.5), 300_000);
  assert.equal(nextDue(0, 300, 0.1, 0.999999), 330_000);
  assert.equal(effectiveIntervalS(subnet(1, 30), 60), 60);
  assert.equal(effectiveIntervalS(subnet(1, 600), 60), 600);
  const entry: ScheduleEntry = { next_due: 300_000, last_started: 0, interval_s: 300 };
  assert.equal(dueAt(null, 300), 0);
  assert.equal(dueAt(entry, 300), 300_000);
  assert.equal(dueAt(entry, 60), 60_000, "a shorter interval applies at once");
});

Deno.test("a subnet is swept when due, then again one interval (plus jitter) later", async () => {
  await using kv = await openKvStateStore(":memory:");
  const { s, clock, runs } = harness(kv, [subnet(1, 300)], { random: () => 0.75 });
  const t0 = clock.now;
  assert.deepEqual((await s.tick()).started, [1], "never swept: due at once");
  await s.idle();
  const entry = (await kv.get<ScheduleEntry>(scheduleKey(1))).value!;
  assert.equal(entry.next_due, t0 + 315_000, "300 s + 5 % jitter");

  clock.now = t0 + 314_999;
  assert.deepEqual((await s.tick()).started, []);
  clock.now = t0 + 315_000;
  assert.deepEqual((await s.tick()).started, [1]);
  await s.idle();
  assert.deepEqual(runs.map((r) => r.at - t0), [0, 315_000]);
  // The lease was given back after each run.
  assert.equal(await leaseHolder(kv, leaseKey("sweep", 1), clock.now), null);
});

Deno.test("the schedule keeps its cadence while a slow sweep runs, and never overlaps it", async () => {
  await using kv = await openKvStateStore(":memory:");
  const h = harness(kv, [subnet(1, 60)], { random: () => 0.5 });
  const t0 = h.clock.now;
  const slow = gate();
  h.gates.set(1, slow);
  await h.s.tick();
  h.clock.now = t0 + 150_000; // two intervals later, still running
  const report = await h.s.tick();
  assert.deepEqual(report.started, []);
  assert.deepEqual(h.s.running(), [1]);
  slow.open();
  await h.s.idle();
  h.gates.delete(1);
  // Due since t0 + 60 s: runs on the very next tick, then 60 s after that start.
  assert.deepEqual((await h.s.tick()).started, [1]);
  await h.s.idle();
  h.clock.now = t0 + 150_000 + 59_999;
  assert.deepEqual((await h.s.tick()).started, []);
  h.clock.now = t0 + 210_000;
  assert.deepEqual((await h.s.tick()).started, [1]);
  await h.s.idle();
  assert.deepEqual(h.runs.map((r) => r.at - t0), [0, 150_000, 210_000]);
});

Deno.test("a subnet leased by another instance is skipped; the cap holds the rest back", async () => {
  await using kv = await openKvStateStore(":memory:");
  const subnets = [subnet(1), subnet(2), subnet(3), subnet(4)];
  const h = harness(kv, subnets, { maxConcurrent: 2 });
  await acquireLease(kv, leaseKey("sweep", 1), "other-instance", 60_000, h.clock.now);
  for (const id of [2, 3, 4]) h.gates.set(id, gate());

  const report = await h.s.tick();
  assert.deepEqual(report.due, [1, 2, 3, 4]);
  assert.deepEqual(report.started, [2, 3]);
  assert.deepEqual(report.skipped, [
    { id: 1, reason: "leased" },
    { id: 4, reason: "capacity" },
  ]);
  h.gates.get(2)!.open();
  h.gates.get(3)!.open();
  await h.s.idle();
  h.gates.get(4)!.open();
  assert.deepEqual((await h.s.tick()).started, [4]);
  await h.s.idle();
});

Deno.test("two instances sharing KV never sweep the same subnet at once", async () => {
  await using kv = await openKvStateStore(":memory:");
  const subnets = [subnet(1), subnet(2)];
  const a = harness(kv, subnets);
  const b = harness(kv, subnets, { instance: "test-b" });
  for (const h of [a, b]) for (const id of [1, 2]) h.gates.set(id, gate());
  const [ra, rb] = await Promise.all([a.s.tick(), b.s.tick()]);
  const started = [...ra.started, ...rb.started].sort();
  assert.deepEqual(started, [1, 2], "each subnet started exactly once");
  for (const h of [a, b]) for (const g of h.gates.values()) g.open();
  await Promise.all([a.s.idle(), b.s.idle()]);
  // Right after, neither instance finds them due again.
  assert.deepEqual((await b.s.tick()).started, []);
  assert.deepEqual((await a.s.tick()).started, []);
});

Deno.test("stop aborts running sweeps, waits for them and releases their leases", async () => {
  await using kv = await openKvStateStore(":memory:");
  const h = harness(kv, [subnet(1)]);
  h.gates.set(1, gate()); // never opened: only the abort ends it
  await h.s.tick();
  assert.ok(await leaseHolder(kv, leaseKey("sweep", 1), h.clock.now));
  await h.s.stop();
  assert.deepEqual(h.s.running(), []);
  assert.equal(await leaseHolder(kv, leaseKey("sweep", 1), h.clock.now), null);
  assert.deepEqual((await h.s.tick()).started, [], "a stopped scheduler starts nothing");
});

Deno.test("periodic jobs run once per period across instances", async () => {
  await using kv = await openKvStateStore(":memory:");
  let rollups = 0;
  const job = { name: "rollup", everyMs: 86_400_000, run: () => Promise.resolve(rollups++) };
  const a = harness(kv, [], { jobs: [job] });
  const b = harness(kv, [], { jobs: [job], instance: "test-b" });
  b.clock.now = a.clock.now;
  assert.deepEqual((await a.s.tick()).jobs, ["rollup"]);
  await a.s.idle();
  assert.deepEqual((await b.s.tick()).jobs, []);
  a.clock.now += 86_400_000 - 1;
  assert.deepEqual((await a.s.tick()).jobs, []);
  a.clock.now += 1;
  assert.deepEqual((await a.s.tick()).jobs, ["rollup"]);
  await a.s.idle();
  assert.equal(rollups, 2);
});
