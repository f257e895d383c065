import { stateTest } from "@/tests/support/state_engines.ts";
import assert from "node:assert/strict";
import {
  countUp,
  deleteStates,
  type HostState,
  hostStateKey,
  nextState,
  type Observation,
  readStates,
  UNCHANGED_REWRITE_MS,
  writeObservations,
} from "./state_store.ts";

const up = (ip: string, latencyMs = 1.5): Observation => ({
  ip,
  up: true,
  latencyMs,
  method: "fping",
});
const down = (ip: string): Observation => ({ ip, up: false, latencyMs: 7, method: "fping" });

Deno.test("nextState keeps `since` until a flip and remembers when the host was last seen", () => {
  const first = nextState(null, up("198.51.100.1"), 1000);
  assert.deepEqual(first, {
    up: true,
    latency_ms: 1.5,
    since: 1000,
    last_seen: 1000,
    method: "fping",
    checked_at: 1000,
  });
  const still = nextState(first, up("198.51.100.1", 2), 2000);
  assert.equal(still.since, 1000);
  assert.equal(still.last_seen, 2000);
  const gone = nextState(still, down("198.51.100.1"), 3000);
  assert.deepEqual(gone, {
    up: false,
    latency_ms: null, // a down host has no latency, whatever the probe measured
    since: 3000,
    last_seen: 2000,
    method: "fping",
    checked_at: 3000,
  });
  assert.equal(nextState(gone, down("198.51.100.1"), 4000).since, 3000);
  assert.equal(nextState(null, down("198.51.100.1"), 5000).last_seen, null);
});

stateTest("writeObservations reports each flip once and stores the agreed KV shape", async (kv) => {
  const ips = Array.from({ length: 250 }, (_, i) => `198.51.100.${i + 1}`);
  const first = await writeObservations(kv, ips.map((ip) => up(ip)), 1000);
  assert.equal(first.length, 250);
  assert.ok(first.every((t) => t.prev === null && !t.flipped));

  const second = await writeObservations(
    kv,
    ips.map((ip) => (ip === "198.51.100.7" ? down(ip) : up(ip))),
    2000,
  );
  const flips = second.filter((t) => t.flipped);
  assert.deepEqual(flips.map((t) => [t.ip, t.prev?.up, t.next.up]), [[
    "198.51.100.7",
    true,
    false,
  ]]);

  const stored = (await kv.get<HostState>(hostStateKey("198.51.100.7"))).value;
  assert.deepEqual(stored, {
    up: false,
    latency_ms: null,
    since: 2000,
    last_seen: 1000,
    method: "fping",
    checked_at: 2000,
  });
  assert.equal(await countUp(kv), 249);
  assert.equal(await countUp(kv, ["198.51.100.7", "198.51.100.8", "198.51.100.254"]), 1);
});

stateTest("an older observation never overwrites a newer one", async (kv) => {
  await writeObservations(kv, [down("198.51.100.9")], 5000);
  const stale = await writeObservations(kv, [up("198.51.100.9")], 4000);
  assert.deepEqual(stale, []);
  assert.equal((await readStates(kv, ["198.51.100.9"])).get("198.51.100.9")?.up, false);
});

stateTest("two writers racing on the same hosts report the flip exactly once", async (kv) => {
  const ips = Array.from({ length: 120 }, (_, i) => `203.0.113.${i + 1}`);
  await writeObservations(kv, ips.map((ip) => up(ip)), 1000);
  const [a, b] = await Promise.all([
    writeObservations(kv, ips.map(down), 2000),
    writeObservations(kv, ips.map(down), 2001),
  ]);
  const flips = [...a, ...b].filter((t) => t.flipped).map((t) => t.ip).sort();
  assert.deepEqual(flips, [...ips].sort());
  const states = await readStates(kv, ips);
  assert.equal(states.size, 120);
  for (const s of states.values()) assert.equal(s.up, false);
});

stateTest("deleteStates forgets addresses", async (kv) => {
  await writeObservations(kv, [up("198.51.100.1"), up("198.51.100.2")], 1);
  await deleteStates(kv, ["198.51.100.1"]);
  assert.deepEqual([...(await readStates(kv, ["198.51.100.1", "198.51.100.2"])).keys()], [
    "198.51.100.2",
  ]);
});

