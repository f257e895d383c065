import { openKvStateStore } from "@/services/store/mod.ts";
import assert from "node:assert/strict";
import { dbTest } from "@/tests/support/test_db.ts";
import type { Db } from "@/services/store/mod.ts";
import { applyResults } from "./apply_results.ts";
import { knownHostsIn } from "@/services/ipam/mod.ts";
import { createLiveHub, type LiveEvent } from "@/services/jobs/mod.ts";
import { readStates } from "./state_store.ts";
import type { SweepHostResult } from "./sweeper.ts";

const T0 = Date.UTC(2026, 0, 20, 12, 0, 0);

const res = (
  ip: string,
  up: boolean,
  latencyMs: number | null = up ? 0.5 : null,
): SweepHostResult => ({
  ip,
  up,
  latencyMs,
  method: "fping",
});

async function setup(db: Db) {
  await db.query(
    `insert into subnet (cidr, scan_enabled) values ('198.51.100.0/24', true), ('198.51.100.0/26', false)`,
  );
  // One annotated host that is known before any sweep.
  await db.query(`insert into host (ip, subnet_id, description)
    values ('198.51.100.200', (select id from subnet where cidr = '198.51.100.0/24'), 'printer')`);
}

async function known(db: Db) {
  return new Map((await knownHostsIn(db, "198.51.100.0/24")).map((h) => [h.ip, h]));
}

async function count(db: Db, sql: string, params: unknown[] = []): Promise<number> {
  const [r] = await db.query<{ n: number }>(sql, params as never[]);
  return Number(r.n);
}

