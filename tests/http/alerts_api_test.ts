// The alerts API through the app: targets (secret write-only), rules, silences, Send test, the
// delivery log, event history and the live stream — on both engines.
import assert from "node:assert/strict";
import { createUser } from "@/services/auth/mod.ts";
import { verify } from "@/services/alerts/mod.ts";
import { appTest, type TestApp } from "@/tests/support/test_app.ts";
import { startReceiver } from "@/tests/support/webhook_receiver.ts";

const ENV = { ALERT_TARGET_ALLOW: "127.0.0.1/32", ALERT_RETRY_BASE_MS: "10" };

const json = async (res: Response) => {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`not JSON (${res.status}): ${text.slice(0, 200)}`);
  }
};

async function seedHost(t: TestApp) {
  const [s] = await t.db.query<{ id: number }>(
    `insert into subnet (cidr, name) values ('10.70.0.0/24', 'office') returning id`,
  );
  const [h] = await t.db.query<{ id: number }>(
    `insert into host (ip, subnet_id, hostname) values ('10.70.0.5', $1, 'printer') returning id`,
    [s.id],
  );
  return { subnetId: Number(s.id), hostId: Number(h.id) };
}

appTest(
  "targets: secret is write-only, bad input names the field, only admins change them",
  async (t) => {
    const created = await t.call("POST", "/api/v1/alerts/targets", {
      json: { name: "ops", kind: "webhook", url: "https://hooks.example.net/p?x=1" },
    });
    assert.equal(created.status, 201);
    const target = await json(created);
    assert.match(target.secret, /^whsec_/);
    assert.equal(target.has_secret, true);
    const got = await json(await t.call("GET", `/api/v1/alerts/targets/${target.id}`));
    assert.equal(got.secret, undefined);
    assert.equal(got.url, "https://hooks.example.net/p?x=1");
    const list = await json(await t.call("GET", "/api/v1/alerts/targets"));
    assert.equal(list.items.length, 1);
    assert.ok(!JSON.stringify(list).includes(target.secret));

    const withSecret = await json(
      await t.call("POST", "/api/v1/alerts/targets", {
        json: {
          name: "mine",
          kind: "slack",
          url: "https://hooks.slack.example/T/B/x",
          secret: "given-secret-1",
        },
      }),
    );
    assert.equal(withSecret.secret, undefined);

    for (
      const [body, field] of [
        [{ name: "x", kind: "pager", url: "https://a.example/" }, "kind"],
        [{ name: "x", kind: "webhook", url: "not a url" }, "url"],
        [{ name: "x", kind: "webhook", url: "ftp://a.example/" }, "url"],
        [{ name: "x", kind: "webhook", url: "http://169.254.169.254/latest/meta-data" }, "url"],
        [{ name: "x", kind: "webhook", url: "http://[fd00:ec2::254]/" }, "url"],
        [{ name: "x", kind: "webhook", url: "http://user:pw@a.example/" }, "url"],
        [{ name: "x", kind: "email", url: "not-an-address" }, "url"],
        [{ name: "", kind: "webhook", url: "https://a.example/" }, "name"],
        [{ name: "x", kind: "webhook", url: "https://a.example/", secret: "short" }, "secret"],
        [{ name: "x", kind: "webhook", url: "https://a.example/", extra: 1 }, ""],
      ] as const
    ) {
      const res = await t.call("POST", "/api/v1/alerts/targets", { json: body });
      assert.equal(res.status, 422, JSON.stringify(body));
      const err = await json(res);
      assert.match(
        err.error.message,
        new RegExp(field ? `${field}:` : "invalid body"),
        err.error.message,
      );
    }

    await createUser(t.db, { username: "eddie", password: "editor-password-1", role: "editor" });
    const editor = await t.login("eddie", "editor-password-1");
    const denied = await t.call("POST", "/api/v1/alerts/targets", {
      as: editor,
      json: { name: "x", kind: "webhook", url: "https://a.example/" },
    });
    assert.equal(denied.status, 403);
    const seen = await json(
      await t.call("GET", `/api/v1/alerts/targets/${target.id}`, { as: editor }),
    );
    assert.equal(seen.url, "https://hooks.example.net/…");

    const patched = await json(
      await t.call("PATCH", `/api/v1/alerts/targets/${target.id}`, { json: { enabled: false } }),
    );
    assert.equal(patched.enabled, false);
    assert.equal((await t.call("DELETE", `/api/v1/alerts/targets/${target.id}`)).status, 204);
    assert.equal((await t.call("GET", `/api/v1/alerts/targets/${target.id}`)).status, 404);
  },
  ENV,
);

