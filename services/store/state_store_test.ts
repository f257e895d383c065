// The StateStore contract on Deno KV (in memory); NATS KV runs it in tests/nats/, with a real
// nats-server. Also: NATS key encoding and the key-prefix registry, which need no server.
import assert from "node:assert/strict";
import { kvStateStore } from "./kv_state_store.ts";
import { decodeKey, encodeKey } from "./nats_state_store.ts";
import { stateStoreContract } from "@/tests/support/state_store_contract.ts";

stateStoreContract("kv", async () => kvStateStore(await Deno.openKv(":memory:")));

Deno.test("NATS key encoding keeps parts, types and order", () => {
  for (
    const key of [["host_state", "10.0.0.1"], ["user_sessions", 12, "abc-_"], ["x", "ü.*> "], [
      "n",
      -1.5,
    ]]
  ) {
    const raw = encodeKey(key);
    assert.match(raw, /^[A-Za-z0-9_=.-]+$/);
    assert.deepEqual(decodeKey(raw), key);
  }
});

Deno.test("every state key prefix used by the code is registered with its bucket", async () => {
  const { STATE_KEY_PREFIXES } = await import("./state_store.ts");
  const root = new URL("../../", import.meta.url);
  const used = new Set<string>();
  // Key helpers (`…: StateKey => ["prefix", …]`) and literal keys passed to the store.
  const pattern = /(?:StateKey\s*=>\s*|\bkv\.\w+\(\s*)\[\s*"([A-Za-z_]+)"/g;
  const walk = async (dir: URL) => {
    for await (const e of Deno.readDir(dir)) {
      const url = new URL(e.name + (e.isDirectory ? "/" : ""), dir);
      if (e.isDirectory) await walk(url);
      else if (e.name.endsWith(".ts") && !e.name.endsWith("_test.ts")) {
        for (const m of (await Deno.readTextFile(url)).matchAll(pattern)) used.add(m[1]);
      }
    }
  };
  for (const dir of ["services/", "routes/", "web/"]) await walk(new URL(dir, root));
  assert.ok(used.has("session") && used.has("lease"), [...used].join(","));
  const missing = [...used].filter((p) => !Object.hasOwn(STATE_KEY_PREFIXES, p));
  assert.deepEqual(missing, [], "add them to STATE_KEY_PREFIXES (services/store/state_store.ts)");
});
