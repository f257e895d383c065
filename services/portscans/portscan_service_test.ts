import { openKvStateStore } from "@/services/store/mod.ts";
import assert from "node:assert/strict";
import { dbTest } from "@/tests/support/test_db.ts";
import { scriptedNmap } from "@/tests/support/nmap_fixture.ts";
import { testScope } from "@/tests/support/test_scope.ts";
import type { Db } from "@/services/store/mod.ts";
import { AppError } from "@/services/errors.ts";
import { createLiveHub, createProbeBudget, type LiveEvent } from "@/services/jobs/mod.ts";
import { currentPorts, listPortScans } from "./port_repo.ts";
import { type PortscanEnv, scanHosts, type ScanTarget } from "./portscan_service.ts";

const T0 = Date.UTC(2026, 0, 10, 12);

async function targets(db: Db, ips: string[]): Promise<ScanTarget[]> {
  const out: ScanTarget[] = [];
  for (const ip of ips) {
    const [{ id }] = await db.query<{ id: number }>(
      `insert into host (ip) values ($1) returning id`,
      [ip],
    );
    out.push({ id: Number(id), ip, subnet_id: null });
  }
  return out;
}

async function setup(db: Db, ips: string[], over: Partial<PortscanEnv> = {}) {
  const kv = await openKvStateStore(":memory:");
  const nmap = scriptedNmap();
  const clock = { now: T0 };
  const live = createLiveHub();
  const published: LiveEvent[] = [];
  live.subscribe((e) => published.push(e));
  const env: PortscanEnv = {
    db,
    kv,
    now: () => clock.now,
    runner: nmap.runner,
    live,
    instance: "test",
    args: ["-Pn", "-T3", "--top-ports", "1000", "-sT", "-sV"],
    isRoot: false,
    timeoutMs: 60_000,
    batchSize: 16,
    slots: createProbeBudget(2),
    scope: testScope,
    ...over,
  };
  return { env, nmap, clock, published, hosts: await targets(db, ips), close: () => kv.close() };
}

async function eventsOf(db: Db, hostId: number) {
  return (await db.query<{ kind: string; detail: Record<string, unknown> }>(
    `select kind, detail from host_event where host_id = $1 order by id`,
    [hostId],
  )).map((e) => `${e.kind} ${e.detail.proto}/${e.detail.port}`);
}

dbTest("one nmap run scans a batch; each host gets its own snapshot and run row", async (db) => {
  const s = await setup(db, ["198.51.100.10", "198.51.100.11", "198.51.100.12"]);
  try {
    s.nmap.script.set("198.51.100.10", { ports: [{ port: 22, service: "ssh" }] });
    s.nmap.script.set("198.51.100.11", { ports: [{ port: 80, service: "http" }] });
    s.nmap.script.set("198.51.100.12", { ports: [] });
    const out = await scanHosts(s.env, s.hosts, { trigger: "schedule" });
    assert.equal(s.nmap.calls.length, 1, "one nmap process for the batch");
    const argv = s.nmap.calls[0];
    assert.deepEqual(argv.slice(argv.indexOf("--") + 1), s.hosts.map((h) => h.ip));
    assert.deepEqual(argv.slice(0, 6), s.env.args);
    assert.deepEqual(out.map((o) => [o.scan.status, o.scan.open_ports, o.baseline]), [
      ["succeeded", 1, true],
      ["succeeded", 1, true],
      ["succeeded", 0, true],
    ]);
    assert.equal(new Set(out.map((o) => o.scan.batch_id)).size, 1);
    assert.ok(out.every((o) => o.scan.batch_size === 3 && o.scan.trigger === "schedule"));
    assert.deepEqual((await currentPorts(db, s.hosts[1].id)).map((p) => p.port), [80]);
    // Live listeners hear of each finished host scan.
    const runs = s.published.flatMap((e) => e.type === "run" ? [e.run] : []);
    assert.deepEqual(
      runs.map((r) => [r.host_id, r.method, r.status]),
      s.hosts.map((h) => [h.id, "nmap", "succeeded"]),
    );
    assert.deepEqual(runs.map((r) => r.id), out.map((o) => o.scan.id));

    // Next round: 22 closes on .10, 443 opens on .12, .11 unchanged.
    s.clock.now += 3600_000;
    s.nmap.script.set("198.51.100.10", { ports: [] });
    s.nmap.script.set("198.51.100.12", { ports: [{ port: 443, service: "https" }] });
    const again = await scanHosts(s.env, s.hosts, { trigger: "schedule" });
    assert.deepEqual(again.map((o) => o.changes.map((c) => c.kind)), [["port_closed"], [], [
      "port_opened",
    ]]);
    assert.deepEqual(await eventsOf(db, s.hosts[0].id), ["port_closed tcp/22"]);
    assert.deepEqual(await eventsOf(db, s.hosts[2].id), ["port_opened tcp/443"]);
  } finally {
    s.close();
  }
});

