import assert from "node:assert/strict";
import postgres from "postgres";
import { dbTest, type Engine, ENGINES, TEST_DATABASE_URL } from "@/tests/support/test_db.ts";
import {
  type Db,
  dropHistoryBefore,
  ensureHistoryPartitions,
  loadMigrations,
  migrate,
  openPostgres,
  periodStart,
  PGlite,
  pgliteDb,
  pgliteParsers,
} from "./mod.ts";

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 0, 20, 12, 0, 0);

/** The partitions of `table`, names without schema, in bound order. */
async function partitions(db: Db, table: string): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    `select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
     where i.inhparent = to_regclass($1) order by c.relname`,
    [table],
  );
  return rows.map((r) => r.name);
}

/** The partition each row of `table` lives in, row by row in `order`. */
async function homes(db: Db, table: string, order: string): Promise<string[]> {
  const rows = await db.query<{ p: string }>(
    `select tableoid::regclass::text as p from ${table} order by ${order}`,
  );
  return rows.map((r) => r.p.replace(/^.*\./, ""));
}

async function host(db: Db): Promise<number> {
  await db.query(`insert into subnet (cidr) values ('198.51.100.0/24')`);
  const [{ id }] = await db.query<{ id: number }>(
    `insert into host (ip) values ('198.51.100.10') returning id`,
  );
  return id;
}

const status = (db: Db, hostId: number, ts: number) =>
  db.query(
    `insert into host_status (host_id, ts, is_up, latency_ms, method) values ($1, $2, true, 1, 'fping')`,
    [hostId, new Date(ts)],
  );

Deno.test("periodStart floors to the UTC day or month", () => {
  assert.equal(periodStart(new Date(NOW), "day").toISOString(), "2026-01-20T00:00:00.000Z");
  assert.equal(periodStart(new Date(NOW), "month").toISOString(), "2026-01-01T00:00:00.000Z");
});

dbTest("ensureHistoryPartitions creates a week of days and two months ahead, once", async (db) => {
  const created = await ensureHistoryPartitions(db, NOW);
  const days = Array.from({ length: 8 }, (_, i) => `host_status_p202601${20 + i}`);
  assert.deepEqual(await partitions(db, "host_status"), ["host_status_default", ...days]);
  assert.deepEqual(await partitions(db, "host_status_hourly"), [
    "host_status_hourly_default",
    "host_status_hourly_p202601",
    "host_status_hourly_p202602",
    "host_status_hourly_p202603",
  ]);
  for (const t of ["netflow_flow", "netflow_pair_minute", "netflow_port_minute"]) {
    assert.equal((await partitions(db, t)).length, 9, t);
  }
  assert.equal(created.length, 8 + 3 + 3 * 8);
  assert.deepEqual(await ensureHistoryPartitions(db, NOW), []);
  // An hour later nothing is new; a day later one more day per daily table.
  assert.deepEqual(await ensureHistoryPartitions(db, NOW + 3_600_000), []);
  assert.equal((await ensureHistoryPartitions(db, NOW + DAY)).length, 4);
});

dbTest(
  "inserts into the past and far future land, then move into their own partition",
  async (db) => {
    const hostId = await host(db);
    await ensureHistoryPartitions(db, NOW);
    // Before any partition, inside one, beyond the week ahead, and long past (older than a month).
    for (const ts of [NOW - 3 * DAY, NOW, NOW + 30 * DAY, NOW - 60 * DAY]) {
      await status(db, hostId, ts);
    }
    await db.query(
      `insert into host_status_hourly (host_id, hour, samples, up_samples, up_ratio)
     values ($1, $2, 1, 1, 1), ($1, $3, 1, 1, 1)`,
      [hostId, new Date(NOW - 3 * DAY), new Date(NOW - 400 * DAY)],
    );
    assert.deepEqual(await homes(db, "host_status", "ts"), [
      "host_status_default",
      "host_status_default",
      "host_status_p20260120",
      "host_status_default",
    ]);
    const before = await db.query(`select * from host_status order by ts`);

    // A week later the scheduler runs again: the rows of the last month get partitions of their
    // own; the one of 60 days back is older than that and waits for retention in the default.
    const created = await ensureHistoryPartitions(db, NOW + 7 * DAY);
    assert.ok(created.includes("host_status_p20260117"), created.join());
    assert.deepEqual(await homes(db, "host_status", "ts"), [
      "host_status_default",
      "host_status_p20260117",
      "host_status_p20260120",
      "host_status_p20260219",
    ]);
    assert.deepEqual(await db.query(`select * from host_status order by ts`), before);
    assert.deepEqual(await homes(db, "host_status_hourly", "hour"), [
      "host_status_hourly_default",
      "host_status_hourly_p202601",
    ]);

    // Retention: whole days before the cutoff go, and the straggler from the default.
    const dropped = await db.tx((tx) =>
      dropHistoryBefore(tx, "host_status", new Date(NOW + 3_600_000))
    );
    assert.deepEqual(dropped, { partitions: ["host_status_p20260117"], defaultRows: 1 });
    assert.deepEqual(await homes(db, "host_status", "ts"), [
      "host_status_p20260120",
      "host_status_p20260219",
    ]);
  },
);

