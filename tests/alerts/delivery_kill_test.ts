// kill -9 of a real Pingfold process while a delivery is in flight loses nothing: after a restart
// the delivery completes (same idempotency key), and once its success is recorded it is never
// sent again, not even across another kill -9. Both engines, real processes, real receiver.
import assert from "node:assert/strict";
import { freeTcpPort } from "@/tests/support/free_port.ts";
import { type Engine, ENGINES, TEST_DATABASE_URL } from "@/tests/support/test_db.ts";
import { openPostgres } from "@/services/store/mod.ts";
import { startReceiver } from "@/tests/support/webhook_receiver.ts";
import { cookieFrom } from "@/tests/support/test_app.ts";

const ROOT = new URL("../../", import.meta.url);
const PASSWORD = "kill-test-password-1";

interface Proc {
  url: string;
  child: Deno.ChildProcess;
}

async function startPingfold(env: Record<string, string>): Promise<Proc> {
  const port = freeTcpPort();
  const passthrough = Object.fromEntries(
    ["PATH", "HOME", "DENO_DIR", "TMPDIR"].flatMap((k) => {
      const v = Deno.env.get(k);
      return v === undefined ? [] : [[k, v]];
    }),
  );
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--unstable-kv", "--unstable-cron", "--unstable-net", "main.ts"],
    cwd: ROOT.pathname,
    clearEnv: true,
    env: {
      ...passthrough,
      HOST: "127.0.0.1",
      PORT: String(port),
      ADMIN_PASSWORD: PASSWORD,
      DISABLE_SCHEDULER: "1",
      NETFLOW_ENABLED: "0",
      LOG_LEVEL: "error",
      ALERT_TARGET_ALLOW: "127.0.0.1/32",
      ALERT_DELIVERY_TIMEOUT_MS: "1000",
      ALERT_POLL_MS: "50",
      ALERT_RETRY_BASE_MS: "50",
      ...env,
    },
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    try {
      const res = await fetch(`${url}/health`);
      await res.body?.cancel();
      if (res.ok) return { url, child };
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGKILL");
  throw new Error("pingfold did not start within 60 s");
}

async function kill9(p: Proc) {
  p.child.kill("SIGKILL");
  const status = await p.child.status;
  assert.equal(status.signal, "SIGKILL");
}

async function api(p: Proc) {
  const res = await fetch(`${p.url}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "admin", password: PASSWORD }),
  });
  assert.equal(res.status, 200);
  const { csrf_token } = await res.json();
  const cookie = cookieFrom(res);
  return async (method: string, path: string, json?: unknown) => {
    const r = await fetch(`${p.url}${path}`, {
      method,
      headers: { cookie, "x-csrf-token": csrf_token, "content-type": "application/json" },
      body: json === undefined ? undefined : JSON.stringify(json),
    });
    return { status: r.status, body: await r.json().catch(() => null) };
  };
}

async function storage(
  engine: Engine,
): Promise<{ env: Record<string, string>; dispose: () => Promise<void> }> {
  if (engine === "pglite") {
    const dir = await Deno.makeTempDir({ prefix: "pf-kill-" });
    return {
      env: { DATA_DIR: dir },
      dispose: () => Deno.remove(dir, { recursive: true }),
    };
  }
  const name = `pf_kill_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const admin = openPostgres(TEST_DATABASE_URL, { max: 1 });
  await admin.exec(`create database ${name}`);
  const dir = await Deno.makeTempDir({ prefix: "pf-kill-kv-" });
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString(), DATA_DIR: dir },
    dispose: async () => {
      await admin.exec(`drop database if exists ${name} with (force)`);
      await admin.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

for (const engine of ENGINES) {
  Deno.test({
    name: `kill -9 during a delivery loses nothing and never sends twice after success [${engine}]`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const store = await storage(engine);
      const rx = startReceiver({ hold: true });
      let proc: Proc | null = null;
      try {
        proc = await startPingfold(store.env);
        let call = await api(proc);
        const target = await call("POST", "/api/v1/alerts/targets", {
          name: "receiver",
          kind: "webhook",
          url: rx.url,
          secret: "kill-secret-1",
        });
        assert.equal(target.status, 201, JSON.stringify(target.body));
        const queued = await call("POST", `/api/v1/alerts/targets/${target.body.id}/test`);
        assert.equal(queued.status, 202);

        // The first attempt reaches the receiver, which holds it; the sender dies mid-request.
        await rx.waitForRequests(1);
        await kill9(proc);
        proc = null;
        rx.release();

        // Restarted, the lease of the dead process expires and the delivery is sent again.
        proc = await startPingfold(store.env);
        await rx.waitForRequests(2, 60_000);
        call = await api(proc);
        let row: Record<string, unknown> | null = null;
        for (let i = 0; i < 100; i++) {
          const log = await call("GET", `/api/v1/alerts/deliveries?target_id=${target.body.id}`);
          row = log.body.items[0];
          if (row?.status === "succeeded") break;
          await new Promise((r) => setTimeout(r, 50));
        }
        assert.equal(row?.status, "succeeded");
        assert.equal(row?.attempts, 2);
        assert.equal(row?.uuid, queued.body.uuid);
        assert.equal(rx.received.length, 2);
        assert.deepEqual(
          rx.received.map((r) => r.headers.get("x-pingfold-delivery")),
          [queued.body.uuid, queued.body.uuid],
        );

        // A recorded success is final: more polls, another kill -9 and restart send nothing.
        await new Promise((r) => setTimeout(r, 500));
        await kill9(proc);
        proc = await startPingfold(store.env);
        await new Promise((r) => setTimeout(r, 1500));
        call = await api(proc);
        const log = await call("GET", `/api/v1/alerts/deliveries?target_id=${target.body.id}`);
        assert.equal(log.body.items.length, 1);
        assert.equal(log.body.items[0].status, "succeeded");
        // Two requests in all, one idempotency key: the cut first attempt and the completed one.
        assert.equal(rx.received.length, 2);
        assert.deepEqual([...rx.accepted.keys()], [queued.body.uuid]);
      } finally {
        if (proc) {
          proc.child.kill("SIGTERM");
          await proc.child.status;
        }
        rx.release();
        await rx.close();
        await store.dispose();
      }
    },
  });
}
