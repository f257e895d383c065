// The host-state cache: one shared scan, reuse within maxAge, the writer's changes visible at once,
// writes made during a scan not lost, and off unless enabled.
import assert from "node:assert/strict";
import { openKvStateStore } from "@/services/store/mod.ts";
import {
  enableHostStateCache,
  hostStateCacheEnabled,
  hostStateSnapshot,
  noteHostStates,
} from "./host_state_cache.ts";
import { hostStateKey, listUpIps, readHostStates } from "./host_state.ts";

const state = (up: boolean) => ({
  up,
  latency_ms: up ? 1 : null,
  since: 1,
  last_seen: 1,
  method: "fping",
  checked_at: 1,
});

Deno.test("host state cache: off by default, then one scan serves readers until it is old", async () => {
  const kv = await openKvStateStore(":memory:");
  try {
    await kv.set(hostStateKey("198.51.100.1"), state(true));
    assert.equal(hostStateCacheEnabled(kv), false);
    assert.equal(await hostStateSnapshot(kv), null);

    let now = 1000;
    enableHostStateCache(kv, { maxAgeMs: 500, now: () => now });
    const [a, b] = await Promise.all([hostStateSnapshot(kv), hostStateSnapshot(kv)]);
    assert.equal(a, b, "concurrent readers share one scan");
    assert.deepEqual([...a!.keys()], ["198.51.100.1"]);

    // Written by another process (straight to KV): unseen until the snapshot is old.
    await kv.set(hostStateKey("198.51.100.2"), state(true));
    assert.deepEqual(await listUpIps(kv), ["198.51.100.1"]);
    now += 500;
    assert.deepEqual(await listUpIps(kv), ["198.51.100.1"], "served while the rescan runs");
    await hostStateSnapshot(kv); // lets the rescan finish
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual((await listUpIps(kv)).sort(), ["198.51.100.1", "198.51.100.2"]);
    now += 500 * 10;
    await kv.set(hostStateKey("198.51.100.3"), state(true));
    assert.equal((await listUpIps(kv)).length, 3, "much older: readers wait for the rescan");
    await kv.delete(hostStateKey("198.51.100.3"));
    noteHostStates(kv, [["198.51.100.3", null]]);

    // Written by this process's writer: seen at once.
    noteHostStates(kv, [["198.51.100.1", state(false)], ["198.51.100.2", null]]);
    assert.deepEqual(await listUpIps(kv), []);
    const states = await readHostStates(kv, ["198.51.100.1", "198.51.100.2"]);
    assert.equal(states.get("198.51.100.1")?.up, false);
    assert.equal(states.has("198.51.100.2"), false);

    enableHostStateCache(kv, { maxAgeMs: 0 });
    assert.equal(hostStateCacheEnabled(kv), false);
  } finally {
    await kv.close();
  }
});

Deno.test("host state cache: a write during a scan wins over what the scan read", async () => {
  const kv = await openKvStateStore(":memory:");
  try {
    await kv.set(hostStateKey("198.51.100.1"), state(true));
    enableHostStateCache(kv, { maxAgeMs: 60_000 });
    const scanning = hostStateSnapshot(kv);
    noteHostStates(kv, [["198.51.100.1", state(false)], ["198.51.100.9", state(true)]]);
    const snap = await scanning;
    assert.equal(snap!.get("198.51.100.1")?.up, false);
    assert.equal(snap!.get("198.51.100.9")?.up, true);
  } finally {
    await kv.close();
  }
});

Deno.test("host state cache (follow): one scan, then every store write shows without a rescan", async () => {
  const kv = await openKvStateStore(":memory:");
  try {
    await kv.set(hostStateKey("198.51.100.1"), state(true));
    let now = 1000;
    enableHostStateCache(kv, { maxAgeMs: 500, now: () => now, follow: true });
    assert.deepEqual(await listUpIps(kv), ["198.51.100.1"]);
    // Another writer's changes come through the store's change feed, long before any rescan.
    await kv.set(hostStateKey("198.51.100.2"), { ...state(true), checked_at: 2 });
    await kv.set(hostStateKey("198.51.100.1"), { ...state(false), checked_at: 2 });
    now += 500 * 20;
    assert.deepEqual(await listUpIps(kv), ["198.51.100.2"]);
    await kv.delete(hostStateKey("198.51.100.2"));
    assert.deepEqual(await listUpIps(kv), []);
    enableHostStateCache(kv, { maxAgeMs: 0 });
  } finally {
    await kv.close();
  }
});