dbTest("deleting a host still cascades into every partition", async (db) => {
  const hostId = await host(db);
  await ensureHistoryPartitions(db, NOW);
  await status(db, hostId, NOW);
  await status(db, hostId, NOW - 10 * DAY);
  await db.query(`delete from host where id = $1`, [hostId]);
  assert.deepEqual(await db.query(`select count(*)::int as n from host_status`), [{ n: 0 }]);
});

dbTest("time filters read only the partitions they need (EXPLAIN)", async (db) => {
  await ensureHistoryPartitions(db, NOW);
  const plan = async (sql: string) =>
    (await db.query<Record<string, string>>(`explain ${sql}`)).map((r) => Object.values(r)[0])
      .join("\n");
  const status = await plan(
    `select count(*) from host_status
     where host_id = 1 and ts >= '2026-01-21T00:00Z' and ts < '2026-01-21T06:00Z'`,
  );
  assert.match(status, /host_status_p20260121/);
  assert.doesNotMatch(status, /host_status_p20260120|host_status_default/);
  const flows = await plan(
    `select * from netflow_flow where end_at >= '2026-01-22T00:00Z' and end_at < '2026-01-24T00:00Z'
     order by end_at, id limit 10`,
  );
  assert.match(flows, /netflow_flow_p20260122/);
  assert.match(flows, /netflow_flow_p20260123/);
  assert.doesNotMatch(flows, /netflow_flow_p20260121|netflow_flow_p20260124|netflow_flow_default/);
  const minutes = await plan(
    `select sum(bytes) from netflow_pair_minute
     where minute >= '2026-01-20T10:00Z' and minute < '2026-01-20T11:00Z'`,
  );
  assert.match(minutes, /netflow_pair_minute_p20260120/);
  assert.doesNotMatch(minutes, /netflow_pair_minute_p20260121|netflow_pair_minute_default/);
});

