import assert from "node:assert/strict";
import type { Db } from "@/services/store/mod.ts";
import { dbTest } from "@/tests/support/test_db.ts";
import { type Fixture, makeAlerts, seedHosts } from "@/tests/support/alerts_fixture.ts";
import { createRule, type RuleInput } from "./rules_repo.ts";
import { createSilence } from "./silences_repo.ts";
import { createTarget } from "./targets_repo.ts";

const MIN = 60_000;

async function target(db: Db, f: Fixture, name = "t") {
  const { target } = await createTarget(
    db,
    { name, kind: "webhook", url: "http://127.0.0.1:9/hook" },
    f.alerts.settings.policy,
  );
  return target.id;
}

async function rule(db: Db, targetId: number, over: Partial<RuleInput> = {}) {
  return await createRule(db, {
    name: "r",
    events: ["host_down", "host_up"],
    target_ids: [targetId],
    ...over,
  });
}

/** One sweep verdict for `hostId`; `flip` says whether it changed state (discovery's event). */
function sweep(db: Db, f: Fixture, hostId: number, up: boolean, flip: boolean) {
  const events = flip ? [{ hostId, kind: up ? "up" : "down", detail: { after_s: 120 } }] : [];
  return db.tx((tx) => f.alerts.hostEvents(tx, f.clock.now, events, [{ hostId, isUp: up }]));
}

async function queued(db: Db) {
  return await db.query<{ kind: string; target_id: number; misses: number | null }>(
    `select kind, target_id, (payload->'detail'->>'misses')::int as misses
     from alert_delivery order by id`,
  );
}

async function outcomes(db: Db) {
  return (await db.query<{ kind: string; outcome: string }>(
    `select kind, outcome from alert_match order by ts, event_id`,
  )).map((r) => `${r.kind}:${r.outcome}`);
}

dbTest(
  "down after N misses: the rule fires at the Nth miss, and up follows only then",
  async (db) => {
    const f = makeAlerts(db);
    const { hostIds: [h] } = await seedHosts(db);
    const t2 = await target(db, f, "two");
    const t1 = await target(db, f, "one");
    await rule(db, t2); // down_after defaults to 2
    await rule(db, t1, { down_after: 1 });

    await sweep(db, f, h, false, true); // miss 1 (the flip)
    assert.deepEqual((await queued(db)).map((d) => [d.target_id, d.misses]), [[t1, 1]]);
    f.clock.now += MIN;
    await sweep(db, f, h, false, false); // miss 2
    assert.deepEqual((await queued(db)).map((d) => [d.target_id, d.misses]), [[t1, 1], [t2, 2]]);
    f.clock.now += MIN;
    await sweep(db, f, h, false, false); // miss 3: nothing new
    assert.equal((await queued(db)).length, 2);
    f.clock.now += MIN;
    await sweep(db, f, h, true, true);
    const all = await queued(db);
    assert.deepEqual(
      all.slice(2).map((d) => [d.kind, d.target_id]).sort(),
      [
        ["host_up", t1],
        ["host_up", t2],
      ].sort(),
    );
    const [up] = await db.query<{ payload: Record<string, Record<string, unknown>> }>(
      `select payload from alert_event where kind = 'host_up'`,
    );
    assert.equal(up.payload.detail.down_for_s, 120);
    assert.equal(up.payload.detail.misses, 3);

    // A blip shorter than down_after: nothing for the rule waiting for 2 misses, not even "up".
    await db.exec(`delete from alert_delivery`);
    f.clock.now += MIN;
    await sweep(db, f, h, false, true);
    f.clock.now += MIN;
    await sweep(db, f, h, true, true);
    assert.ok((await queued(db)).every((d) => d.target_id === t1));
  },
);