appTest("rules and silences: CRUD with clear 422s", async (t) => {
  const { subnetId, hostId } = await seedHost(t);
  const target = await json(
    await t.call("POST", "/api/v1/alerts/targets", {
      json: { name: "ops", kind: "ntfy", url: "https://ntfy.example/pingfold" },
    }),
  );
  const rule = await json(
    await t.call("POST", "/api/v1/alerts/rules", {
      json: {
        name: "office",
        events: ["host_down", "host_up"],
        subnet_id: subnetId,
        target_ids: [target.id],
      },
    }),
  );
  assert.equal(rule.down_after, 2);
  assert.equal(rule.flap_window_s, 900);
  assert.deepEqual(rule.target_ids, [target.id]);
  for (
    const [body, field] of [
      [{ name: "r", events: ["host_gone"], target_ids: [target.id] }, "events"],
      [{ name: "r", events: [], target_ids: [target.id] }, "events"],
      [{ name: "r", events: ["host_down"], target_ids: [999] }, "target_ids"],
      [{ name: "r", events: ["host_down"], target_ids: [target.id], subnet_id: 999 }, "subnet_id"],
      [{ name: "r", events: ["host_down"], target_ids: [target.id], host_id: 999 }, "host_id"],
      [{ name: "r", events: ["host_down"], target_ids: [target.id], down_after: 0 }, "down_after"],
    ] as const
  ) {
    const res = await t.call("POST", "/api/v1/alerts/rules", { json: body });
    assert.equal(res.status, 422, JSON.stringify(body));
    assert.match((await json(res)).error.message, new RegExp(`${field}[.:]`));
  }
  const patched = await json(
    await t.call("PATCH", `/api/v1/alerts/rules/${rule.id}`, {
      json: { down_after: 3, host_id: hostId },
    }),
  );
  assert.equal(patched.down_after, 3);
  assert.equal(patched.host_id, hostId);
  assert.equal((await json(await t.call("GET", "/api/v1/alerts/rules"))).items.length, 1);

  const now = t.clock.now;
  const mute = await t.call("POST", "/api/v1/alerts/silences", {
    json: { kind: "mute", host_id: hostId, ends_at: new Date(now + 3600_000).toISOString() },
  });
  assert.equal(mute.status, 201);
  for (
    const [body, field] of [
      [{ kind: "mute", host_id: hostId }, "ends_at"],
      [{ kind: "mute", ends_at: new Date(now + 1000).toISOString() }, "host_id"],
      [
        { kind: "maintenance", subnet_id: subnetId, starts_at: "soon", ends_at: "later" },
        "starts_at",
      ],
      [{ kind: "quiet", daily_from: "25:00", daily_to: "07:00" }, "daily_from"],
      [
        { kind: "quiet", daily_from: "22:00", daily_to: "07:00", time_zone: "Mars/Olympus" },
        "time_zone",
      ],
      [{ kind: "sleep" }, "kind"],
    ] as const
  ) {
    const res = await t.call("POST", "/api/v1/alerts/silences", { json: body });
    assert.equal(res.status, 422, JSON.stringify(body));
    assert.match((await json(res)).error.message, new RegExp(`${field}[.:]`));
  }
  const quiet = await json(
    await t.call("POST", "/api/v1/alerts/silences", {
      json: { kind: "quiet", daily_from: "22:00", daily_to: "07:00", time_zone: "Europe/Berlin" },
    }),
  );
  assert.equal(quiet.daily_from, "22:00");
  assert.equal((await json(await t.call("GET", "/api/v1/alerts/silences"))).items.length, 2);
  assert.equal((await t.call("DELETE", `/api/v1/alerts/silences/${quiet.id}`)).status, 204);
  assert.equal((await t.call("DELETE", `/api/v1/alerts/rules/${rule.id}`)).status, 204);
  assert.equal((await t.call("DELETE", `/api/v1/alerts/rules/${rule.id}`)).status, 404);
}, ENV);