stateTest(
  "countUp over a large address list scans once and counts only those listed",
  async (kv) => {
    const ips = Array.from({ length: 300 }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
    await writeObservations(kv, ips.map((ip, i) => (i % 3 === 0 ? down(ip) : up(ip))), 1);
    await writeObservations(kv, [up("127.0.2.1")], 1);
    assert.equal(await countUp(kv, ips), 200);
    assert.equal(await countUp(kv), 201);
  },
);

stateTest("writeObservations: a write by another writer between two sweeps is seen", async (kv) => {
  const ips = ["198.51.100.1", "198.51.100.2", "198.51.100.3"];
  await writeObservations(kv, ips.map((ip) => up(ip)), 1000);
  // Another process (a host ping elsewhere) saw .2 down meanwhile; this writer did not.
  await kv.set(hostStateKey("198.51.100.2"), nextState(null, down("198.51.100.2"), 1500));
  await kv.delete(hostStateKey("198.51.100.3"));
  const second = await writeObservations(kv, ips.map((ip) => up(ip)), 2000);
  const byIp = new Map(second.map((t) => [t.ip, t]));
  assert.equal(byIp.get("198.51.100.1")?.flipped, false);
  assert.equal(byIp.get("198.51.100.2")?.flipped, true, "down → up, from the other write");
  assert.equal(byIp.get("198.51.100.2")?.prev?.up, false);
  assert.equal(byIp.get("198.51.100.3")?.prev, null, "deleted meanwhile: observed anew");
  const stored = await readStates(kv, ips);
  assert.deepEqual(ips.map((ip) => stored.get(ip)?.checked_at), [2000, 2000, 2000]);
});

stateTest(
  "coalesceUnchanged: on NATS KV an unchanged verdict is stored at most every few minutes",
  async (kv) => {
    const ip = "198.51.100.44";
    const o = { coalesceUnchanged: true };
    const stored = async () => (await kv.get<HostState>(hostStateKey(ip))).value!.checked_at;
    await writeObservations(kv, [up(ip, 1)], 1000, o);
    const [same] = await writeObservations(kv, [up(ip, 2)], 2000, o);
    assert.deepEqual([same.flipped, same.next.latency_ms, same.next.checked_at], [false, 2, 2000]);
    // Deno KV (the single box) stores every verdict; NATS KV keeps this one in memory.
    assert.equal(await stored(), kv.engine === "nats" ? 1000 : 2000);
    const [gone] = await writeObservations(kv, [down(ip)], 3000, o);
    assert.equal(gone.flipped, true, "a flip is stored at once");
    assert.equal(gone.next.last_seen, 2000, "from the newest verdict, not the stored one");
    assert.equal(await stored(), 3000);
    await writeObservations(kv, [down(ip)], 4000, o);
    assert.equal(await stored(), kv.engine === "nats" ? 3000 : 4000);
    await writeObservations(kv, [down(ip)], 3000 + UNCHANGED_REWRITE_MS, o);
    assert.equal(await stored(), 3000 + UNCHANGED_REWRITE_MS, "stored again once old enough");
    // An older verdict than the newest one seen is still refused, stored or not.
    assert.deepEqual(await writeObservations(kv, [up(ip)], 3500, o), []);
  },
);

stateTest(
  "coalesceUnchanged: another writer's flip is never hidden by a coalesced verdict",
  async (kv) => {
    const ip = "198.51.100.45";
    const o = { coalesceUnchanged: true };
    await writeObservations(kv, [up(ip, 1)], 1000, o);
    // Another process (the scheduler's known-host ping) stores "down" behind this writer's back.
    const entry = await kv.get<HostState>(hostStateKey(ip));
    const down = { ...entry.value!, up: false, latency_ms: null, since: 1500, checked_at: 1500 };
    assert.equal((await kv.compareAndSet(entry.key, entry.versionstamp, down)).ok, true);
    // Its change reaches this process through the bucket's watch; until then a verdict may still
    // be coalesced, so try a bounded number of times: the stored state must come back to "up".
    let stored: HostState | null = null;
    for (let i = 0; i < 50; i++) {
      await writeObservations(kv, [up(ip, 2)], 2000 + i, o);
      stored = (await kv.get<HostState>(hostStateKey(ip))).value;
      if (stored?.up) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(stored?.up, true, "the up verdict is stored over the other writer's down");
    assert.ok(stored!.since >= 2000, "and counts as a flip (new since)");
  },
);
