// Shared current state across processes: three real `deno run main.ts` instances on one PostgreSQL
// database and one nats-server (NATS_URL in their environment, so STATE_STORE is nats). A sweep of
// loopback run by the third records a flip; both web instances' SSE streams receive it. A login on
// instance A is a valid session on instance B.
import assert from "node:assert/strict";
import { openPostgres } from "@/services/store/mod.ts";
import { connectNats, natsStateStore } from "@/services/store/mod.ts";
import { hostStateKey } from "@/services/ipam/mod.ts";
import { startNats } from "@/tests/support/nats_test_server.ts";
import { ENGINES, TEST_DATABASE_URL } from "@/tests/support/test_db.ts";

const PASSWORD = "correct-horse-battery";
const ROOT = new URL("../../", import.meta.url).pathname;

/** Loopback ports for the instances, beside the test nats-server's (18150–18199). */
function freePort(): number {
  for (let p = 18170 + Math.floor(Math.random() * 20); p <= 18199; p++) {
    try {
      Deno.listen({ hostname: "127.0.0.1", port: p }).close();
      return p;
    } catch { /* taken */ }
  }
  throw new Error("no free port");
}

interface Instance {
  url: string;
  stop(): Promise<void>;
}

async function startInstance(name: string, env: Record<string, string>): Promise<Instance> {
  const port = freePort();
  const dataDir = await Deno.makeTempDir({ dir: "/tmp", prefix: `statestore-${name}-` });
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--unstable-kv", "--unstable-cron", "--unstable-net", "main.ts"],
    cwd: ROOT,
    env: { ...env, HOST: "127.0.0.1", PORT: String(port), DATA_DIR: dataDir },
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const errors: string[] = [];
  const drain = (async () => {
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      errors.push(chunk);
    }
  })();
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch { /* gone */ }
    await child.status;
    await drain.catch(() => {});
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  };
  // Ready when /health says ok, bounded (start-up runs migrations on a fresh database).
  for (let i = 0; i < 300; i++) {
    const res = await fetch(`${url}/health`).catch(() => null);
    const body = res ? await res.json().catch(() => null) : null;
    if (body?.status === "ok") return { url, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`instance ${name} did not start: ${errors.join("").slice(-2000)}`);
}

/** Reads an SSE response until `pattern` shows (bounded in reads). */
function sseReader(res: Response) {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  return {
    async until(pattern: RegExp): Promise<string> {
      for (let i = 0; i < 200 && !pattern.test(buffer); i++) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
      }
      return buffer;
    },
    cancel: () => reader.cancel(),
  };
}

Deno.test({
  name: "two web instances on NATS KV: a flip reaches both SSE streams; a session works on both",
  // Several processes share one database: PostgreSQL only.
  ignore: !ENGINES.includes("postgres"),
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const nats = await startNats();
  const dbName = `pf_statestore_${Date.now()}`;
  const admin = openPostgres(TEST_DATABASE_URL);
  await admin.query(`create database ${dbName}`);
  const databaseUrl = TEST_DATABASE_URL.replace(/\/[^/?]*(\?.*)?$/, `/${dbName}$1`);
  const instances: Instance[] = [];
  try {
    const env = {
      DATABASE_URL: databaseUrl,
      NATS_URL: nats.url,
      ADMIN_PASSWORD: PASSWORD,
      DISABLE_SCHEDULER: "1",
      PTR_LOOKUP_ENABLED: "0",
      SNMP_ENABLED: "0",
      NETFLOW_ENABLED: "0",
      PING_TIMEOUT_MS: "300",
      SCAN_SCOPE: "127.0.0.0/8",
      LOG_LEVEL: "warn",
    };
    // One at a time: the first applies the migrations, the others find them applied.
    const a = await startInstance("a", env);
    instances.push(a);
    const b = await startInstance("b", env);
    instances.push(b);
    const sweeper = await startInstance("sweeper", env);
    instances.push(sweeper);

    // Login on A; the cookie is a valid session on B (and on the sweeper).
    const login = await fetch(`${a.url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: PASSWORD }),
    });
    assert.equal(login.status, 200);
    const { csrf_token: csrf } = await login.json();
    const cookie = login.headers.getSetCookie().find((c) => c.startsWith("pf_session="))!
      .split(";")[0];
    const me = await fetch(`${b.url}/api/v1/auth/me`, { headers: { cookie } });
    const meText = await me.text();
    assert.equal(me.status, 200, meText);
    assert.equal(JSON.parse(meText).username, "admin");
    const anonymous = await fetch(`${b.url}/api/v1/auth/me`);
    assert.equal(anonymous.status, 401);
    await anonymous.body?.cancel();

    // 127.0.0.1 was last seen down (as another scanner would have written it): the sweep flips it.
    const db = openPostgres(databaseUrl);
    const [{ id: subnetId }] = await db.query<{ id: number }>(
      `insert into subnet (cidr, name) values ('127.0.0.0/30', 'loopback') returning id`,
    );
    await db.close();
    const state = natsStateStore(await connectNats({ url: nats.url }));
    const past = Date.now() - 3_600_000;
    await state.set(hostStateKey("127.0.0.1"), {
      up: false,
      latency_ms: null,
      since: past,
      last_seen: null,
      method: "fping",
      checked_at: past,
    });
    await state.close();

    const streams = await Promise.all([a, b].map(async (inst) => {
      const res = await fetch(`${inst.url}/api/v1/events`, { headers: { cookie } });
      assert.equal(res.status, 200);
      const sse = sseReader(res);
      assert.match(await sse.until(/event: hello/), /event: hello/);
      return sse;
    }));

    const sweep = await fetch(`${sweeper.url}/api/v1/subnets/${subnetId}/sweep`, {
      method: "POST",
      headers: { cookie, "x-csrf-token": csrf },
    });
    const sweepText = await sweep.text();
    assert.equal(sweep.status, 202, sweepText);

    for (const [i, sse] of streams.entries()) {
      const text = await sse.until(/event: hosts\ndata: .*127\.0\.0\.1/);
      const hosts = /event: hosts\ndata: (.*)\n/.exec(text);
      assert.ok(hosts, `instance ${i ? "b" : "a"} got no hosts event: ${text}`);
      const { changes } = JSON.parse(hosts[1]);
      const flip = changes.find((c: { ip: string }) => c.ip === "127.0.0.1");
      assert.equal(flip.up, true);
      assert.equal(flip.prev_up, false, "a flip down → up");
      await sse.cancel();
    }

    // Both instances read the same current state: the pill is "up" on each.
    for (const inst of [a, b]) {
      const res = await fetch(`${inst.url}/api/v1/hosts?q=127.0.0.1`, { headers: { cookie } });
      const text = await res.text();
      assert.equal(res.status, 200, text);
      assert.match(text, /"status":"up"/);
    }
  } finally {
    for (const inst of instances.reverse()) await inst.stop();
    await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => {});
    await admin.close();
    await nats.stop();
  }
});