/** A database migrated up to (not including) `version`, on its own schema or PGlite. */
async function openMigratedUpTo(
  engine: Engine,
  version: string,
): Promise<{ db: Db; pg?: PGlite; rest: () => Promise<string[]>; dispose: () => Promise<void> }> {
  const all = await loadMigrations();
  const before = all.filter((m) => m.version < version);
  if (engine === "pglite") {
    const pg = new PGlite("memory://", { parsers: pgliteParsers });
    await pg.waitReady;
    const db = pgliteDb(pg);
    await migrate(db, before);
    return { db, pg, rest: () => migrate(db, all), dispose: () => db.close() };
  }
  const schema = `t_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const admin = openPostgres(TEST_DATABASE_URL, { max: 1 });
  await admin.exec(`create schema ${schema}`);
  const db = openPostgres(TEST_DATABASE_URL, { schema, max: 2 });
  await migrate(db, before);
  return {
    db,
    rest: () => migrate(db, all),
    dispose: async () => {
      await db.close();
      await admin.exec(`drop schema ${schema} cascade`);
      await admin.close();
    },
  };
}

const FLOW_COLUMNS = `exporter, version, source_id, src_addr, dst_addr, src_port, dst_port,
  protocol, bytes, packets, start_at, end_at, input_if, output_if, tcp_flags`;

for (const engine of ENGINES) {
  Deno.test({
    name: `migration 0100 keeps every history row, in its own partition, ids kept [${engine}]`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const { db, pg, rest, dispose } = await openMigratedUpTo(engine, "0100");
      try {
        const hostId = await host(db);
        for (const ts of [NOW - 2 * DAY, NOW - DAY, NOW]) await status(db, hostId, ts);
        await db.query(
          `insert into host_status_hourly (host_id, hour, samples, up_samples, up_ratio)
           values ($1, $2, 6, 5, 0.8333), ($1, $3, 6, 6, 1)`,
          [hostId, new Date(NOW - 40 * DAY), new Date(NOW - DAY)],
        );
        for (const end of [NOW - DAY, NOW, NOW + 60_000]) {
          await db.query(
            `insert into netflow_flow (${FLOW_COLUMNS}) values ('198.51.100.1', 9, 1,
               '198.51.100.10', '203.0.113.5', 5000, 443, 6, 100, 2, $1, $1, 1, 2, 0)`,
            [new Date(end)],
          );
        }
        await db.query(
          `insert into netflow_pair_minute values ($1, '198.51.100.10', '203.0.113.5', 1, 1, 1)`,
          [new Date(NOW)],
        );
        await db.query(`insert into netflow_port_minute values ($1, 6, 443, 1, 1, 1)`, [
          new Date(NOW),
        ]);
        const snapshot = async () => ({
          status: await db.query(`select * from host_status order by ts`),
          hourly: await db.query(`select * from host_status_hourly order by hour`),
          flows: await db.query(`select * from netflow_flow order by id`),
          pairs: await db.query(`select * from netflow_pair_minute`),
          ports: await db.query(`select * from netflow_port_minute`),
        });
        const before = await snapshot();

        assert.ok((await rest()).includes("0100_history_partitions"));
        assert.deepEqual(await snapshot(), before);
        assert.deepEqual(await homes(db, "host_status", "ts"), [
          "host_status_p20260118",
          "host_status_p20260119",
          "host_status_p20260120",
        ]);
        assert.deepEqual(await homes(db, "host_status_hourly", "hour"), [
          "host_status_hourly_p202512",
          "host_status_hourly_p202601",
        ]);
        assert.deepEqual(await homes(db, "netflow_flow", "id"), [
          "netflow_flow_p20260119",
          "netflow_flow_p20260120",
          "netflow_flow_p20260120",
        ]);
        assert.deepEqual(await homes(db, "netflow_pair_minute", "minute"), [
          "netflow_pair_minute_p20260120",
        ]);
        // A new flow's id continues after the migrated ones; today's row has a home already.
        const [{ id }] = await db.query<{ id: number }>(
          `insert into netflow_flow (${FLOW_COLUMNS}) values ('198.51.100.1', 9, 1, null, null,
             0, 0, 1, 1, 1, $1, $1, 0, 0, 0) returning id`,
          [new Date(NOW + 1)],
        );
        assert.equal(id, 4);
        // The keys the writers' upserts rely on still hold on the partitioned tables.
        await db.query(
          `insert into host_status_hourly (host_id, hour, samples, up_samples, up_ratio)
           values ($1, $2, 1, 1, 1) on conflict (host_id, hour) do update set samples = 7`,
          [hostId, new Date(NOW - DAY)],
        );
        assert.deepEqual(
          await db.query(`select samples from host_status_hourly where hour = $1`, [
            new Date(NOW - DAY),
          ]),
          [{ samples: 7 }],
        );

        // Bulk loads into the partitioned parent route row by row too (the NetFlow COPY path).
        const csv = `198.51.100.1,9,1,,,0,0,17,1,1,${new Date(NOW - 5 * DAY).toISOString()},` +
          `${new Date(NOW - 5 * DAY).toISOString()},0,0,0\n`;
        if (pg) {
          await pg.query(
            `copy netflow_flow (${FLOW_COLUMNS}) from '/dev/blob' with (format csv)`,
            [],
            {
              blob: new Blob([csv]),
            },
          );
        } else {
          const [{ schema }] = await db.query<{ schema: string }>(
            `select current_schema() as schema`,
          );
          const sql = postgres(TEST_DATABASE_URL, {
            max: 1,
            onnotice: () => {},
            connection: { search_path: schema },
          });
          try {
            const w = await sql.unsafe(
              `copy netflow_flow (${FLOW_COLUMNS}) from stdin with (format csv)`,
            ).writable();
            await new Promise<void>((resolve, reject) => {
              w.on("error", reject);
              w.end(csv, () => resolve());
            });
            // The stream's end resolves before the server's reply; wait for the row.
            for (let i = 0; i < 50; i++) {
              const [{ n }] = await sql.unsafe(`select count(*)::int as n from netflow_flow`);
              if (n === 5) break;
              await new Promise((r) => setTimeout(r, 20));
            }
          } finally {
            await sql.end();
          }
        }
        assert.deepEqual(await homes(db, "netflow_flow", "end_at"), [
          "netflow_flow_default",
          "netflow_flow_p20260119",
          "netflow_flow_p20260120",
          "netflow_flow_p20260120",
          "netflow_flow_p20260120",
        ]);
      } finally {
        await dispose();
      }
    },
  });
}