appTest("Send test queues a signed delivery that shows in the log", async (t) => {
  const rx = startReceiver();
  try {
    const target = await json(
      await t.call("POST", "/api/v1/alerts/targets", {
        json: { name: "rx", kind: "webhook", url: rx.url, secret: "test-secret-1" },
      }),
    );
    const res = await t.call("POST", `/api/v1/alerts/targets/${target.id}/test`);
    assert.equal(res.status, 202);
    const queued = await json(res);
    assert.equal(queued.status, "queued");
    assert.equal(queued.kind, "test");
    await t.deps.services.alerts.worker.runOnce();
    assert.equal(rx.received.length, 1);
    const req = rx.received[0];
    assert.equal(req.headers.get("x-pingfold-event"), "test");
    assert.equal(req.headers.get("x-pingfold-delivery"), queued.uuid);
    const ts = Number(req.headers.get("x-pingfold-timestamp"));
    assert.ok(verify("test-secret-1", ts, req.body, req.headers.get("x-pingfold-signature")));
    const log = await json(await t.call("GET", `/api/v1/alerts/deliveries?target_id=${target.id}`));
    assert.equal(log.items.length, 1);
    assert.equal(log.items[0].status, "succeeded");
    assert.equal(log.items[0].last_status, 200);
    assert.equal(typeof log.items[0].latency_ms, "number");
    assert.equal(log.next_cursor, null);
    assert.equal((await t.call("POST", "/api/v1/alerts/targets/999/test")).status, 404);
    const bad = await t.call("GET", "/api/v1/alerts/deliveries?status=lost");
    assert.equal(bad.status, 422);
    assert.match((await json(bad)).error.message, /status/);
  } finally {
    await rx.close();
  }
}, ENV);

appTest("event history pages and filters; the live stream carries alert events", async (t) => {
  const { hostId, subnetId } = await seedHost(t);
  const res = await t.call("GET", "/api/v1/events");
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  const until = async (pattern: RegExp) => {
    for (let i = 0; i < 50 && !pattern.test(buffer); i++) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
    }
    return buffer;
  };
  await until(/event: hello/);
  const alerts = t.deps.services.alerts;
  await t.db.tx((tx) =>
    alerts.hostEvents(tx, t.clock.now, [
      { hostId, kind: "down", detail: {} },
    ], [{ hostId, isUp: false }])
  );
  t.clock.now += 60_000;
  await t.db.tx((tx) =>
    alerts.hostEvents(tx, t.clock.now, [{ hostId, kind: "up", detail: { after_s: 60 } }])
  );
  const text = await until(/event: alert\ndata: .*host_up/);
  assert.match(text, /event: alert\ndata: .*"kind":"host_down"/);
  await reader.cancel();

  const all = await json(await t.call("GET", "/api/v1/events/history"));
  assert.deepEqual(all.items.map((e: { kind: string }) => e.kind), ["host_up", "host_down"]);
  assert.equal(all.items[0].host.hostname, "printer");
  assert.equal(
    all.items[0].summary,
    "printer (10.70.0.5) is back up in office 10.70.0.0/24 after 60s down",
  );
  const page1 = await json(await t.call("GET", "/api/v1/events/history?limit=1"));
  assert.equal(page1.items.length, 1);
  const page2 = await json(
    await t.call("GET", `/api/v1/events/history?limit=1&cursor=${page1.next_cursor}`),
  );
  assert.equal(page2.items[0].kind, "host_down");
  assert.equal(page2.next_cursor, null);
  const downs = await json(
    await t.call(
      "GET",
      `/api/v1/events/history?kind=host_down&subnet_id=${subnetId}&host_id=${hostId}`,
    ),
  );
  assert.equal(downs.items.length, 1);
  const later = await json(
    await t.call(
      "GET",
      `/api/v1/events/history?since=${new Date(t.clock.now + 1000).toISOString()}`,
    ),
  );
  assert.equal(later.items.length, 0);
  const bad = await t.call("GET", "/api/v1/events/history?kind=host_gone");
  assert.equal(bad.status, 422);
  assert.match((await json(bad)).error.message, /kind: unknown kind "host_gone"/);
  assert.equal((await t.call("GET", "/api/v1/events/history?since=yesterday")).status, 422);
}, ENV);

