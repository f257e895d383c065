// Reading discovery's KV state: both read paths give the same answer; malformed values read as none.
import { openKvStateStore, type StateStore } from "@/services/store/mod.ts";
import assert from "node:assert/strict";
import {
  asHostState,
  HOST_STATE_PREFIX,
  listUpIps,
  readHostStates,
  statusOf,
} from "./host_state.ts";

async function withKv(fn: (kv: StateStore) => Promise<void>) {
  const kv = await openKvStateStore(":memory:");
  try {
    await fn(kv);
  } finally {
    kv.close();
  }
}

const state = (up: boolean, latency: number | null = 1.5) => ({
  up,
  latency_ms: latency,
  since: 1_700_000_000_000,
  last_seen: up ? 1_700_000_100_000 : null,
  method: "icmp",
});

Deno.test("readHostStates: few addresses via getMany, many via one prefix scan, same result", async () => {
  await withKv(async (kv) => {
    const ips = Array.from({ length: 600 }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
    for (let i = 0; i < ips.length; i += 100) {
      // Every third address has no state at all.
      await kv.commitEach(
        ips.slice(i, i + 100).flatMap((ip, j) =>
          (i + j) % 3 !== 2 ? [{ key: [HOST_STATE_PREFIX, ip], set: state((i + j) % 3 === 0) }] : []
        ),
      );
    }
    const few = await readHostStates(kv, ips.slice(0, 25));
    assert.equal(few.size, 17);
    assert.equal(few.get("10.0.0.0")?.up, true);
    assert.equal(few.get("10.0.0.1")?.up, false);
    assert.equal(few.has("10.0.0.2"), false);
    const many = await readHostStates(kv, ips);
    assert.equal(many.size, 400);
    for (const [ip, s] of few) assert.deepEqual(many.get(ip), s);
    const up = await listUpIps(kv);
    assert.equal(up.length, 200);
    assert.ok(up.includes("10.0.0.0"));
  });
});

Deno.test("asHostState refuses malformed values; statusOf maps to up/down/unknown", () => {
  assert.equal(asHostState(null), null);
  assert.equal(asHostState({ up: "yes" }), null);
  assert.deepEqual(asHostState({ up: true, latency_ms: "fast" }), {
    up: true,
    latency_ms: null,
    since: 0,
    last_seen: null,
    method: "unknown",
  });
  assert.equal(statusOf(undefined), "unknown");
  assert.equal(statusOf(asHostState(state(true))), "up");
  assert.equal(statusOf(asHostState(state(false))), "down");
});
