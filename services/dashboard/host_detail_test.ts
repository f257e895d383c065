import { openKvStateStore } from "@/services/store/mod.ts";
import assert from "node:assert/strict";
import { dbTest } from "@/tests/support/test_db.ts";
import { AppError } from "@/services/errors.ts";
import { loadHostDetail } from "./host_detail.ts";
import { hostStateKey, insertEvents, insertStatuses, rollUp } from "@/services/sweeps/mod.ts";
import { storeHostSnapshot } from "@/services/portscans/mod.ts";

const NOW = Date.UTC(2026, 0, 20, 12, 7); // 12:07, inside the 12:00–12:15 bucket
const MIN = 60_000;

dbTest(
  "loadHostDetail gathers host, state, ports, events, uptime and a 96-point sparkline",
  async (db) => {
    const kv = await openKvStateStore(":memory:");
    try {
      const [{ id }] = await db.query<{ id: number }>(
        `insert into host (ip, hostname) values ('198.51.100.10', 'web-1') returning id`,
      );
      const hostId = Number(id);
      // Up every minute for the last hour except 11:30–11:44 (down), latency 2 ms when up.
      for (let t = NOW - 60 * MIN; t <= NOW; t += MIN) {
        const down = t >= Date.UTC(2026, 0, 20, 11, 30) && t < Date.UTC(2026, 0, 20, 11, 45);
        await insertStatuses(db, new Date(t), [
          { hostId, isUp: !down, latencyMs: down ? null : 2, method: "fping" },
        ]);
      }
      // Ten days ago: rolled up into hourly rows by the discovery roll-up, outside both windows' 24 h.
      for (let t = NOW - 10 * 86_400_000; t < NOW - 10 * 86_400_000 + 60 * MIN; t += MIN) {
        await insertStatuses(db, new Date(t), [{
          hostId,
          isUp: true,
          latencyMs: 1,
          method: "fping",
        }]);
      }
      await rollUp(db, { now: NOW, rawDays: 7 });
      await kv.set(hostStateKey("198.51.100.10"), {
        up: true,
        latency_ms: 2,
        since: NOW - 20 * MIN,
        last_seen: NOW,
        method: "fping",
        checked_at: NOW,
      });
      const scan = {
        startedAt: NOW - 5 * MIN,
        finishedAt: NOW - 4 * MIN,
        args: ["-sT"],
        trigger: "schedule" as const,
        batchId: null,
        batchSize: 1,
        instance: null,
        taskId: null,
      };
      const port = { proto: "tcp", service: "http", product: "", version: "", probed: false };
      await storeHostSnapshot(db, {
        hostId,
        target: "198.51.100.10",
        coverage: null,
        ports: [{ ...port, port: 80, state: "open" }],
        scan: { ...scan, startedAt: NOW - 10 * MIN, finishedAt: NOW - 9 * MIN },
      });
      await storeHostSnapshot(db, {
        hostId,
        target: "198.51.100.10",
        coverage: null,
        ports: [{ ...port, port: 443, state: "open" }],
        scan,
      });
      for (let i = 0; i < 60; i++) {
        await insertEvents(db, new Date(NOW - (100 - i) * MIN), [
          { hostId, kind: i % 2 ? "up" : "down", detail: {} },
        ]);
      }

      const d = await loadHostDetail({ db, kv, now: () => NOW }, hostId);
      assert.equal(d.host.hostname, "web-1");
      assert.equal(d.state.status, "up");
      assert.equal(d.state.since, new Date(NOW - 20 * MIN).toISOString());
      assert.deepEqual(d.ports.map((p) => p.port), [443]);
      assert.equal(d.last_scan?.finished_at, new Date(NOW - 4 * MIN).toISOString());
      // Latest 50, newest first: the port events (newest) lead.
      assert.equal(d.events.length, 50);
      assert.deepEqual(d.events.slice(0, 2).map((e) => e.kind).sort(), [
        "port_closed",
        "port_opened",
      ]);

      assert.equal(d.uptime.h24.samples, 61);
      assert.equal(d.uptime.h24.up_samples, 46);
      assert.equal(d.uptime.d7.samples, 61);

      assert.equal(d.sparkline.length, 96);
      const last = d.sparkline.at(-1)!;
      assert.equal(last.t, new Date(Date.UTC(2026, 0, 20, 12, 0)).toISOString());
      assert.equal(last.up, 1);
      assert.equal(last.latency_ms, 2);
      const at = (h: number, m: number) =>
        d.sparkline.find((p) => p.t === new Date(Date.UTC(2026, 0, 20, h, m)).toISOString())!;
      assert.equal(at(11, 30).up, 0);
      assert.equal(at(11, 30).latency_ms, null);
      assert.equal(at(11, 15).up, 1);
      assert.equal(at(10, 0).up, null, "no sweeps then");
      assert.equal(d.sparkline[0].t, new Date(Date.UTC(2026, 0, 19, 12, 15)).toISOString());

      await assert.rejects(
        loadHostDetail({ db, kv, now: () => NOW }, 9999),
        (e) => e instanceof AppError && e.status === 404,
      );
      const empty = await db.query<{ id: number }>(
        `insert into host (ip) values ('198.51.100.11') returning id`,
      );
      const bare = await loadHostDetail({ db, kv, now: () => NOW }, Number(empty[0].id));
      assert.equal(bare.state.status, "unknown");
      assert.deepEqual(bare.ports, []);
      assert.equal(bare.last_scan, null);
      assert.equal(bare.uptime.h24.ratio, null);
      assert.ok(bare.sparkline.every((p) => p.up === null));
    } finally {
      kv.close();
    }
  },
);
