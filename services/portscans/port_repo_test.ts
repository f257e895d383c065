import assert from "node:assert/strict";
import { dbTest } from "@/tests/support/test_db.ts";
import type { Db } from "@/services/store/mod.ts";
import type { PortObservation } from "./port_diff.ts";
import { HOST_EVENT_KINDS } from "@/services/sweeps/mod.ts";
import {
  currentPorts,
  insertPortScan,
  lastPortScanTimes,
  listPortScans,
  type NewPortScan,
  portSnapshots,
} from "./port_repo.ts";
import { type SnapshotInput, storeHostSnapshot } from "./port_snapshot.ts";
import { listServices, portStats, serviceLocations } from "./port_stats_repo.ts";
import { readNmapRunInfo } from "./nmap_coverage.ts";
import { nmapReport } from "@/tests/support/nmap_fixture.ts";

const T0 = Date.UTC(2026, 0, 10, 12);

async function host(db: Db, ip: string, hostname: string | null = null): Promise<number> {
  const [{ id }] = await db.query<{ id: number }>(
    `insert into host (ip, hostname) values ($1, $2) returning id`,
    [ip, hostname],
  );
  return Number(id);
}

const port = (n: number, over: Partial<PortObservation> = {}): PortObservation => ({
  port: n,
  proto: "tcp",
  state: "open",
  service: "svc",
  product: "",
  version: "",
  probed: false,
  ...over,
});

function snap(
  hostId: number,
  at: number,
  ports: PortObservation[],
  over: Partial<SnapshotInput> = {},
) {
  const scan: SnapshotInput["scan"] = {
    startedAt: at,
    finishedAt: at + 5000,
    args: ["-Pn", "-sT"],
    trigger: "schedule",
    batchId: crypto.randomUUID(),
    batchSize: 1,
    instance: "test",
    taskId: null,
  };
  return { hostId, target: "x", ports, coverage: null, scan, ...over } satisfies SnapshotInput;
}

async function events(db: Db, hostId: number) {
  return await db.query<{ kind: string; detail: Record<string, unknown> }>(
    `select kind, detail from host_event where host_id = $1 order by id`,
    [hostId],
  );
}

dbTest("the migration lets host_event hold port kinds next to discovery's own", async (db) => {
  const id = await host(db, "198.51.100.10");
  for (const kind of HOST_EVENT_KINDS) {
    await db.query(`insert into host_event (host_id, ts, kind) values ($1, now(), $2)`, [id, kind]);
  }
  await assert.rejects(
    db.query(`insert into host_event (host_id, ts, kind) values ($1, now(), 'port_exploded')`, [
      id,
    ]),
    /check constraint/,
  );
});

dbTest(
  "snapshots: baseline without events, then opened/closed, current marks the latest",
  async (db) => {
    const id = await host(db, "198.51.100.10");
    const first = await storeHostSnapshot(db, snap(id, T0, [port(22), port(80)]));
    assert.ok(first);
    assert.equal(first.baseline, true);
    assert.equal(first.scan.open_ports, 2);
    assert.deepEqual(await events(db, id), []);

    const second = await storeHostSnapshot(db, snap(id, T0 + 3600_000, [port(22), port(443)]));
    assert.ok(second);
    assert.equal(second.baseline, false);
    assert.equal(second.scan.changes, 2);
    const ev = await events(db, id);
    assert.deepEqual(ev.map((e) => `${e.kind} ${e.detail.port}`), [
      "port_closed 80",
      "port_opened 443",
    ]);
    assert.equal(ev[0].detail.scan_id, second.scan.id);

    const current = await currentPorts(db, id);
    assert.deepEqual(current.map((p) => p.port), [22, 443]);
    assert.ok(current.every((p) => p.current && p.scan_id === second.scan.id));
    assert.equal(current[0].scanned_at, new Date(T0 + 3600_000 + 5000).toISOString());
    // Old rows stay as history, no longer current.
    const [{ n }] = await db.query<{ n: number }>(
      `select count(*)::int as n from host_open_port where host_id = $1 and not current`,
      [id],
    );
    assert.equal(n, 2);

    const history = await portSnapshots(db, id, { limit: 1 });
    assert.equal(history.items.length, 1);
    assert.equal(history.items[0].id, second.scan.id);
    assert.deepEqual(history.items[0].ports.map((p) => p.port), [22, 443]);
    assert.ok(history.next_cursor);
    const older = await portSnapshots(db, id, { limit: 1, beforeId: Number(history.next_cursor) });
    assert.deepEqual(older.items[0].ports.map((p) => [p.port, p.current]), [[22, false], [
      80,
      false,
    ]]);
    assert.equal(older.next_cursor, null);
  },
);

