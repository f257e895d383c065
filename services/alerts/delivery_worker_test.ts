import assert from "node:assert/strict";
import { dbTest } from "@/tests/support/test_db.ts";
import { makeAlerts, seedHosts } from "@/tests/support/alerts_fixture.ts";
import { startReceiver } from "@/tests/support/webhook_receiver.ts";
import { claim, enqueue, recordAttempt } from "./delivery_repo.ts";
import { createRule } from "./rules_repo.ts";
import { verify } from "./signature.ts";
import { createTarget } from "./targets_repo.ts";
import type { Db } from "@/services/store/mod.ts";
import type { Fixture } from "@/tests/support/alerts_fixture.ts";

const allowLoopback = { allow: [] as never[] };

async function setup(db: Db, f: Fixture, url: string, secret = "s3cret") {
  const { hostIds, subnetId } = await seedHosts(db);
  const { target } = await createTarget(
    db,
    { name: "hook", kind: "webhook", url, secret },
    f.alerts.settings.policy,
  );
  await createRule(db, {
    name: "all downs",
    events: ["host_down", "host_up"],
    down_after: 1,
    target_ids: [target.id],
  });
  return { hostId: hostIds[0], subnetId, targetId: target.id };
}

const down = (f: Fixture, db: Db, hostId: number) =>
  db.tx((tx) =>
    f.alerts.hostEvents(tx, f.clock.now, [{ hostId, kind: "down", detail: {} }], [
      { hostId, isUp: false },
    ])
  );

async function statusOf(db: Db) {
  return await db.query<{ status: string; attempts: number; last_error: string | null }>(
    `select status, attempts, last_error from alert_delivery order by id`,
  );
}

dbTest("a down event is delivered once to a real receiver, signed", async (db) => {
  const rx = startReceiver();
  try {
    const f = makeAlerts(db);
    const { hostId } = await setup(db, f, rx.url);
    await down(f, db, hostId);
    assert.equal(await f.alerts.worker.runOnce(), 1);
    assert.equal(rx.received.length, 1);
    const req = rx.received[0];
    const ts = Number(req.headers.get("x-pingfold-timestamp"));
    assert.equal(req.headers.get("x-pingfold-event"), "host_down");
    assert.match(req.headers.get("x-pingfold-delivery")!, /^[0-9a-f-]{36}$/);
    assert.equal(ts, Math.floor(f.clock.now / 1000));
    assert.ok(verify("s3cret", ts, req.body, req.headers.get("x-pingfold-signature")));
    const body = JSON.parse(req.body);
    assert.equal(body.kind, "host_down");
    assert.equal(body.host.ip, "198.51.100.10");
    assert.equal(body.subnet.cidr, "198.51.100.0/24");
    assert.equal(body.host.url, `/hosts/${hostId}`);
    assert.equal(body.version, 1);
    assert.equal(typeof body.id, "number");
    assert.deepEqual(await statusOf(db), [{ status: "succeeded", attempts: 1, last_error: null }]);
    // Nothing is due any more: a recorded success is never sent again.
    f.clock.now += 3_600_000;
    assert.equal(await f.alerts.worker.runOnce(), 0);
    assert.equal(rx.received.length, 1);
    assert.equal(f.published.length, 1);
  } finally {
    await rx.close();
  }
});

dbTest("a receiver failing three times then succeeding gets the event once", async (db) => {
  const rx = startReceiver({ failFirst: 3 });
  try {
    const f = makeAlerts(db);
    const { hostId } = await setup(db, f, rx.url);
    await down(f, db, hostId);
    for (let i = 0; i < 20 && rx.accepted.size === 0; i++) {
      await f.alerts.worker.runOnce();
      f.clock.now += 1000; // past any retry delay (ALERT_RETRY_MAX_MS=100)
    }
    for (let i = 0; i < 5; i++) {
      await f.alerts.worker.runOnce();
      f.clock.now += 1000;
    }
    assert.equal(rx.received.length, 4);
    assert.deepEqual([...rx.accepted.values()], [1]);
    const ids = new Set(rx.received.map((r) => r.headers.get("x-pingfold-delivery")));
    assert.equal(ids.size, 1, "every retry carries the same idempotency key");
    const [row] = await statusOf(db);
    assert.equal(row.status, "succeeded");
    assert.equal(row.attempts, 4);
  } finally {
    await rx.close();
  }
});

