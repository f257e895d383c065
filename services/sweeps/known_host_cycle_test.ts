import { openKvStateStore, type StateStore } from "@/services/store/mod.ts";
import assert from "node:assert/strict";
import { testScope } from "@/tests/support/test_scope.ts";
import type { KnownHost, ScannedHost, SweepSubnet } from "@/services/ipam/mod.ts";
import { acquireLease, leaseKey } from "@/services/jobs/mod.ts";
import {
  createKnownHostCycle,
  KNOWN_HOST_CHECK_KEY,
  type KnownHostCheck,
  type KnownHostCycleOptions,
  lastKnownHostCheck,
} from "./known_host_cycle.ts";
import { type ScheduleEntry, scheduleKey } from "./sweep_scheduler.ts";
import type { HostCheckOutcome } from "./sweep_service.ts";

const T0 = Date.UTC(2026, 0, 1);

const subnet = (id: number, cidr: string, site = "local"): SweepSubnet => ({
  id,
  cidr,
  name: null,
  scan_enabled: true,
  scan_interval_s: 300,
  site,
});

const host = (id: number, ip: string, s: SweepSubnet): ScannedHost => ({
  id,
  ip,
  subnet_id: s.id,
  hostname: null,
  mac: null,
  scan_subnet_id: s.id,
  scan_cidr: s.cidr,
  site: s.site,
});

/** A schedule entry as the scheduler writes it after a sweep started at `startedAt`. */
const swept = (startedAt: number): ScheduleEntry => ({
  next_due: startedAt + 300_000,
  last_started: startedAt,
  interval_s: 300,
});

function harness(
  kv: StateStore,
  subnets: SweepSubnet[],
  hosts: ScannedHost[],
  extra: Partial<KnownHostCycleOptions> = {},
) {
  const clock = { now: T0 };
  const checked: KnownHost[][] = [];
  let hold: Promise<void> | null = null;
  const cycle = createKnownHostCycle({
    kv,
    listHosts: () => Promise.resolve(hosts),
    listSubnets: () => Promise.resolve(subnets),
    scope: testScope,
    check: async (list): Promise<HostCheckOutcome> => {
      checked.push(list);
      if (hold) await hold;
      return {
        status: "succeeded",
        method: "fping",
        targets: list.length,
        up: list.length,
        down: 0,
        flips: 0,
        errors: [],
      };
    },
    now: () => clock.now,
    everyS: 60,
    minIntervalS: 60,
    instance: "a",
    ...extra,
  });
  return {
    cycle,
    clock,
    checked,
    holdChecks(p: Promise<void>) {
      hold = p;
    },
  };
}

Deno.test("the cycle pings known hosts of scanned subnets, leaving busy sweeps' hosts to them", async () => {
  await using kv = await openKvStateStore(":memory:");
  const idle = subnet(1, "198.51.100.0/28");
  const sweeping = subnet(2, "198.51.100.16/28");
  const parent = subnet(3, "203.0.113.0/24");
  const child = subnet(4, "203.0.113.0/28");
  const due = subnet(5, "198.51.100.32/28");
  const hosts = [
    host(1, "198.51.100.1", idle),
    host(2, "198.51.100.17", sweeping),
    host(3, "203.0.113.1", child), // its parent's sweep probes it too
    host(4, "198.51.100.33", due),
  ];
  const { cycle, clock } = harness(kv, [idle, sweeping, parent, child, due], hosts);
  // Swept a while ago, not due: idle and child. The sweeping one holds its lease; parent just
  // started; due has never been swept (the scheduler takes it on this tick).
  for (const s of [idle, sweeping, child]) {
    await kv.set(scheduleKey(s.id), swept(clock.now - 120_000));
  }
  await kv.set(scheduleKey(parent.id), swept(clock.now - 10_000));
  assert.ok(await acquireLease(kv, leaseKey("sweep", sweeping.id), "other", 60_000, clock.now));

  const report = await cycle.tick();
  assert.equal(report.skipped, null);
  assert.deepEqual(report.check?.hosts, 1);
  assert.equal(report.check?.left_to_sweeps, 3);
  const stored = await lastKnownHostCheck(kv);
  assert.deepEqual(
    [stored?.hosts, stored?.up, stored?.status, stored?.every_s],
    [1, 1, "succeeded", 60],
  );
});

Deno.test("hosts of other sites and outside the scan scope are never pinged", async () => {
  await using kv = await openKvStateStore(":memory:");
  const here = subnet(1, "198.51.100.0/28");
  const branch = subnet(2, "198.51.100.16/28", "branch-1");
  const outside = subnet(3, "198.18.0.0/28"); // not in the test scope
  for (const s of [here, branch, outside]) await kv.set(scheduleKey(s.id), swept(T0 - 120_000));
  const { cycle, checked } = harness(kv, [here, branch, outside], [
    host(1, "198.51.100.1", here),
    host(2, "198.51.100.17", branch),
    host(3, "198.18.0.1", outside),
  ], { site: "local" });
  await cycle.tick();
  assert.deepEqual(checked.map((l) => l.map((h) => h.ip)), [["198.51.100.1"]]);
});

Deno.test("a tick while the previous check runs is skipped and logged; the next one runs", async () => {
  await using kv = await openKvStateStore(":memory:");
  const s = subnet(1, "198.51.100.0/28");
  await kv.set(scheduleKey(s.id), swept(T0 - 120_000));
  const { cycle, clock, checked, holdChecks } = harness(kv, [s], [host(1, "198.51.100.1", s)]);
  let release!: () => void;
  holdChecks(new Promise((r) => (release = r)));
  const first = cycle.tick();
  clock.now += 60_000;
  const logged: string[] = [];
  const error = console.error;
  console.error = (line: string) => logged.push(line);
  let second;
  try {
    second = await cycle.tick();
  } finally {
    console.error = error;
  }
  assert.equal(second.skipped, "still_running");
  assert.equal(logged.length, 1);
  assert.match(logged[0], /known-host check skipped: the previous one still runs/);
  assert.match(logged[0], /SCAN_ICMP_INTERVAL_SECONDS/);
  release();
  assert.equal((await first).skipped, null);
  holdChecks(Promise.resolve());
  clock.now += 60_000;
  assert.equal((await cycle.tick()).skipped, null);
  assert.equal(checked.length, 2, "two checks: the skipped period left out");
});

Deno.test("two instances check one period once", async () => {
  await using kv = await openKvStateStore(":memory:");
  const s = subnet(1, "198.51.100.0/28");
  await kv.set(scheduleKey(s.id), swept(T0 - 120_000));
  const hosts = [host(1, "198.51.100.1", s)];
  const a = harness(kv, [s], hosts);
  const b = harness(kv, [s], hosts, { instance: "b" });
  assert.equal((await a.cycle.tick()).skipped, null);
  b.clock.now += 20_000; // b's timer fires 20 s after a's
  assert.equal((await b.cycle.tick()).skipped, "recent");
  a.clock.now += 60_000;
  assert.equal((await a.cycle.tick()).skipped, null);
  assert.equal(b.checked.length, 0);
  assert.equal((await kv.get<KnownHostCheck>(KNOWN_HOST_CHECK_KEY)).value?.instance, "a");
});

Deno.test("a stopped cycle starts no check", async () => {
  await using kv = await openKvStateStore(":memory:");
  const { cycle, checked } = harness(kv, [], []);
  await cycle.stop();
  assert.equal((await cycle.tick()).skipped, "stopped");
  assert.equal(checked.length, 0);
});