dbTest("a narrower scan keeps the ports it did not cover current", async (db) => {
  const id = await host(db, "198.51.100.10");
  await storeHostSnapshot(db, snap(id, T0, [port(22), port(8080)]));
  const narrow = readNmapRunInfo(nmapReport([], { tcp: "8080" })).coverage;
  const res = await storeHostSnapshot(
    db,
    snap(id, T0 + 60_000, [port(8080, { state: "closed" })], { coverage: narrow }),
  );
  assert.deepEqual(res?.changes.map((c) => `${c.kind} ${c.port}`), ["port_closed 8080"]);
  const current = await currentPorts(db, id);
  assert.deepEqual(current.map((p) => `${p.port} ${p.state}`), ["22 open", "8080 closed"]);
  assert.notEqual(current[0].scan_id, current[1].scan_id);
});

dbTest("hostile banners and hostnames are stored and returned verbatim", async (db) => {
  const hostile = `<script>alert("x")</script>' OR '1'='1 \\ ${"A".repeat(5000)} ünï €`;
  const id = await host(db, "198.51.100.10", `<img src=x onerror="alert(1)">'"`);
  await storeHostSnapshot(
    db,
    snap(id, T0, [
      port(80, {
        service: `<b>"http"</b>`,
        product: hostile,
        version: `1.0"; drop table host; --`,
      }),
    ]),
  );
  const [p] = await currentPorts(db, id);
  assert.equal(p.service, `<b>"http"</b>`);
  assert.equal(p.product, hostile);
  assert.equal(p.version, `1.0"; drop table host; --`);
  const where = await serviceLocations(db, { service: `<b>"http"</b>`, limit: 10 });
  assert.equal(where.items.length, 1);
  assert.equal(where.items[0].hostname, `<img src=x onerror="alert(1)">'"`);
  assert.equal(where.items[0].product, hostile);
  const services = await listServices(db, { limit: 10 });
  assert.deepEqual(services.items.map((s) => s.service), [`<b>"http"</b>`]);
  assert.deepEqual(services.items[0].products, [hostile]);
});

