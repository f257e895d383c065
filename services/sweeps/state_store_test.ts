import assert from "node:assert/strict";
import {
  countUp,
  deleteStates,
  type HostState,
  hostStateKey,
  nextState,
  type Observation,
  readStates,
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

Deno.test("writeObservations reports each flip once and stores the agreed KV shape", async () => {
  using kv = await Deno.openKv(":memory:");
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

Deno.test("an older observation never overwrites a newer one", async () => {
  using kv = await Deno.openKv(":memory:");
  await writeObservations(kv, [down("198.51.100.9")], 5000);
  const stale = await writeObservations(kv, [up("198.51.100.9")], 4000);
  assert.deepEqual(stale, []);
  assert.equal((await readStates(kv, ["198.51.100.9"])).get("198.51.100.9")?.up, false);
});

Deno.test("two writers racing on the same hosts report the flip exactly once", async () => {
  using kv = await Deno.openKv(":memory:");
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

Deno.test("deleteStates forgets addresses", async () => {
  using kv = await Deno.openKv(":memory:");
  await writeObservations(kv, [up("198.51.100.1"), up("198.51.100.2")], 1);
  await deleteStates(kv, ["198.51.100.1"]);
  assert.deepEqual([...(await readStates(kv, ["198.51.100.1", "198.51.100.2"])).keys()], [
    "198.51.100.2",
  ]);
});

Deno.test("countUp over a large address list scans once and counts only those listed", async () => {
  using kv = await Deno.openKv(":memory:");
  const ips = Array.from({ length: 300 }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
  await writeObservations(kv, ips.map((ip, i) => (i % 3 === 0 ? down(ip) : up(ip))), 1);
  await writeObservations(kv, [up("127.0.2.1")], 1);
  assert.equal(await countUp(kv, ips), 200);
  assert.equal(await countUp(kv), 201);
});