dbTest("flap damping: at most one down/up pair per host per window", async (db) => {
  const f = makeAlerts(db);
  const { hostIds: [h] } = await seedHosts(db);
  const t = await target(db, f);
  await rule(db, t, { down_after: 1, flap_window_s: 600 });
  for (let i = 0; i < 3; i++) {
    await sweep(db, f, h, false, true);
    f.clock.now += MIN;
    await sweep(db, f, h, true, true);
    f.clock.now += MIN;
  }
  assert.deepEqual((await queued(db)).map((d) => d.kind), ["host_down", "host_up"]);
  assert.deepEqual(await outcomes(db), [
    "host_down:sent",
    "host_up:sent",
    "host_down:flapping",
    "host_down:flapping",
  ]);
  // Every flip is still in the feed.
  const [n] = await db.query<{ n: number }>(`select count(*)::int as n from alert_event`);
  assert.equal(n.n, 6);
  f.clock.now += 10 * MIN; // the window has passed
  await sweep(db, f, h, false, true);
  assert.equal((await queued(db)).length, 3);
});

dbTest("maintenance windows, mutes and quiet hours record events but send nothing", async (db) => {
  const f = makeAlerts(db);
  const { hostIds: [h, other], subnetId } = await seedHosts(db, "198.51.100.0/24", [
    { ip: "198.51.100.10" },
    { ip: "198.51.100.11", tags: ["lab"] },
  ]);
  const t = await target(db, f);
  await rule(db, t, { down_after: 1, flap_window_s: 0 });
  const now = f.clock.now;
  await createSilence(db, {
    kind: "maintenance",
    subnet_id: subnetId,
    starts_at: new Date(now - MIN).toISOString(),
    ends_at: new Date(now + 30 * MIN).toISOString(),
    reason: "switch firmware",
  }, now);
  await sweep(db, f, h, false, true);
  await sweep(db, f, other, false, true);
  assert.equal((await queued(db)).length, 0);
  assert.deepEqual(await outcomes(db), ["host_down:maintenance", "host_down:maintenance"]);
  // After the window, a new outage is sent; the up of the silenced one is not news.
  f.clock.now += 31 * MIN;
  await sweep(db, f, h, true, true);
  assert.equal((await queued(db)).length, 0);
  await sweep(db, f, h, false, true);
  assert.equal((await queued(db)).length, 1);

  await createSilence(db, {
    kind: "mute",
    tag: "lab",
    ends_at: new Date(f.clock.now + 60 * MIN).toISOString(),
  }, f.clock.now);
  await sweep(db, f, other, true, true);
  await sweep(db, f, other, false, true);
  assert.equal((await queued(db)).length, 1);
  assert.equal((await outcomes(db)).at(-1), "host_down:muted");

  // Quiet hours around the clock's time of day (10:xx UTC), for every host.
  await createSilence(db, { kind: "quiet", daily_from: "09:00", daily_to: "12:00" }, f.clock.now);
  await sweep(db, f, h, true, true);
  await sweep(db, f, h, false, true);
  assert.equal((await outcomes(db)).at(-1), "host_down:quiet");
});