dbTest("version-detected service changes become service_changed events", async (db) => {
  const s = await setup(db, ["198.51.100.10"]);
  try {
    s.nmap.script.set("198.51.100.10", {
      ports: [{ port: 80, service: "http", product: "nginx", version: "1.24.0", method: "probed" }],
    });
    await scanHosts(s.env, s.hosts, { trigger: "schedule" });
    s.nmap.script.set("198.51.100.10", {
      ports: [{
        port: 80,
        service: "http",
        product: "Apache httpd",
        version: "2.4.62",
        method: "probed",
      }],
    });
    const [o] = await scanHosts(s.env, s.hosts, { trigger: "schedule" });
    assert.deepEqual(o.changes.map((c) => c.kind), ["service_changed"]);
    const [p] = await currentPorts(db, s.hosts[0].id);
    assert.equal(p.probed, true);
    assert.equal(p.product, "Apache httpd");
    // Without -sV nmap only guesses from the port number: no event, stored as not probed.
    s.nmap.script.set("198.51.100.10", { ports: [{ port: 80, service: "http" }] });
    const [plain] = await scanHosts(s.env, s.hosts, { trigger: "manual", args: ["-Pn", "-sT"] });
    assert.deepEqual(plain.changes, []);
    assert.equal((await currentPorts(db, s.hosts[0].id))[0].probed, false);
  } finally {
    s.close();
  }
});

dbTest(
  "a hostile banner in nmap's XML is stored verbatim (decoded, never interpreted)",
  async (db) => {
    const s = await setup(db, ["198.51.100.10"]);
    try {
      const product = `<script>alert('pf')</script>"quoted" & ${"x".repeat(200)}`;
      s.nmap.script.set("198.51.100.10", {
        ports: [{
          port: 8080,
          service: `"><svg onload=alert(1)>`,
          product,
          version: "&lt;",
          method: "probed",
        }],
      });
      await scanHosts(s.env, s.hosts, { trigger: "schedule" });
      const [p] = await currentPorts(db, s.hosts[0].id);
      assert.equal(p.service, `"><svg onload=alert(1)>`);
      assert.equal(p.product, product);
      // A banner that itself reads "&lt;" stays so: only nmap's own escaping is undone.
      assert.equal(p.version, "&lt;");
    } finally {
      s.close();
    }
  },
);

dbTest("hosts nmap left out, gave up on or found down keep their ports", async (db) => {
  const s = await setup(db, ["198.51.100.10", "198.51.100.11", "198.51.100.12"]);
  try {
    for (const ip of ["198.51.100.10", "198.51.100.11", "198.51.100.12"]) {
      s.nmap.script.set(ip, { ports: [{ port: 22, service: "ssh" }] });
    }
    await scanHosts(s.env, s.hosts, { trigger: "schedule" });
    s.nmap.script.delete("198.51.100.10");
    s.nmap.script.set("198.51.100.11", { timedout: true, ports: [] });
    s.nmap.script.set("198.51.100.12", { status: "down", ports: [] });
    const out = await scanHosts(s.env, s.hosts, { trigger: "schedule" });
    assert.deepEqual(out.map((o) => o.scan.status), ["failed", "failed", "failed"]);
    assert.match(out[0].scan.error!, /did not report/);
    assert.match(out[1].scan.error!, /host-timeout/);
    assert.match(out[2].scan.error!, /found the host down/);
    for (const h of s.hosts) {
      assert.deepEqual((await currentPorts(db, h.id)).map((p) => p.port), [22]);
      assert.deepEqual(await eventsOf(db, h.id), []);
    }
  } finally {
    s.close();
  }
});

dbTest("nmap missing: every host gets a failed run row, then the error is thrown", async (db) => {
  const s = await setup(db, ["198.51.100.10", "198.51.100.11"]);
  try {
    s.nmap.override = { code: 127, stdout: "", stderr: "", notFound: true };
    await assert.rejects(
      scanHosts(s.env, s.hosts, { trigger: "schedule" }),
      (e) => e instanceof AppError && e.code === "nmap_not_found",
    );
    const log = await listPortScans(db, { limit: 10 });
    assert.deepEqual(log.items.map((r) => r.status), ["failed", "failed"]);
    assert.match(log.items[0].error!, /nmap is not installed/);
  } finally {
    s.close();
  }
});

dbTest("refused options never reach nmap", async (db) => {
  const s = await setup(db, ["198.51.100.10"]);
  try {
    await assert.rejects(
      scanHosts(s.env, s.hosts, { trigger: "manual", args: ["--script", "vuln"] }),
      (e) => e instanceof AppError && e.status === 422 && e.code === "invalid_nmap_args",
    );
    assert.equal(s.nmap.calls.length, 0);
    assert.equal((await listPortScans(db, { limit: 10 })).items[0].status, "failed");
  } finally {
    s.close();
  }
});

dbTest("an aborted scan is recorded as aborted and changes nothing", async (db) => {
  const s = await setup(db, ["198.51.100.10"]);
  try {
    const stop = new AbortController();
    stop.abort(new Error("stopping"));
    const out = await scanHosts(s.env, s.hosts, { trigger: "schedule", signal: stop.signal });
    assert.equal(out[0].scan.status, "aborted");
    assert.equal(s.nmap.calls.length, 0);
  } finally {
    s.close();
  }
});
