// E-mail targets against a real SMTP server (Debian's python3-aiosmtpd) on a free loopback port.
import assert from "node:assert/strict";
import { freeTcpPort } from "@/tests/support/free_port.ts";
import { dbTest } from "@/tests/support/test_db.ts";
import { makeAlerts } from "@/tests/support/alerts_fixture.ts";
import { createTarget } from "./targets_repo.ts";
import { verify } from "./signature.ts";

async function startSmtp() {
  const port = freeTcpPort();
  const child = new Deno.Command("/usr/bin/python3", {
    args: [
      "-m",
      "aiosmtpd",
      "-n",
      "-l",
      `127.0.0.1:${port}`,
      "-c",
      "aiosmtpd.handlers.Debugging",
      "stdout",
    ],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  const messages = async (n: number) => {
    while ((out.match(/END MESSAGE/g) ?? []).length < n) {
      const { value, done } = await reader.read();
      if (done) break;
      out += value;
    }
    return out;
  };
  for (let i = 0; i < 100; i++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    async stop() {
      child.kill("SIGTERM");
      await reader.cancel().catch(() => {});
      await child.status;
    },
  };
}

dbTest("an e-mail target sends a signed text mail through SMTP", async (db) => {
  const smtp = await startSmtp();
  try {
    const f = makeAlerts(db, { ALERT_SMTP_URL: smtp.url, ALERT_SMTP_FROM: "pingfold@lab.example" });
    const { target } = await createTarget(db, {
      name: "ops mail",
      kind: "email",
      url: "ops@example.net, oncall@example.net",
      secret: "mail-secret-1",
    }, f.alerts.settings.policy);
    const d = await f.alerts.sendTest(target.id);
    assert.equal(await f.alerts.worker.runOnce(), 1);
    const text = await smtp.messages(1);
    assert.match(text, /From: pingfold@lab\.example/);
    assert.match(text, /To: ops@example\.net, oncall@example\.net/);
    assert.match(text, /Subject: \[Pingfold\] test delivery from Pingfold to ops mail/);
    assert.match(text, new RegExp(`X-Pingfold-Delivery: ${d.uuid}`));
    assert.match(text, /X-Pingfold-Event: test/);
    const ts = Number(/X-Pingfold-Timestamp: (\d+)/.exec(text)![1]);
    const sig = /X-Pingfold-Signature:\s+(sha256=[0-9a-f]{64})/.exec(text)![1];
    // E-mail signs the event JSON (what a webhook would carry as its body).
    const [row] = await db.query<{ payload: unknown; status: string }>(
      `select payload, status from alert_delivery where id = $1`,
      [d.id],
    );
    assert.equal(row.status, "succeeded");
    assert.ok(verify("mail-secret-1", ts, JSON.stringify(row.payload), sig));
  } finally {
    await smtp.stop();
  }
});

dbTest("without ALERT_SMTP_URL an e-mail delivery fails with a clear error", async (db) => {
  const f = makeAlerts(db);
  const { target } = await createTarget(db, {
    name: "mail",
    kind: "email",
    url: "ops@example.net",
  }, f.alerts.settings.policy);
  await f.alerts.sendTest(target.id);
  await f.alerts.worker.runOnce();
  const [row] = await db.query<{ status: string; last_error: string }>(
    `select status, last_error from alert_delivery`,
  );
  assert.equal(row.status, "failed");
  assert.match(row.last_error, /ALERT_SMTP_URL is not set/);
});
