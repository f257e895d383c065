// Settings through the real environment of a real main.ts process, on both engines: LOG_LEVEL in
// any case, SCAN_SWEEP_INTERVAL_MINUTES as the interval of new subnets, unknown look-alikes named.
import assert from "node:assert/strict";
import { engineEnv, listening, loginOverHttp, mainCommand } from "@/tests/support/main_process.ts";
import { ENGINES } from "@/tests/support/test_db.ts";

const PASSWORD = "settings-env-test-password";

for (const engine of ENGINES) {
  Deno.test({
    name: `settings exported in the environment are honoured by main.ts [${engine}]`,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      const dir = await Deno.makeTempDir({ prefix: "story-settings-" });
      const store = await engineEnv(engine, dir);
      const child = mainCommand(dir, {
        HOST: "127.0.0.1",
        ADMIN_PASSWORD: PASSWORD,
        NETFLOW_ENABLED: "0",
        DISABLE_SCHEDULER: "TRUE", // booleans ignore case too
        LOG_LEVEL: "DEBUG",
        SCAN_SWEEP_INTERVAL_MINUTES: "7",
        SCAN_SWEEP_INTERVAL_MINUTE: "3", // a typo: named in a warning, not silently dropped
        ...store.env,
      }, { stdout: "null" }).spawn();
      try {
        const { url, log } = await listening(child.stderr);
        const lines = log.map((l) => JSON.parse(l));
        const inForce = lines.find((l) => l.msg === "settings in force");
        assert.ok(inForce, `LOG_LEVEL=DEBUG shows debug lines:\n${log.join("\n")}`);
        assert.equal(inForce.level, "debug");
        assert.equal(inForce.engine, engine);
        assert.equal(inForce.scheduler, false);
        assert.equal(inForce.sweep_interval_minutes, 7);
        assert.ok(
          lines.some((l) => l.level === "warn" && l.setting === "SCAN_SWEEP_INTERVAL_MINUTE"),
          log.join("\n"),
        );

        const { cookie, csrf: csrf_token } = await loginOverHttp(url, "admin", PASSWORD);
        const post = async (json: unknown) => {
          const res = await fetch(`${url}/api/v1/subnets`, {
            method: "POST",
            headers: { cookie, "x-csrf-token": csrf_token, "content-type": "application/json" },
            body: JSON.stringify(json),
          });
          return { status: res.status, body: await res.json() };
        };
        const plain = await post({ cidr: "127.0.0.0/24" });
        assert.equal(plain.status, 201, JSON.stringify(plain.body));
        assert.equal(plain.body.scan_interval_s, 420, "the default is SCAN_SWEEP_INTERVAL_MINUTES");
        const own = await post({ cidr: "127.0.1.0/24", scan_interval_s: 900 });
        assert.equal(own.body.scan_interval_s, 900, "a subnet's own interval wins");
        const form = await (await fetch(`${url}/subnets`, { headers: { cookie } })).text();
        assert.match(form, /placeholder="420 \(default\)"/, "the form shows the default in force");
      } finally {
        child.kill("SIGTERM");
        await child.status;
        await store.dispose();
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}

Deno.test("main.ts refuses a sweep interval below SCAN_ICMP_INTERVAL_SECONDS, naming both", async () => {
  const dir = await Deno.makeTempDir({ prefix: "story-settings-bad-" });
  try {
    const out = await mainCommand(dir, {
      SCAN_SWEEP_INTERVAL_MINUTES: "1",
      SCAN_ICMP_INTERVAL_SECONDS: "120",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 1, stderr);
    assert.match(stderr, /SCAN_SWEEP_INTERVAL_MINUTES=1: .*SCAN_ICMP_INTERVAL_SECONDS=120/);
    const zero = await mainCommand(dir, { LOG_LEVEL: "loud" }).output();
    assert.equal(zero.code, 1);
    assert.match(new TextDecoder().decode(zero.stderr), /LOG_LEVEL="loud"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
