// Runs a test on both state store engines: Deno KV in memory and NATS KV on a real nats-server
// (one per test file, started on first use, killed when the file's tests end). Each NATS test
// starts from empty buckets.
import { Kvm } from "@nats-io/kv";
import {
  connectNats,
  NATS_BUCKETS,
  natsStateStore,
  openKvStateStore,
  type StateStore,
} from "@/services/store/mod.ts";
import { startNats, type TestNats } from "./nats_test_server.ts";

export type StateEngine = "kv" | "nats";
export const STATE_ENGINES: StateEngine[] = ["kv", "nats"];

let server: Promise<TestNats> | null = null;
let started: TestNats | null = null;
globalThis.addEventListener("unload", () => started?.kill());

/** A fresh store of `engine`; the function returned closes it (and empties NATS's buckets). */
export async function openTestStateStore(
  engine: StateEngine,
): Promise<{ store: StateStore; dispose: () => Promise<void> }> {
  if (engine === "kv") {
    const store = await openKvStateStore(":memory:");
    return { store, dispose: () => store.close() };
  }
  server ??= startNats().then((s) => (started = s));
  const nc = await connectNats({ url: (await server).url });
  const store = natsStateStore(nc, { ownsConnection: false });
  return {
    store,
    async dispose() {
      await store.close();
      const kvm = new Kvm(nc);
      for (const name of NATS_BUCKETS) {
        await kvm.open(name).then((b) => b.destroy()).catch(() => {});
      }
      await nc.drain();
    },
  };
}

/** Registers `name [engine]` for each engine, each with its own fresh store. */
export function stateTest(name: string, fn: (store: StateStore) => Promise<void>): void {
  for (const engine of STATE_ENGINES) {
    Deno.test({
      name: `${name} [${engine}]`,
      // The shared nats-server outlives a single test (stopped when the file ends).
      sanitizeOps: engine === "kv",
      sanitizeResources: engine === "kv",
    }, async () => {
      const { store, dispose } = await openTestStateStore(engine);
      try {
        await fn(store);
      } finally {
        await dispose();
      }
    });
  }
}