dbTest(
  "run records: failures, paging, last scan times, host deletion keeps the log",
  async (db) => {
    const a = await host(db, "198.51.100.10");
    const b = await host(db, "198.51.100.11");
    const base: Omit<NewPortScan, "hostId" | "target" | "startedAt" | "finishedAt"> = {
      args: ["-Pn", "-sT"],
      status: "failed",
      error: "nmap timed out",
      trigger: "schedule",
      batchId: null,
      batchSize: 2,
      openPorts: 0,
      changes: 0,
      instance: "i1",
      taskId: null,
    };
    const s1 = await insertPortScan(db, {
      ...base,
      hostId: a,
      target: "198.51.100.10",
      startedAt: T0,
      finishedAt: T0 + 1500,
    });
    assert.deepEqual(s1.args, ["-Pn", "-sT"]);
    assert.equal(s1.duration_ms, 1500);
    assert.equal(s1.status, "failed");
    await storeHostSnapshot(db, snap(b, T0 + 1000, [port(22)]));
    await storeHostSnapshot(db, snap(a, T0 + 2000, [port(22)]));

    const times = await lastPortScanTimes(db, [a, b, 999]);
    assert.equal(times.get(a), T0 + 2000);
    assert.equal(times.get(b), T0 + 1000);
    assert.equal(times.has(999), false);

    const page1 = await listPortScans(db, { limit: 2 });
    assert.equal(page1.items.length, 2);
    const page2 = await listPortScans(db, { limit: 2, beforeId: Number(page1.next_cursor) });
    assert.deepEqual(page2.items.map((s) => s.id), [s1.id]);
    assert.equal(page2.next_cursor, null);
    assert.deepEqual(
      (await listPortScans(db, { limit: 10, status: "failed" })).items.map((s) => s.id),
      [s1.id],
    );
    assert.equal((await listPortScans(db, { limit: 10, hostId: b })).items.length, 1);

    await db.query(`delete from host where id = $1`, [a]);
    const kept = await listPortScans(db, { limit: 10, status: "failed" });
    assert.equal(kept.items[0].host_id, null);
    assert.equal(kept.items[0].target, "198.51.100.10");
    const [{ n }] = await db.query<{ n: number }>(
      `select count(*)::int as n from host_open_port where host_id = $1`,
      [a],
    );
    assert.equal(n, 0);
    // A snapshot for a host deleted meanwhile stores nothing.
    assert.equal(await storeHostSnapshot(db, snap(a, T0 + 9000, [port(22)])), null);
  },
);

dbTest("stats and services count hosts per open port and service", async (db) => {
  const ids = [
    await host(db, "198.51.100.10"),
    await host(db, "198.51.100.11"),
    await host(db, "198.51.100.12"),
  ];
  await storeHostSnapshot(
    db,
    snap(ids[0], T0, [
      port(22, { service: "ssh", product: "OpenSSH" }),
      port(80, { service: "http", product: "nginx" }),
    ]),
  );
  await storeHostSnapshot(
    db,
    snap(ids[1], T0, [
      port(22, { service: "ssh", product: "Dropbear" }),
      port(8080, { service: "http" }),
      port(25, { state: "filtered", service: "smtp" }),
    ]),
  );
  await storeHostSnapshot(db, snap(ids[2], T0, [port(22, { service: "ssh" })]));
  const stats = await portStats(db, { since: new Date(T0 - 1000), top: 2 });
  assert.equal(stats.hosts, 3);
  assert.equal(stats.open_ports, 5);
  assert.equal(stats.hosts_with_open_ports, 3);
  assert.equal(stats.scans.portscans_total, 3);
  assert.equal(stats.scans.portscans_24h, 3);
  assert.equal(stats.scans.last_portscan_at, new Date(T0 + 5000).toISOString());
  assert.deepEqual(stats.top_open_ports, [
    { port: 22, proto: "tcp", service: "ssh", hosts: 3 },
    { port: 80, proto: "tcp", service: "http", hosts: 1 },
  ]);
  assert.deepEqual(stats.top_services, [
    { service: "ssh", hosts: 3, open_ports: 3 },
    { service: "http", hosts: 2, open_ports: 2 },
  ]);

  const first = await listServices(db, { limit: 1 });
  assert.deepEqual(first.items, [{
    service: "ssh",
    hosts: 3,
    open_ports: 3,
    ports: [22],
    products: ["Dropbear", "OpenSSH"],
  }]);
  const second = await listServices(db, { limit: 5, cursor: first.next_cursor! });
  assert.deepEqual(second.items.map((s) => [s.service, s.ports]), [["http", [80, 8080]]]);
  assert.equal(second.next_cursor, null);

  const where = await serviceLocations(db, { service: "ssh", limit: 2 });
  assert.deepEqual(where.items.map((l) => l.ip), ["198.51.100.10", "198.51.100.11"]);
  const rest = await serviceLocations(db, { service: "ssh", limit: 2, cursor: where.next_cursor! });
  assert.deepEqual(rest.items.map((l) => l.ip), ["198.51.100.12"]);
  assert.deepEqual(
    (await serviceLocations(db, { port: 8080, limit: 10 })).items.map((l) => l.host_id),
    [ids[1]],
  );
});
