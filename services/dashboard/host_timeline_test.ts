import assert from "node:assert/strict";
import { dbTest } from "@/tests/support/test_db.ts";
import { AppError } from "@/services/errors.ts";
import { audit } from "@/services/auth/mod.ts";
import { hostTimeline } from "./host_timeline.ts";

const T = (m: number) => new Date(Date.UTC(2026, 0, 20, 12, m));

dbTest(
  "hostTimeline merges first seen, audit, events, indicators and actions, paged",
  async (db) => {
    const [{ id }] = await db.query<{ id: number }>(
      `insert into host (ip, hostname, first_seen_at, discovered)
     values ('198.51.100.10', 'web-1', $1, true) returning id`,
      [T(0)],
    );
    const hostId = Number(id);
    const [{ id: other }] = await db.query<{ id: number }>(
      `insert into host (ip) values ('198.51.100.11') returning id`,
    );
    await db.query(
      `insert into host_event (host_id, ts, kind, detail) values
       ($1, $2, 'down', '{}'), ($1, $3, 'up', '{}'),
       ($1, $4, 'port_opened', '{"port":22,"proto":"tcp"}'), ($5, $3, 'up', '{}')`,
      [hostId, T(10), T(20), T(30), Number(other)],
    );
    await audit(db, {
      username: "alice",
      action: `PATCH /api/v1/hosts/${hostId}`,
      detail: { summary: "edited host 198.51.100.10" },
    });
    await db.query(`update audit_log set ts = $1`, [T(40)]);
    // A path of another host whose id starts with the same digits stays out.
    await audit(db, { username: "bob", action: `PATCH /api/v1/hosts/${hostId}0` });
    await db.query(`update audit_log set ts = $1 where username = 'bob'`, [T(41)]);
    const [{ id: ind }] = await db.query<{ id: number }>(
      `insert into indicator (host_id, name, value_num, unit, status)
     values ($1, 'disk_used', 93, '%', 'critical') returning id`,
      [hostId],
    );
    await db.query(
      `insert into indicator_history (indicator_id, ts, value_num, status) values ($1, $2, 93, 'critical')`,
      [ind, T(50)],
    );
    await db.query(
      `insert into action_run (action_name, host_id, target, argv, username, status, created_at)
     values ('restart nginx', $1, '198.51.100.10', '{}', 'alice', 'succeeded', $2)`,
      [hostId, T(60)],
    );

    const all = await hostTimeline(db, hostId, { limit: 100 });
    assert.deepEqual(all.items.map((i) => [i.source, i.kind, i.summary, i.username]), [
      ["action", "succeeded", "restart nginx", "alice"],
      ["indicator", "critical", "disk_used 93 %", null],
      ["audit", "edit", "edited host 198.51.100.10", "alice"],
      ["event", "port_opened", "opened a port 22/tcp", null],
      ["event", "up", "came up", null],
      ["event", "down", "went down", null],
      ["first_seen", "discovered", "first seen at 198.51.100.10", null],
    ]);
    assert.equal(all.next_cursor, null);

    // Pages of 3 walk the same list without gaps or repeats.
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 5; i++) {
      const page = await hostTimeline(db, hostId, { limit: 3, cursor });
      seen.push(...page.items.map((x) => `${x.source}.${x.ref_id}`));
      if (!page.next_cursor) break;
      cursor = page.next_cursor;
    }
    assert.deepEqual(seen, all.items.map((x) => `${x.source}.${x.ref_id}`));

    await assert.rejects(() => hostTimeline(db, hostId, { cursor: "nope" }), AppError);
    await assert.rejects(() => hostTimeline(db, 999_999), AppError);
  },
);