dbTest("attempts are bounded: an always failing receiver is given up on", async (db) => {
  const rx = startReceiver({ failFirst: 1000 });
  try {
    const f = makeAlerts(db, { ALERT_MAX_ATTEMPTS: "3" });
    const { hostId } = await setup(db, f, rx.url);
    await down(f, db, hostId);
    for (let i = 0; i < 10; i++) {
      await f.alerts.worker.runOnce();
      f.clock.now += 1000;
    }
    assert.equal(rx.received.length, 3);
    const [row] = await statusOf(db);
    assert.equal(row.status, "failed");
    assert.match(row.last_error!, /HTTP 500.*gave up after 3 attempts/);
  } finally {
    await rx.close();
  }
});

dbTest("a name resolving to loopback is refused at send time unless allowed", async (db) => {
  const rx = startReceiver();
  try {
    const f = makeAlerts(db, { ALERT_TARGET_ALLOW: "" });
    // "localhost" passes the create-time check (a name); it resolves to 127.0.0.1 when sent.
    const { hostId } = await setup(db, f, `http://localhost:${rx.port}/hook`);
    await down(f, db, hostId);
    await f.alerts.worker.runOnce();
    assert.equal(rx.received.length, 0);
    const [row] = await statusOf(db);
    assert.equal(row.status, "failed");
    assert.equal(row.attempts, 1);
    assert.match(row.last_error!, /refused localhost: 127\.0\.0\.1 is loopback/);
  } finally {
    await rx.close();
  }
});

dbTest("literal refused addresses are rejected when the target is created", async (db) => {
  const f = makeAlerts(db, { ALERT_TARGET_ALLOW: "" });
  for (const url of ["http://169.254.169.254/latest", "http://[::1]:9/x", "http://127.0.0.1/"]) {
    await assert.rejects(
      createTarget(db, { name: "x", kind: "webhook", url }, f.alerts.settings.policy),
      (e: Error & { status?: number }) =>
        e.status === 422 && /url: .*ALERT_TARGET_ALLOW/.test(e.message),
    );
  }
  await assert.rejects(
    createTarget(db, { name: "x", kind: "webhook", url: "file:///etc/passwd" }, allowLoopback),
    /scheme file: is not allowed/,
  );
});

dbTest("two workers never claim the same row; each delivery arrives once", async (db) => {
  const rx = startReceiver();
  try {
    const a = makeAlerts(db, {}, { concurrency: 7, perTarget: 50 });
    const b = makeAlerts(db, {}, { concurrency: 5, perTarget: 50 });
    b.clock.now = a.clock.now;
    const { target } = await createTarget(
      db,
      { name: "hook", kind: "webhook", url: rx.url, secret: "k" },
      a.alerts.settings.policy,
    );
    const payload = { kind: "test" } as never;
    const items = Array.from({ length: 60 }, () => ({
      eventId: null,
      targetId: target.id,
      ruleId: null,
      payload,
    }));
    await enqueue(db, items, 5, a.clock.now);
    for (let round = 0; round < 30; round++) {
      const [x, y] = await Promise.all([a.alerts.worker.runOnce(), b.alerts.worker.runOnce()]);
      if (x + y === 0) break;
    }
    assert.equal(rx.received.length, 60);
    assert.equal(rx.accepted.size, 60);
    assert.ok([...rx.accepted.values()].every((n) => n === 1));
    const [row] = await db.query<{ n: number }>(
      `select count(*)::int as n from alert_delivery where status = 'succeeded' and attempts = 1`,
    );
    assert.equal(row.n, 60);
  } finally {
    await rx.close();
  }
});

