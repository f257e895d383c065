import { openKvStateStore } from "@/services/store/mod.ts";
import assert from "node:assert/strict";
import { acquireLease, leaseHolder } from "@/services/jobs/mod.ts";
import { portscanLeaseKey } from "./port_requests.ts";
import {
  createPortScheduler,
  jitterFraction,
  portScanDueAt,
  type PortSchedulerOptions,
} from "./port_scheduler.ts";
import type { ScanTarget } from "./portscan_service.ts";

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);
const target = (id: number): ScanTarget => ({ id, ip: `198.51.100.${id}`, subnet_id: null });

function gate() {
  let open!: () => void;
  const p = new Promise<void>((r) => (open = r));
  return { p, open };
}

async function harness(alive: number[], extra: Partial<PortSchedulerOptions> = {}) {
  const kv = await openKvStateStore(":memory:");
  const clock = { now: T0 };
  const last = new Map<number, number>();
  const batches: number[][] = [];
  let hold: ReturnType<typeof gate> | null = null;
  const s = createPortScheduler({
    kv,
    now: () => clock.now,
    instance: "a",
    intervalMs: HOUR,
    jitter: 0.1,
    maxConcurrent: 2,
    batchSize: 3,
    listAliveHosts: () => Promise.resolve(alive.map(target)),
    lastScans: (ids) =>
      Promise.resolve(new Map(ids.flatMap((id) => last.has(id) ? [[id, last.get(id)!]] : []))),
    runBatch: async (hosts, signal) => {
      batches.push(hosts.map((h) => h.id));
      if (hold) {
        await Promise.race([
          hold.p,
          new Promise((r) => signal.addEventListener("abort", r, { once: true })),
        ]);
      }
      // Like scanHosts: the run row's started_at is the scan's start.
      for (const h of hosts) last.set(h.id, clock.now);
    },
    ...extra,
  });
  return {
    s,
    kv,
    clock,
    last,
    batches,
    holdNext: () => (hold = gate()),
    release: () => hold?.open(),
    close: async () => {
      await s.stop();
      kv.close();
    },
  };
}

Deno.test("due time: never scanned is due now; otherwise interval ± jitter, stable per scan", () => {
  assert.equal(portScanDueAt(7, undefined, HOUR, 0.1), 0);
  const dues = Array.from({ length: 200 }, (_, id) => portScanDueAt(id, T0, HOUR, 0.1) - T0);
  assert.ok(dues.every((d) => d >= 0.9 * HOUR && d <= 1.1 * HOUR), "within ±10 %");
  // Spread, not one instant: the 200 hosts land across most of the ±6 minute window.
  assert.ok(Math.max(...dues) - Math.min(...dues) > 0.15 * HOUR);
  assert.ok(new Set(dues).size > 190);
  // Stable on every tick and instance for the same scan; a new scan rolls a new offset.
  assert.equal(portScanDueAt(5, T0, HOUR, 0.1), portScanDueAt(5, T0, HOUR, 0.1));
  assert.notEqual(jitterFraction(5, T0), jitterFraction(5, T0 + HOUR));
  assert.equal(portScanDueAt(5, T0, HOUR, 0), T0 + HOUR);
  const f = jitterFraction(123, T0);
  assert.ok(f >= 0 && f < 1);
});

Deno.test("a tick batches due hosts and respects NMAP_MAX_CONCURRENT", async () => {
  const h = await harness([1, 2, 3, 4, 5, 6, 7, 8]);
  try {
    h.holdNext();
    const r = await h.s.tick();
    assert.deepEqual(r.due, [1, 2, 3, 4, 5, 6, 7, 8]);
    // 2 batches of 3 at once; the rest wait for capacity.
    assert.deepEqual(r.started, [[1, 2, 3], [4, 5, 6]]);
    assert.deepEqual(r.skipped, [{ id: 7, reason: "capacity" }, { id: 8, reason: "capacity" }]);
    assert.deepEqual(h.s.running().sort(), [1, 2, 3, 4, 5, 6]);
    // Leases are held while scanning.
    assert.equal((await leaseHolder(h.kv, portscanLeaseKey(1), h.clock.now))?.owner, "a");
    // A tick while both run starts nothing and does not count running hosts as due.
    const busy = await h.s.tick();
    assert.deepEqual(busy.due, [7, 8]);
    assert.deepEqual(busy.started, []);
    h.release();
    await h.s.idle();
    assert.equal(await leaseHolder(h.kv, portscanLeaseKey(1), h.clock.now), null);
    const next = await h.s.tick();
    assert.deepEqual(next.started, [[7, 8]]);
    await h.s.idle();
  } finally {
    await h.close();
  }
});

Deno.test("after a scan a host waits the interval ± jitter (injected clock)", async () => {
  const h = await harness([1, 2]);
  try {
    await h.s.tick();
    await h.s.idle();
    assert.deepEqual(h.batches, [[1, 2]]);
    const due1 = portScanDueAt(1, T0, HOUR, 0.1);
    const due2 = portScanDueAt(2, T0, HOUR, 0.1);
    const [first, second] = due1 <= due2 ? [1, 2] : [2, 1];
    h.clock.now = Math.min(due1, due2) - 1;
    assert.deepEqual((await h.s.tick()).due, []);
    h.clock.now = Math.min(due1, due2);
    const r = await h.s.tick();
    await h.s.idle();
    if (due1 === due2) assert.deepEqual(r.started, [[1, 2]]);
    else assert.deepEqual(r.started, [[first]]);
    h.clock.now = T0 + 1.1 * HOUR;
    await h.s.tick();
    await h.s.idle();
    assert.deepEqual(h.batches.flat().filter((id) => id === second).length, 2);
  } finally {
    await h.close();
  }
});

Deno.test("hosts leased by another instance, or scanned meanwhile, are skipped", async () => {
  let calls = 0;
  const h = await harness([1, 2, 3], {
    // The second read (under the lease) sees a scan of host 3 another instance just finished.
    lastScans: (ids) => {
      calls++;
      return Promise.resolve(new Map(calls >= 2 && ids.includes(3) ? [[3, T0]] : []));
    },
  });
  try {
    assert.ok(await acquireLease(h.kv, portscanLeaseKey(2), "b", 60_000, T0));
    const r = await h.s.tick();
    assert.deepEqual(r.started, [[1]]);
    assert.deepEqual(r.skipped, [{ id: 2, reason: "leased" }, { id: 3, reason: "not_due" }]);
    // The lease taken for host 3 was given back.
    assert.equal(await leaseHolder(h.kv, portscanLeaseKey(3), T0), null);
    await h.s.idle();
  } finally {
    await h.close();
  }
});

Deno.test("stop aborts running batches, releases their leases and ends ticking", async () => {
  const h = await harness([1]);
  try {
    h.holdNext();
    await h.s.tick();
    assert.deepEqual(h.s.running(), [1]);
    await h.s.stop();
    assert.deepEqual(h.s.running(), []);
    assert.equal(await leaseHolder(h.kv, portscanLeaseKey(1), T0), null);
    h.clock.now += 2 * HOUR;
    assert.deepEqual(await h.s.tick(), { due: [], started: [], skipped: [] });
  } finally {
    await h.close();
  }
});
