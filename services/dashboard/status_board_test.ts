// The status board on both engines: counts per subnet (children inside parents), the down list
// ordered by last answer with its last latency from history, paging, totals.
import assert from "node:assert/strict";
import { dbTest } from "@/tests/support/test_db.ts";
import { hostStateKey } from "@/services/ipam/mod.ts";
import { loadStatusBoard } from "./status_board.ts";
import { openKvStateStore } from "@/services/store/mod.ts";

dbTest("status board: per-subnet up/down/unknown and the down list", async (db) => {
  const kv = await openKvStateStore(":memory:");
  try {
    const [{ id: lan }] = await db.query<{ id: number }>(
      `insert into subnet (cidr, name) values ('198.51.100.0/24', 'lan') returning id`,
    );
    const [{ id: child }] = await db.query<{ id: number }>(
      `insert into subnet (cidr, parent_id) values ('198.51.100.128/25', $1) returning id`,
      [lan],
    );
    await db.query(`insert into subnet (cidr) values ('203.0.113.0/24')`);
    const ids: Record<string, number> = {};
    for (
      const [ip, sid] of [
        ["198.51.100.10", lan],
        ["198.51.100.11", lan],
        ["198.51.100.12", lan],
        ["198.51.100.200", child],
        ["198.51.100.201", child],
      ] as const
    ) {
      const [{ id }] = await db.query<{ id: number }>(
        `insert into host (ip, subnet_id, hostname) values ($1::inet, $2, $3) returning id`,
        [ip, sid, `h${ip.split(".")[3]}`],
      );
      ids[ip] = id;
    }
    const now = 1_800_000_000_000;
    const put = (ip: string, up: boolean, lastSeen: number | null) =>
      kv.set(hostStateKey(ip), {
        up,
        latency_ms: up ? 0.7 : null,
        since: now - 1000,
        last_seen: lastSeen,
        method: "fping",
        checked_at: now,
      });
    await put("198.51.100.10", true, now);
    await put("198.51.100.11", false, now - 600_000); // down, last answered 10 min ago
    await put("198.51.100.200", false, now - 60_000); // down, last answered 1 min ago
    await put("198.51.100.201", false, null); // never answered
    await put("198.51.100.99", false, null); // a state without a host: not listed
    // History: .11 last answered in 2.5 ms (an older answer at 9 ms).
    await db.query(
      `insert into host_status (host_id, ts, is_up, latency_ms, method) values
       ($1, $2, true, 9, 'fping'), ($1, $3, true, 2.5, 'fping'), ($1, $4, false, null, 'fping')`,
      [
        ids["198.51.100.11"],
        new Date(now - 900_000),
        new Date(now - 600_000),
        new Date(now - 300_000),
      ],
    );

    const board = await loadStatusBoard(db, kv, { subnetLimit: 10, downLimit: 10 });
    assert.deepEqual(board.totals, { subnets: 3, hosts: 5, up: 1, down: 3, unknown: 1 });
    assert.deepEqual(
      board.subnets.map((s) => [s.cidr, s.hosts, s.up, s.down, s.unknown]),
      [
        ["198.51.100.0/24", 5, 1, 3, 1],
        ["198.51.100.128/25", 2, 0, 2, 0],
        ["203.0.113.0/24", 0, 0, 0, 0],
      ],
    );
    assert.deepEqual(
      board.down.map((d) => [d.ip, d.last_seen, d.last_latency_ms, d.name]),
      [
        ["198.51.100.200", now - 60_000, null, "h200"],
        ["198.51.100.11", now - 600_000, 2.5, "h11"],
        ["198.51.100.201", null, null, "h201"],
      ],
    );
    assert.equal(board.downTotal, 3);

    const page2 = await loadStatusBoard(db, kv, { subnetLimit: 1, downLimit: 2, downOffset: 2 });
    assert.deepEqual(page2.down.map((d) => d.ip), ["198.51.100.201"]);
    assert.equal(page2.downTotal, 3);
    assert.deepEqual(page2.subnets.map((s) => s.cidr), ["198.51.100.0/24"]);
    assert.equal(page2.totals.subnets, 3);
  } finally {
    await kv.close();
  }
});
