// The StateStore contract on NATS KV (a real nats-server with JetStream), and what only a shared
// server shows: two clients seeing each other, and a server restart.
import assert from "node:assert/strict";
import { connectNats, natsStateStore, type StateChange } from "@/services/store/mod.ts";
import { startNats, type TestNats } from "@/tests/support/nats_test_server.ts";
import { stateStoreContract, until } from "@/tests/support/state_store_contract.ts";

let nats: TestNats | null = null;

stateStoreContract("nats", async (clock) => {
  nats ??= await startNats();
  // A fresh connection per test; buckets are shared, so each test uses its own key space.
  return natsStateStore(await connectNats({ url: nats.url }), { now: () => clock.now });
});

Deno.test({
  name: "StateStore: two NATS clients share state and see each other's changes",
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  nats ??= await startNats();
  const a = natsStateStore(await connectNats({ url: nats.url }));
  const b = natsStateStore(await connectNats({ url: nats.url }));
  try {
    const ns = `shared${Date.now()}`;
    const seen: StateChange[] = [];
    const stop = b.watch(["host_state", ns], (c) => seen.push(c));
    const events: unknown[] = [];
    const off = b.subscribe("hosts", (m) => events.push(m));
    await until(async () => {
      await a.set(["host_state", ns, "127.0.0.1"], { up: true });
      a.publish("hosts", { ns });
      return seen.length > 0 && events.some((e) => (e as { ns?: string }).ns === ns);
    }, "b sees a's write and event");
    assert.deepEqual((await b.get(["host_state", ns, "127.0.0.1"])).value, { up: true });
    stop();
    off();
  } finally {
    await a.close();
    await b.close();
  }
});

Deno.test({
  name: "StateStore: a NATS restart loses no state; writes, watches and events resume",
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  nats ??= await startNats();
  const a = natsStateStore(await connectNats({ url: nats.url }));
  const b = natsStateStore(await connectNats({ url: nats.url }));
  try {
    const ns = `restart${Date.now()}`;
    await a.set(["host_state", ns, "127.0.0.1"], { up: true });
    const events: unknown[] = [];
    const off = b.subscribe("run", (m) => events.push(m));
    const changes: StateChange[] = [];
    const unwatch = b.watch(["host_state", ns], (c) => changes.push(c));
    await until(async () => {
      await a.set(["host_state", ns, "127.0.0.1"], { up: true });
      return changes.length > 0;
    }, "watch running before the restart");
    await nats.restart();
    // Stored on disk by JetStream: still there for the other client once it is back.
    await until(async () => {
      try {
        return (await b.get(["host_state", ns, "127.0.0.1"])).value !== null;
      } catch {
        return false; // still reconnecting
      }
    }, "state readable after the restart");
    await until(async () => {
      try {
        await a.set(["host_state", ns, "127.0.0.2"], { up: false });
      } catch { /* still reconnecting */ }
      a.publish("run", { ns });
      return events.some((e) => (e as { ns?: string }).ns === ns);
    }, "events flow again after the restart");
    assert.deepEqual((await b.get(["host_state", ns, "127.0.0.2"])).value, { up: false });
    await until(() => changes.some((c) => c.key[2] === "127.0.0.2"), "the watch resumed");
    off();
    unwatch();
  } finally {
    await a.close();
    await b.close();
  }
});

Deno.test({
  name: "StateStore: stop the test nats-server",
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  await nats?.stop();
  nats = null;
});
