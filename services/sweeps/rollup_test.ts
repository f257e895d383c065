import assert from "node:assert/strict";
import { dbTest } from "@/tests/support/test_db.ts";
import { type Db, ensureHistoryPartitions } from "@/services/store/mod.ts";
import { insertStatuses, statusSeries } from "./history_repo.ts";
import { rollUp, rollupCutoff } from "./rollup.ts";
import { hostUptime, seriesStep, uptimeRatio } from "./uptime.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// A fixed "now" on a whole hour keeps the arithmetic readable.
const NOW = Date.UTC(2026, 0, 20, 12, 0, 0);

async function hostIn(db: Db): Promise<number> {
  await db.query(`insert into subnet (cidr) values ('198.51.100.0/24')`);
  const [{ id }] = await db.query<{ id: number }>(
    `insert into host (ip) values ('198.51.100.10') returning id`,
  );
  return id;
}

/** One sample every 10 minutes over [fromMs, toMs); every `downEvery`th one is down. */
async function samples(db: Db, hostId: number, fromMs: number, toMs: number, downEvery = 0) {
  let i = 0;
  for (let t = fromMs; t < toMs; t += 10 * 60_000, i++) {
    const up = !(downEvery > 0 && i % downEvery === 0);
    await insertStatuses(db, new Date(t), [
      { hostId, isUp: up, latencyMs: up ? 1 + (i % 3) : null, method: "fping" },
    ]);
  }
  return i;
}

Deno.test("the roll-up cutoff is rawDays back, on a whole UTC day (a day partition)", () => {
  assert.equal(rollupCutoff(NOW + 25 * 60_000, 7).toISOString(), "2026-01-13T00:00:00.000Z");
  assert.equal(rollupCutoff(NOW, 1).toISOString(), "2026-01-19T00:00:00.000Z");
});

Deno.test("uptimeRatio and seriesStep", () => {
  assert.equal(uptimeRatio(0, 0), null);
  assert.equal(uptimeRatio(4, 3), 0.75);
  assert.equal(seriesStep(0, DAY), 60);
  assert.equal(seriesStep(0, 7 * DAY), 900);
  assert.equal(seriesStep(0, DAY, 3600), 3600);
  assert.throws(() => seriesStep(DAY, 0), /`to` must be after `from`/);
  assert.throws(() => seriesStep(0, 7 * DAY, 60), /more than 2000 points; use step >= 303/);
});

dbTest(
  "roll-up keeps counts and latency exact, drops raw day partitions, and is idempotent",
  async (db) => {
    const hostId = await hostIn(db);
    // 10 days of samples, one in six down: 2.5 days lie before the cutoff (7 raw days, whole
    // days). Partitions exist for the first 8 days; the last days' rows wait in the default.
    const start = NOW - 10 * DAY;
    await ensureHistoryPartitions(db, start);
    const total = await samples(db, hostId, start, NOW, 6);
    const before7d = await hostUptime(db, hostId, NOW);
    const seriesBefore = await statusSeries(db, hostId, new Date(start), new Date(NOW), 3600);

    const res = await rollUp(db, { now: NOW, rawDays: 7 });
    assert.equal(res.cutoff, "2026-01-13T00:00:00.000Z");
    assert.equal(res.rawRows, 60 * 6);
    assert.equal(res.hourlyRows, 60);
    assert.deepEqual(res.partitions, [
      "host_status_p20260110",
      "host_status_p20260111",
      "host_status_p20260112",
    ]);
    const [raw] = await db.query<{ n: number }>(`select count(*)::int as n from host_status`);
    assert.equal(raw.n, total - 60 * 6);

    // Uptime and an hour-stepped series read the same before and after.
    assert.deepEqual(await hostUptime(db, hostId, NOW), before7d);
    const seriesAfter = await statusSeries(db, hostId, new Date(start), new Date(NOW), 3600);
    assert.equal(seriesAfter.length, 240);
    for (const [i, b] of seriesAfter.entries()) {
      const a = seriesBefore[i];
      assert.equal(b.ts, a.ts);
      assert.equal(b.samples, a.samples);
      assert.equal(b.up_samples, a.up_samples);
      assert.equal(b.min_latency_ms, a.min_latency_ms);
      assert.equal(b.max_latency_ms, a.max_latency_ms);
      assert.ok(Math.abs((b.avg_latency_ms ?? 0) - (a.avg_latency_ms ?? 0)) < 1e-9);
    }

    const [hour] = await db.query<Record<string, unknown>>(
      `select samples, up_samples, up_ratio, latency_samples, min_latency_ms, max_latency_ms
     from host_status_hourly where hour = $1`,
      [new Date(start)],
    );
    // Samples 0..5 of the first hour: sample 0 down, latencies 2,3,1,2,3.
    assert.deepEqual(hour, {
      samples: 6,
      up_samples: 5,
      up_ratio: 5 / 6,
      latency_samples: 5,
      min_latency_ms: 1,
      max_latency_ms: 3,
    });

    const again = await rollUp(db, { now: NOW, rawDays: 7 });
    assert.equal(again.rawRows, 0);
    assert.deepEqual(again.partitions, []);
    assert.deepEqual(await hostUptime(db, hostId, NOW), before7d);
  },
);

dbTest("late raw rows merge into an existing hour with weighted averages", async (db) => {
  const hostId = await hostIn(db);
  const hour = NOW - 8 * DAY;
  await insertStatuses(db, new Date(hour + 60_000), [
    { hostId, isUp: true, latencyMs: 2, method: "fping" },
  ]);
  await rollUp(db, { now: NOW, rawDays: 7 });
  await insertStatuses(db, new Date(hour + 120_000), [
    { hostId, isUp: true, latencyMs: 8, method: "fping" },
  ]);
  await insertStatuses(db, new Date(hour + 180_000), [
    { hostId, isUp: false, latencyMs: null, method: "fping" },
  ]);
  await rollUp(db, { now: NOW, rawDays: 7 });
  const rows = await db.query<Record<string, unknown>>(
    `select samples, up_samples, up_ratio, latency_samples, min_latency_ms, avg_latency_ms,
            max_latency_ms from host_status_hourly where host_id = $1`,
    [hostId],
  );
  assert.deepEqual(rows, [{
    samples: 3,
    up_samples: 2,
    up_ratio: 2 / 3,
    latency_samples: 2,
    min_latency_ms: 2,
    avg_latency_ms: 5,
    max_latency_ms: 8,
  }]);
});

dbTest("uptime over 24 h and 7 d drops with down samples", async (db) => {
  const hostId = await hostIn(db);
  await samples(db, hostId, NOW - 7 * DAY, NOW - DAY); // all up
  await samples(db, hostId, NOW - DAY, NOW, 2); // half down in the last day
  const u = await hostUptime(db, hostId, NOW);
  assert.equal(u.uptime_24h.samples, 144);
  assert.equal(u.uptime_24h.up_samples, 72);
  assert.equal(u.uptime_24h.ratio, 0.5);
  assert.equal(u.uptime_7d.samples, 7 * 144);
  assert.equal(u.uptime_7d.ratio, (6 * 144 + 72) / (7 * 144));
  assert.equal(u.uptime_24h.to, new Date(NOW).toISOString());
});