dbTest("a claim takes at most perTarget rows of one target, so others still go", async (db) => {
  const f = makeAlerts(db);
  const policy = f.alerts.settings.policy;
  const slow = await createTarget(db, {
    name: "slow",
    kind: "webhook",
    url: "http://127.0.0.1:9/a",
  }, policy);
  const fast = await createTarget(db, {
    name: "fast",
    kind: "webhook",
    url: "http://127.0.0.1:9/b",
  }, policy);
  const payload = { kind: "test" } as never;
  const item = (targetId: number) => ({ eventId: null, targetId, ruleId: null, payload });
  await enqueue(db, Array.from({ length: 10 }, () => item(slow.target.id)), 5, f.clock.now);
  await enqueue(db, [item(fast.target.id)], 5, f.clock.now + 1);
  const first = await claim(db, { now: f.clock.now + 10, leaseMs: 60_000, limit: 8, perTarget: 2 });
  assert.equal(first.filter((d) => d.target_id === slow.target.id).length, 2);
  assert.equal(first.filter((d) => d.target_id === fast.target.id).length, 1);
  // The slow target's two are in flight: it gets nothing more until they finish.
  const again = await claim(db, { now: f.clock.now + 20, leaseMs: 60_000, limit: 8, perTarget: 2 });
  assert.equal(again.length, 0);
});

dbTest(
  "an expired lease (a dead worker) is claimed again; the stale holder records nothing",
  async (db) => {
    const f = makeAlerts(db);
    const t = await createTarget(
      db,
      { name: "t", kind: "webhook", url: "http://127.0.0.1:9/" },
      f.alerts.settings.policy,
    );
    await enqueue(
      db,
      [{ eventId: null, targetId: t.target.id, ruleId: null, payload: { kind: "test" } as never }],
      5,
      f.clock.now,
    );
    const [held] = await claim(db, { now: f.clock.now, leaseMs: 1000, limit: 1, perTarget: 1 });
    assert.equal(
      (await claim(db, { now: f.clock.now + 500, leaseMs: 1000, limit: 1, perTarget: 5 })).length,
      0,
    );
    const [retaken] = await claim(db, {
      now: f.clock.now + 1500,
      leaseMs: 1000,
      limit: 1,
      perTarget: 5,
    });
    assert.equal(retaken.uuid, held.uuid);
    assert.equal(retaken.attempts, 2);
    const outcome = { ok: true, status: 200, error: null, latencyMs: 1, retryAt: null };
    assert.equal(await recordAttempt(db, held, outcome, f.clock.now + 1600), false);
    assert.equal(await recordAttempt(db, retaken, outcome, f.clock.now + 1600), true);
    assert.equal(
      (await claim(db, { now: f.clock.now + 99_000, leaseMs: 1000, limit: 1, perTarget: 5 }))
        .length,
      0,
    );
  },
);

dbTest("an attempt past ALERT_DELIVERY_TIMEOUT_MS is cut off and retried later", async (db) => {
  const rx = startReceiver({ delayMs: 1500 });
  try {
    const f = makeAlerts(db, { ALERT_DELIVERY_TIMEOUT_MS: "200" });
    const { hostId } = await setup(db, f, rx.url);
    await down(f, db, hostId);
    await f.alerts.worker.runOnce();
    const [row] = await statusOf(db);
    assert.equal(row.status, "queued");
    assert.equal(row.attempts, 1);
    assert.match(row.last_error!, /timed out after 200 ms/);
  } finally {
    await rx.close();
  }
});

dbTest("a target that never answers does not hold up another target", async (db) => {
  const dead = startReceiver({ hold: true });
  const fast = startReceiver();
  const f = makeAlerts(db, { ALERT_DELIVERY_TIMEOUT_MS: "5000" }, {
    concurrency: 4,
    perTarget: 2,
  });
  try {
    const policy = f.alerts.settings.policy;
    const a = await createTarget(db, { name: "dead", kind: "webhook", url: dead.url }, policy);
    const b = await createTarget(db, { name: "fast", kind: "webhook", url: fast.url }, policy);
    const payload = { kind: "test" } as never;
    const item = (targetId: number) => ({ eventId: null, targetId, ruleId: null, payload });
    await enqueue(db, Array.from({ length: 10 }, () => item(a.target.id)), 5, f.clock.now);
    // Queued after the dead target's backlog (the fixture's clock stands still: same time).
    await enqueue(db, [item(b.target.id)], 5, f.clock.now);
    f.alerts.worker.start();
    await fast.waitFor(1, 20_000);
    // The fast target got its delivery while the dead one still holds its first two, unanswered.
    assert.equal(dead.accepted.size, 0);
    assert.ok(dead.received.length <= 2, `dead target got ${dead.received.length} at once`);
  } finally {
    dead.release();
    await f.alerts.stop();
    await dead.close();
    await fast.close();
  }
});