dbTest("filters: subnet (children included), tag, host; port and indicator events", async (db) => {
  const f = makeAlerts(db);
  const { subnetId: parent } = await seedHosts(db, "10.20.0.0/16", []);
  const { hostIds: [a, b], subnetId: child } = await seedHosts(db, "10.20.30.0/24", [
    { ip: "10.20.30.1", tags: ["core"] },
    { ip: "10.20.30.2" },
  ]);
  const { hostIds: [elsewhere] } = await seedHosts(db, "10.99.0.0/24", [{ ip: "10.99.0.1" }]);
  const t = await target(db, f);
  await rule(db, t, { events: ["port_opened"], subnet_id: parent });
  await rule(db, t, { events: ["host_new"], tag: "core" });
  await rule(db, t, { events: ["indicator_status"], host_id: b });
  const port = { port: 22, proto: "tcp", service: "ssh" };
  await db.tx(async (tx) => {
    for (const id of [a, elsewhere]) {
      await f.alerts.hostEvents(tx, f.clock.now, [{
        hostId: id,
        kind: "port_opened",
        detail: port,
      }]);
    }
    // The first sweep of a subnet is a baseline: its hosts are not "new".
    await f.alerts.hostEvents(tx, f.clock.now, [
      { hostId: a, kind: "discovered", detail: { subnet_id: child } },
    ]);
    await tx.query(
      `insert into scan_run (kind, trigger, subnet_id, target, started_at, finished_at,
         duration_ms, status) values ('subnet', 'schedule', $1, '10.20.30.0/24', now(), now(), 1,
         'succeeded')`,
      [child],
    );
    await f.alerts.hostEvents(tx, f.clock.now, [
      { hostId: a, kind: "discovered", detail: { subnet_id: child } },
      { hostId: b, kind: "discovered", detail: { subnet_id: child } },
      { hostId: a, kind: "hostname_changed", detail: {} },
    ]);
  });
  await f.alerts.indicatorStatus(db, {
    indicator_id: 7,
    name: "disk /",
    status: "critical",
    previous_status: "ok",
    host_id: b,
    value: 97,
    unit: "%",
  });
  const rows = await db.query<{ kind: string; ip: string; summary: string }>(
    `select kind, payload->'host'->>'ip' as ip, payload->>'summary' as summary
     from alert_delivery order by id`,
  );
  assert.deepEqual(rows.map((r) => [r.kind, r.ip]), [
    ["port_opened", "10.20.30.1"],
    ["host_new", "10.20.30.1"],
    ["indicator_status", "10.20.30.2"],
  ]);
  assert.equal(rows[0].summary, "tcp/22 opened on 10.20.30.1 (ssh)");
  assert.equal(rows[2].summary, "disk / is critical on 10.20.30.2");
  const kinds = await db.query<{ kind: string }>(`select kind from alert_event order by id`);
  assert.deepEqual(kinds.map((k) => k.kind), [
    "port_opened",
    "port_opened",
    "host_new",
    "host_new",
    "indicator_status",
  ]);
  assert.equal(f.published.length, 5);
  assert.ok(child > 0);
});

dbTest("failing sweeps and silent exporters are reported once per episode", async (db) => {
  const f = makeAlerts(db, { ALERT_SCAN_FAILING_AFTER: "3", ALERT_EXPORTER_SILENT_MINUTES: "15" });
  const { subnetId } = await seedHosts(db, "10.40.0.0/24", []);
  const t = await target(db, f);
  await rule(db, t, { events: ["scan_failing", "exporter_silent"], subnet_id: null });
  const run = (status: string, at: number) =>
    db.query(
      `insert into scan_run (kind, trigger, subnet_id, target, started_at, finished_at,
         duration_ms, status, errors)
       values ('subnet', 'schedule', $1, '10.40.0.0/24', $2, $2, 5, $3, $4::jsonb)`,
      [subnetId, new Date(at), status, JSON.stringify(status === "failed" ? ["fping: boom"] : [])],
    );
  await run("succeeded", f.clock.now - 5 * MIN);
  await run("failed", f.clock.now - 3 * MIN);
  await run("failed", f.clock.now - 2 * MIN);
  assert.equal(await f.alerts.checkConditions(), 0);
  await run("failed", f.clock.now - MIN);
  assert.equal(await f.alerts.checkConditions(), 1);
  assert.equal(await f.alerts.checkConditions(), 0);
  await run("succeeded", f.clock.now);
  assert.equal(await f.alerts.checkConditions(), 0);
  for (let i = 1; i <= 3; i++) await run("failed", f.clock.now + i * 1000);
  assert.equal(await f.alerts.checkConditions(), 1);

  await db.query(
    `insert into netflow_exporter (addr, first_seen_at, last_seen_at) values
       ('10.40.0.9', $1, $1), ('10.40.0.8', $2, $2)`,
    [new Date(f.clock.now - 20 * MIN), new Date(f.clock.now - MIN)],
  );
  assert.equal(await f.alerts.checkConditions(), 1);
  const rows = await db.query<{ kind: string; summary: string; subnet: string | null }>(
    `select kind, payload->>'summary' as summary, payload->'subnet'->>'cidr' as subnet
     from alert_delivery order by id`,
  );
  assert.deepEqual(rows.map((r) => r.kind), ["scan_failing", "scan_failing", "exporter_silent"]);
  assert.equal(rows[0].subnet, "10.40.0.0/24");
  assert.equal(rows[0].summary, "sweep of 10.40.0.0/24 failed 3 times in a row");
  assert.equal(rows[2].summary, "NetFlow exporter 10.40.0.9 silent for 20m");
});
