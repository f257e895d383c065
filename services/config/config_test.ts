import assert from "node:assert/strict";
import { ConfigError, parseConfig, unknownSettings } from "./config.ts";

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

Deno.test("ROLE defaults to all, the single box, and SITE to local", () => {
  const c = parseConfig({});
  assert.deepEqual(c.ROLE, ["web", "scheduler", "scanner", "collector", "ingest"]);
  assert.equal(c.SITE, "local");
  assert.equal(c.NATS_URL, undefined);
});

Deno.test("ROLE takes comma separated roles once each, with NATS_URL", () => {
  const c = parseConfig({ ROLE: "web, scheduler,ingest,web", NATS_URL: "nats://127.0.0.1:4222" });
  assert.deepEqual(c.ROLE, ["web", "scheduler", "ingest"]);
});

Deno.test("a split ROLE without NATS_URL is refused naming the setting", () => {
  assert.throws(
    () => parseConfig({ ROLE: "scanner" }),
    (e: Error) =>
      e instanceof ConfigError && /ROLE="scanner"/.test(e.message) &&
      /set NATS_URL/.test(e.message),
  );
});

Deno.test("unknown roles, all in a combination and bad sites are refused", () => {
  const nats = { NATS_URL: "nats://127.0.0.1:4222" };
  assert.throws(() => parseConfig({ ...nats, ROLE: "web,pinger" }), /unknown role "pinger"/);
  assert.throws(() => parseConfig({ ...nats, ROLE: "all,web" }), /cannot be combined/);
  assert.throws(() => parseConfig({ SITE: "a.b" }), /SITE="a.b": must be 1-63 letters/);
  assert.throws(() => parseConfig({ SITE: "*" }), /SITE/);
  assert.throws(() => parseConfig({ NATS_URL: "http://x" }), /NATS_URL="http:\/\/x"/);
  assert.throws(() => parseConfig({ ...nats, NATS_USER: "u" }), /NATS_PASSWORD/);
  assert.throws(() => parseConfig({ ...nats, NATS_CREDS: "/nonexistent.creds" }), /NATS_CREDS/);
  assert.throws(
    () => parseConfig({ ...nats, NATS_NKEY_SEED_FILE: "/nonexistent.nk" }),
    /NATS_NKEY_SEED_FILE.*not found or not readable/,
  );
});

Deno.test("one NATS login at a time: password, .creds file or nkey seed file", () => {
  const file = Deno.makeTempFileSync({ prefix: "natsroles-login-" });
  try {
    const nats = { NATS_URL: "nats://127.0.0.1:4222" };
    assert.equal(parseConfig({ ...nats, NATS_NKEY_SEED_FILE: file }).NATS_NKEY_SEED_FILE, file);
    assert.throws(
      () => parseConfig({ ...nats, NATS_CREDS: file, NATS_NKEY_SEED_FILE: file }),
      /give one NATS login, not NATS_CREDS and NATS_NKEY_SEED_FILE/,
    );
    assert.throws(
      () => parseConfig({ ...nats, NATS_USER: "u", NATS_PASSWORD: "p", NATS_NKEY_SEED_FILE: file }),
      /not NATS_USER\/NATS_PASSWORD and NATS_NKEY_SEED_FILE/,
    );
  } finally {
    Deno.removeSync(file);
  }
});

Deno.test("NATS_URL takes several servers", () => {
  const c = parseConfig({ NATS_URL: "nats://127.0.0.1:4222, tls://h2:4222", NATS_REPLICAS: "3" });
  assert.equal(c.NATS_REPLICAS, 3);
});

Deno.test("STATE_STORE: kv by default, nats implied by NATS_URL, nats refused without it", () => {
  assert.equal(parseConfig({}).STATE_STORE, "kv");
  assert.equal(parseConfig({ NATS_URL: "nats://127.0.0.1:4222" }).STATE_STORE, "nats");
  assert.equal(
    parseConfig({ NATS_URL: "nats://127.0.0.1:4222", STATE_STORE: "kv" }).STATE_STORE,
    "kv",
  );
  assert.throws(() => parseConfig({ STATE_STORE: "nats" }), /STATE_STORE.*set NATS_URL/);
  assert.throws(() => parseConfig({ STATE_STORE: "redis" }), /STATE_STORE/);
});

Deno.test("LOG_LEVEL and booleans ignore case", () => {
  const c = parseConfig({ LOG_LEVEL: "DEBUG", TRUST_PROXY: "Yes", DISABLE_SCHEDULER: "TRUE" });
  assert.equal(c.LOG_LEVEL, "debug");
  assert.equal(c.TRUST_PROXY, true);
  assert.equal(c.DISABLE_SCHEDULER, true);
  assert.throws(() => parseConfig({ LOG_LEVEL: "verbose" }), /LOG_LEVEL="verbose"/);
});

Deno.test("SCAN_SWEEP_INTERVAL_MINUTES defaults to 5 and may not undercut the ICMP floor", () => {
  assert.equal(parseConfig({}).SCAN_SWEEP_INTERVAL_MINUTES, 5);
  assert.equal(parseConfig({ SCAN_SWEEP_INTERVAL_MINUTES: "30" }).SCAN_SWEEP_INTERVAL_MINUTES, 30);
  assert.throws(
    () => parseConfig({ SCAN_SWEEP_INTERVAL_MINUTES: "1", SCAN_ICMP_INTERVAL_SECONDS: "90" }),
    /SCAN_SWEEP_INTERVAL_MINUTES=1: .*SCAN_ICMP_INTERVAL_SECONDS=90/,
  );
});

Deno.test("SCAN_ICMP_INTERVAL_SECONDS: the known-host cycle, 5 s to a day, named when refused", () => {
  assert.equal(parseConfig({}).SCAN_ICMP_INTERVAL_SECONDS, 60);
  assert.equal(parseConfig({ SCAN_ICMP_INTERVAL_SECONDS: "5" }).SCAN_ICMP_INTERVAL_SECONDS, 5);
  assert.throws(
    () => parseConfig({ SCAN_ICMP_INTERVAL_SECONDS: "2" }),
    /SCAN_ICMP_INTERVAL_SECONDS="2": must be at least 5 \(seconds between checks of known hosts\)/,
  );
  assert.throws(
    () => parseConfig({ SCAN_ICMP_INTERVAL_SECONDS: "7.5" }),
    /SCAN_ICMP_INTERVAL_SECONDS="7.5": must be whole seconds/,
  );
  assert.throws(
    () => parseConfig({ SCAN_SWEEP_INTERVAL_MINUTES: "1", SCAN_ICMP_INTERVAL_SECONDS: "90" }),
    /more often than known hosts are checked .*raise SCAN_SWEEP_INTERVAL_MINUTES to at least 2/,
  );
});

Deno.test("unknownSettings names look-alikes of Pingfold settings only", () => {
  assert.deepEqual(
    unknownSettings({
      SCAN_SWEEP_INTERVAL_MINUTE: "5",
      SCAN_SWEEP_INTERVAL_MINUTES: "5",
      NETFLOW_PORT: "1",
      NMAP_PRIVILEGED: "1",
      HOME: "/root",
    }),
    ["NETFLOW_PORT", "SCAN_SWEEP_INTERVAL_MINUTE"],
  );
});