dbTest(
  "a sweep discovers alive hosts, stores no dead unknowns, and records flips once",
  async (db) => {
    await using kv = await openKvStateStore(":memory:");
    const hub = createLiveHub();
    const published: LiveEvent[] = [];
    hub.subscribe((e) => published.push(e));
    await setup(db);

    const sweep1 = [
      res("198.51.100.10", true, 0.3),
      res("198.51.100.70", true, 0.4),
      res("198.51.100.11", false), // never used, dead: no trace
      res("198.51.100.200", true, 1.2),
    ];
    const first = await applyResults({ db, kv, live: hub }, {
      results: sweep1,
      ts: T0,
      known: await known(db),
      discover: true,
    });
    assert.equal(first.up, 3);
    assert.equal(first.down, 0);
    assert.deepEqual(first.discovered.map((h) => h.ip).sort(), ["198.51.100.10", "198.51.100.70"]);
    assert.equal(first.flips.length, 0);

    const hosts = await db.query<Record<string, unknown>>(
      `select host(ip) as ip, discovered, subnet_id = (select id from subnet where cidr = '198.51.100.0/26') as in_26,
            first_seen_at, last_seen_at
     from host order by host.ip`,
    );
    assert.deepEqual(hosts.map((h) => [h.ip, h.discovered, h.in_26]), [
      ["198.51.100.10", true, true], // most specific subnet
      ["198.51.100.70", true, false],
      ["198.51.100.200", false, false],
    ]);
    for (const h of hosts) {
      assert.equal((h.first_seen_at as Date).getTime(), T0);
      assert.equal((h.last_seen_at as Date).getTime(), T0);
    }
    assert.equal(await count(db, `select count(*) as n from host where ip = '198.51.100.11'`), 0);
    assert.equal(await count(db, `select count(*) as n from host_status`), 3);
    assert.deepEqual(
      (await db.query<{ kind: string }>(`select kind from host_event order by id`)).map((e) =>
        e.kind
      ),
      ["discovered", "discovered"],
    );
    const states = await readStates(kv, ["198.51.100.10", "198.51.100.11", "198.51.100.200"]);
    assert.deepEqual([...states.keys()].sort(), ["198.51.100.10", "198.51.100.200"]);
    assert.deepEqual(states.get("198.51.100.10"), {
      up: true,
      latency_ms: 0.3,
      since: T0,
      last_seen: T0,
      method: "fping",
      checked_at: T0,
    });
    assert.equal(published.length, 1);
    const changes = published[0].type === "hosts" ? published[0].changes : [];
    assert.deepEqual(changes.map((c) => [c.ip, c.up, c.prev_up]).sort(), [
      ["198.51.100.10", true, null],
      ["198.51.100.200", true, null],
      ["198.51.100.70", true, null],
    ]);

    // Second sweep: .10 is gone; nothing else changes.
    const t1 = T0 + 60_000;
    const second = await applyResults({ db, kv, live: hub }, {
      results: [
        res("198.51.100.10", false),
        res("198.51.100.70", true, 0.6),
        res("198.51.100.200", true, 1.1),
      ],
      ts: t1,
      known: await known(db),
      discover: true,
    });
    assert.equal(second.up, 2);
    assert.equal(second.down, 1);
    assert.deepEqual(second.flips.map((f) => f.ip), ["198.51.100.10"]);
    const events = await db.query<{ kind: string; ip: string; detail: Record<string, unknown> }>(
      `select e.kind, host(h.ip) as ip, e.detail from host_event e join host h on h.id = e.host_id
     where e.kind in ('up', 'down')`,
    );
    assert.deepEqual(events, [{
      kind: "down",
      ip: "198.51.100.10",
      detail: { method: "fping", latency_ms: null, after_s: 60 },
    }]);
    const rows = await db.query<{ is_up: boolean; latency_ms: number | null; ts: Date }>(
      `select s.is_up, s.latency_ms, s.ts from host_status s join host h on h.id = s.host_id
     where h.ip = '198.51.100.10' order by s.ts`,
    );
    assert.deepEqual(rows.map((r) => [r.is_up, r.latency_ms, r.ts.getTime()]), [
      [true, 0.3, T0],
      [false, null, t1],
    ]);
    const down = (await readStates(kv, ["198.51.100.10"])).get("198.51.100.10");
    assert.deepEqual(down, {
      up: false,
      latency_ms: null,
      since: t1,
      last_seen: T0,
      method: "fping",
      checked_at: t1,
    });
    const [seen] = await db.query<{ last_seen_at: Date }>(
      `select last_seen_at from host where ip = '198.51.100.10'`,
    );
    assert.equal(seen.last_seen_at.getTime(), T0, "a down host keeps its last seen time");

    // Third sweep, same verdicts: rows appended, no new events.
    await applyResults({ db, kv }, {
      results: [res("198.51.100.10", false), res("198.51.100.70", true)],
      ts: t1 + 60_000,
      known: await known(db),
      discover: true,
    });
    assert.equal(await count(db, `select count(*) as n from host_event`), 3);
    assert.equal(await count(db, `select count(*) as n from host_status`), 8);
  },
);

dbTest(
  "a host ping never discovers, and a host created meanwhile is not duplicated",
  async (db) => {
    await using kv = await openKvStateStore(":memory:");
    await setup(db);
    const out = await applyResults({ db, kv }, {
      results: [res("198.51.100.9", true)],
      ts: T0,
      known: new Map(),
      discover: false,
    });
    assert.equal(out.discovered.length, 0);
    assert.equal(await count(db, `select count(*) as n from host where ip = '198.51.100.9'`), 0);

    // The plan saw no host at .200's neighbour .201, but someone created it before we insert.
    await db.query(`insert into host (ip) values ('198.51.100.201')`);
    const raced = await applyResults({ db, kv }, {
      results: [res("198.51.100.201", true)],
      ts: T0,
      known: new Map(),
      discover: true,
    });
    assert.equal(raced.discovered.length, 0, "not created by us, so no discovered event");
    assert.equal(raced.up, 1);
    assert.equal(await count(db, `select count(*) as n from host where ip = '198.51.100.201'`), 1);
    assert.equal(await count(db, `select count(*) as n from host_status`), 1);
  },
);
