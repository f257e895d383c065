import assert from "node:assert/strict";
import { ConfigError, parseConfig } from "./config.ts";

Deno.test("config defaults are the embedded, local-only set-up", () => {
  const c = parseConfig({});
  assert.equal(c.HOST, "127.0.0.1");
  assert.equal(c.PORT, 8000);
  assert.equal(c.DATA_DIR, "./data");
  assert.equal(c.KV_PATH, "./data/kv.sqlite3");
  assert.equal(c.DATABASE_URL, undefined);
  assert.equal(c.TRUST_PROXY, false);
});

Deno.test("config names each bad variable", () => {
  assert.throws(
    () => parseConfig({ PORT: "http", DATABASE_URL: "mysql://x", TRUST_PROXY: "maybe" }),
    (e: Error) =>
      e instanceof ConfigError && /PORT="http"/.test(e.message) &&
      /DATABASE_URL="mysql:\/\/x"/.test(e.message) && /TRUST_PROXY/.test(e.message),
  );
});

Deno.test("config parses booleans and numbers", () => {
  const c = parseConfig({ TRUST_PROXY: "1", DISABLE_SCHEDULER: "true", PORT: "9000" });
  assert.equal(c.TRUST_PROXY, true);
  assert.equal(c.DISABLE_SCHEDULER, true);
  assert.equal(c.PORT, 9000);
});
