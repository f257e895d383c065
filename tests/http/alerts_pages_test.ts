// The /alerts and /events pages and the dashboard's "Down now", through the app (both engines).
import assert from "node:assert/strict";
import { appTest, type TestApp } from "@/tests/support/test_app.ts";
import { startReceiver } from "@/tests/support/webhook_receiver.ts";
import { hostStateKey } from "@/services/ipam/mod.ts";

const ENV = { ALERT_TARGET_ALLOW: "127.0.0.1/32" };

function form(fields: Record<string, string | string[]>) {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) {
    for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
  }
  // No CSRF header: the form field alone must carry the token.
  return {
    body,
    headers: { "content-type": "application/x-www-form-urlencoded", "x-csrf-token": "" },
  };
}

async function seedDown(t: TestApp) {
  const [s] = await t.db.query<{ id: number }>(
    `insert into subnet (cidr, name) values ('10.71.0.0/24', 'racks') returning id`,
  );
  const [h] = await t.db.query<{ id: number }>(
    `insert into host (ip, subnet_id, hostname) values ('10.71.0.9', $1, 'nas<b>') returning id`,
    [s.id],
  );
  const alerts = t.deps.services.alerts;
  await t.db.tx((tx) =>
    alerts.hostEvents(tx, t.clock.now - 12 * 60_000, [{ hostId: h.id, kind: "down", detail: {} }])
  );
  return { hostId: Number(h.id), subnetId: Number(s.id) };
}

appTest(
  "the alerts page adds a target, a rule and a silence; Send test shows in the log",
  async (t) => {
    const rx = startReceiver();
    try {
      t.deps.services.alerts.start();
      const csrf = t.admin.csrf;
      let res = await t.call("GET", "/alerts");
      assert.equal(res.status, 200);
      assert.match(await res.text(), /No targets yet/);

      res = await t.call(
        "POST",
        "/alerts/targets",
        form({ _csrf: csrf, name: "rx", kind: "webhook", url: rx.url }),
      );
      assert.equal(res.status, 201);
      let html = await res.text();
      assert.match(html, /data-testid="new-secret">whsec_/);
      const [{ id }] = await t.db.query<{ id: number }>(`select id from alert_target`);

      res = await t.call(
        "POST",
        "/alerts/targets",
        form({ _csrf: csrf, name: "bad", kind: "webhook", url: "http://169.254.169.254/" }),
      );
      assert.equal(res.status, 422);
      assert.match(
        await res.text(),
        /data-testid="alerts-error">invalid body: url: 169\.254\.169\.254 is a cloud metadata address/,
      );

      res = await t.call(
        "POST",
        "/alerts/rules",
        form({
          _csrf: csrf,
          name: "all hosts",
          events: ["host_down", "host_up"],
          target_ids: [String(id)],
          down_after: "3",
        }),
      );
      assert.equal(res.status, 201);
      html = await res.text();
      assert.match(html, /data-testid="rules"/);
      assert.match(html, /3 misses/);
      res = await t.call(
        "POST",
        "/alerts/rules",
        form({ _csrf: csrf, name: "none", target_ids: [String(id)] }),
      );
      assert.equal(res.status, 422);
      assert.match(await res.text(), /events: pick at least one event/);

      res = await t.call(
        "POST",
        "/alerts/silences",
        form({
          _csrf: csrf,
          kind: "quiet",
          daily_from: "22:00",
          daily_to: "06:30",
          time_zone: "Europe/Paris",
        }),
      );
      assert.equal(res.status, 201);
      assert.match(await res.text(), /daily 22:00–06:30 Europe\/Paris/);

      res = await t.call("POST", `/alerts/targets/${id}/test`, form({ _csrf: csrf }));
      assert.equal(res.status, 303);
      assert.equal(res.headers.get("location"), `/alerts?target=${id}#deliveries`);
      await rx.waitFor(1, 10_000);
      for (let i = 0; i < 50; i++) {
        html = await (await t.call("GET", `/alerts?target=${id}`)).text();
        if (/data-status="succeeded"/.test(html)) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.match(html, /data-testid="deliveries"/);
      assert.match(html, /data-status="succeeded"/);
      assert.match(html, /<td>test<\/td>/);
      assert.equal(
        (await t.call("POST", "/alerts/targets/abc/test", form({ _csrf: csrf }))).status,
        404,
      );
      assert.equal(
        (await t.call("POST", `/alerts/targets/${id}/test`, form({ _csrf: "forged" }))).status,
        403,
      );
    } finally {
      await t.deps.services.alerts.stop();
      await rx.close();
    }
  },
  ENV,
);

appTest("the events page and the dashboard show what is down and the latest events", async (t) => {
  const { hostId } = await seedDown(t);
  let html = await (await t.call("GET", "/events")).text();
  assert.match(html, /data-testid="event-table"/);
  assert.match(html, /nas&lt;b> \(10\.71\.0\.9\) is down in racks 10\.71\.0\.0\/24/);
  assert.match(html, /data-island="EventFeed"/);
  assert.match(await (await t.call("GET", "/events?kind=port_opened")).text(), /No events yet/);

  // The dashboard's "Down now" is the live state, counted from the last successful check.
  const state = (up: boolean) => ({
    up,
    latency_ms: up ? 0.4 : null,
    since: t.clock.now - 11 * 60_000,
    last_seen: up ? t.clock.now : t.clock.now - 12 * 60_000,
    method: "fping",
    checked_at: t.clock.now,
  });
  await t.deps.kv.set(hostStateKey("10.71.0.9"), state(false));
  html = await (await t.call("GET", "/")).text();
  const down = /data-testid="down-now">([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? "";
  assert.match(down, new RegExp(`href="/hosts/${hostId}"`));
  assert.match(down, /down for 12m/);
  assert.match(html, /Latest changes/);
  assert.match(html, /nas&lt;b> \(10\.71\.0\.9\) is down/);
  assert.ok(
    html.indexOf('data-testid="down-now"') < html.indexOf('data-testid="add-subnet"'),
    "above the fold",
  );

  await t.db.tx((tx) =>
    t.deps.services.alerts.hostEvents(tx, t.clock.now, [{
      hostId,
      kind: "up",
      detail: { after_s: 720 },
    }])
  );
  await t.deps.kv.set(hostStateKey("10.71.0.9"), state(true));
  html = await (await t.call("GET", "/")).text();
  assert.match(html, /data-testid="down-empty">Nothing is down/);
}, ENV);
