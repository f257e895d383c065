import assert from "node:assert/strict";
import { batchChanges, createLiveHub, type HostChange, type LiveEvent } from "./live_events.ts";
import { openKvStateStore } from "@/services/store/mod.ts";

const change = (ip: string): HostChange => ({
  ip,
  host_id: 1,
  subnet_id: null,
  up: true,
  prev_up: null,
  latency_ms: 1,
  since: 0,
  last_seen: 0,
  method: "fping",
  checked_at: 0,
});

Deno.test("subscribers get events until they unsubscribe; a throwing one hurts nobody", () => {
  const hub = createLiveHub();
  const seen: LiveEvent[] = [];
  hub.subscribe(() => {
    throw new Error("broken stream");
  });
  const off = hub.subscribe((e) => seen.push(e));
  const event: LiveEvent = { type: "hosts", changes: [change("198.51.100.1")] };
  hub.publish(event);
  off();
  hub.publish(event);
  assert.deepEqual(seen, [event]);
  assert.equal(hub.subscribers(), 1);
});

Deno.test("closing the hub ends subscriptions and runs close hooks once", () => {
  const hub = createLiveHub();
  let closes = 0;
  hub.onClose(() => closes++);
  const seen: LiveEvent[] = [];
  hub.subscribe((e) => seen.push(e));
  hub.close();
  hub.close();
  hub.publish({ type: "hosts", changes: [] });
  assert.equal(closes, 1);
  assert.equal(seen.length, 0);
  assert.equal(hub.closed, true);
  let late = 0;
  hub.onClose(() => late++);
  assert.equal(late, 1, "a stream opened after close ends at once");
});

Deno.test("batchChanges splits large sweeps into bounded messages", () => {
  const changes = Array.from({ length: 1201 }, (_, i) => change(`10.0.${i >> 8}.${i & 255}`));
  assert.deepEqual(batchChanges(changes).map((b) => b.length), [500, 500, 201]);
  assert.deepEqual(batchChanges([]), []);
});

Deno.test("hubs on one state store share events (as web instances do on NATS); close unsubscribes", async () => {
  await using store = await openKvStateStore(":memory:");
  const publisher = createLiveHub(store);
  const web = createLiveHub(store);
  const seen: LiveEvent[] = [];
  web.subscribe((e) => seen.push(e));
  publisher.publish({ type: "hosts", changes: [change("127.0.0.1")] });
  assert.deepEqual(seen.map((e) => e.type), ["hosts"]);
  web.close();
  publisher.publish({ type: "hosts", changes: [change("127.0.0.2")] });
  assert.equal(seen.length, 1);
});