appTest("the OpenAPI document describes the alerts API and the event shape", async (t) => {
  const doc = await json(await t.call("GET", "/openapi.json"));
  for (
    const p of [
      "/api/v1/alerts/targets",
      "/api/v1/alerts/targets/{id}/test",
      "/api/v1/alerts/rules",
      "/api/v1/alerts/rules/{id}",
      "/api/v1/alerts/silences",
      "/api/v1/alerts/deliveries",
      "/api/v1/events/history",
      "/api/v1/events",
    ]
  ) assert.ok(doc.paths[p], p);
  const event = doc.components.schemas.AlertEvent;
  assert.deepEqual(
    Object.keys(event.properties).sort(),
    [
      "detail",
      "host",
      "id",
      "kind",
      "organization",
      "server",
      "subnet",
      "summary",
      "ts",
      "url",
      "version",
    ],
  );
  const create = doc.components.schemas.AlertTargetCreate;
  assert.ok(create.properties.secret);
  assert.equal(doc.components.schemas.AlertTarget.properties.secret, undefined);
}, ENV);

appTest(
  "an indicator turning critical is an indicator_status event, delivered by its rule",
  async (t) => {
    const { hostId } = await seedHost(t);
    const rx = startReceiver();
    try {
      const target = await json(
        await t.call("POST", "/api/v1/alerts/targets", {
          json: { name: "rx", kind: "webhook", url: rx.url, secret: "ind-secret-1" },
        }),
      );
      const rule = await t.call("POST", "/api/v1/alerts/rules", {
        json: { name: "indicators", events: ["indicator_status"], target_ids: [target.id] },
      });
      assert.equal(rule.status, 201);
      const put = (value: number) =>
        t.call("PUT", `/api/v1/hosts/${hostId}/indicators/disk`, {
          json: { value, unit: "%", thresholds: { warning_above: 80, critical_above: 90 } },
        });
      assert.equal((await put(50)).status, 201); // a new indicator that starts out ok: no event
      assert.equal((await put(60)).status, 200); // same status: nothing new
      assert.equal((await put(95)).status, 200); // ok → critical
      const events = await json(
        await t.call("GET", `/api/v1/events/history?kind=indicator_status&host_id=${hostId}`),
      );
      const statuses = events.items.map((e: { detail: { status: string } }) => e.detail.status);
      assert.deepEqual(statuses, ["critical"]);
      const critical = events.items.find((e: { detail: { status: string } }) =>
        e.detail.status === "critical"
      );
      assert.equal(critical.detail.previous_status, "ok");
      assert.equal(critical.detail.indicator, "disk");
      await t.deps.services.alerts.worker.runOnce();
      const bodies = rx.received.map((r) => JSON.parse(r.body));
      assert.ok(
        bodies.some((b) => b.kind === "indicator_status" && b.detail.status === "critical"),
      );
      for (const r of rx.received) {
        const ts = Number(r.headers.get("x-pingfold-timestamp"));
        assert.ok(verify("ind-secret-1", ts, r.body, r.headers.get("x-pingfold-signature")));
      }
    } finally {
      await rx.close();
    }
  },
  ENV,
);
