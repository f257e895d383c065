// Port scans over HTTP with a scripted nmap: request-time allowlist (422), tasks, current ports and
// history, events, services, stats, the port-scan run log, and hostile strings returned verbatim.
import assert from "node:assert/strict";
import { appTest, type TestApp } from "@/tests/support/test_app.ts";
import { scriptedNmap } from "@/tests/support/nmap_fixture.ts";
import { createUser } from "@/services/auth/mod.ts";
import { createPorts } from "@/services/portscans/mod.ts";
import { loadHostDetail } from "@/services/dashboard/mod.ts";

const ENV = { NMAP_ARGS: "-Pn -T4 -sT --top-ports 100" };

async function json(res: Response) {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`expected JSON, got ${res.status}: ${text.slice(0, 200)}`);
  }
}

async function setup(t: TestApp, hostname: string | null = null) {
  const nmap = scriptedNmap();
  createPorts(t.deps, { runner: nmap.runner, isRoot: false });
  const [{ id }] = await t.db.query<{ id: number }>(
    `insert into host (ip, hostname) values ('198.51.100.10', $1) returning id`,
    [hostname],
  );
  return { nmap, hostId: Number(id) };
}

async function scan(t: TestApp, hostId: number, body?: unknown) {
  const res = await t.call(
    "POST",
    `/api/v1/hosts/${hostId}/portscan`,
    body === undefined ? {} : { json: body },
  );
  assert.equal(res.status, 202, await res.clone().text());
  const { task_id } = await json(res);
  await t.deps.services.tasks.drain();
  return await json(await t.call("GET", `/api/v1/tasks/${task_id}`));
}

appTest("refused nmap options get 422 at request time and never reach nmap", async (t) => {
  const { nmap, hostId } = await setup(t);
  const refused: Array<[unknown, RegExp]> = [
    ["--script vuln", /NSE scripts/],
    ["-sC", /NSE scripts/],
    ["-A", /NSE scripts/],
    [["-p", "80", "-iL", "/etc/passwd"], /reads targets from a file/],
    ["-oN /tmp/x", /writes an output file/],
    ["-p 80 -- 10.0.0.1", /targets are chosen by Pingfold/],
    ["-p 80 10.0.0.0/8", /targets are chosen by Pingfold/],
    ["--datadir=/tmp", /nmap data files/],
    ["-S 198.51.100.99", /spoofs/],
    ["-sS", /needs root/],
    ["-O", /needs root/],
    ["--scri=vuln", /abbreviation of --script/],
    ["", /no nmap options/],
  ];
  for (const [args, why] of refused) {
    const res = await t.call("POST", `/api/v1/hosts/${hostId}/portscan`, { json: { args } });
    assert.equal(res.status, 422, JSON.stringify(args));
    const body = await json(res);
    assert.equal(body.error.code, "invalid_nmap_args", JSON.stringify(args));
    assert.match(body.error.message, why, body.error.message);
  }
  const wrongType = await t.call("POST", `/api/v1/hosts/${hostId}/portscan`, { json: { args: 5 } });
  assert.equal(wrongType.status, 422);
  assert.equal((await json(wrongType)).error.code, "validation_failed");
  assert.equal(nmap.calls.length, 0);
  assert.deepEqual(await t.db.query(`select id from task`), []);
  assert.deepEqual(await t.db.query(`select id from port_scan`), []);
}, ENV);

appTest("scan now: 202 task, ports, history, events and the run log", async (t) => {
  const { nmap, hostId } = await setup(t);
  nmap.script.set("198.51.100.10", {
    ports: [{ port: 22, service: "ssh" }, { port: 8080, service: "http-proxy" }],
  });
  // No body: the configured NMAP_ARGS.
  const first = await scan(t, hostId);
  assert.equal(first.status, "succeeded", JSON.stringify(first));
  assert.equal(first.kind, "portscan_host");
  assert.equal(first.result.open_ports, 2);
  assert.equal(first.result.baseline, true);
  assert.deepEqual(nmap.calls[0], [
    "-Pn",
    "-T4",
    "-sT",
    "--top-ports",
    "100",
    "-oX",
    "-",
    "--",
    "198.51.100.10",
  ]);

  const ports = await json(await t.call("GET", `/api/v1/hosts/${hostId}/ports`));
  assert.equal(ports.history, false);
  assert.deepEqual(ports.items.map((p: { port: number; state: string }) => [p.port, p.state]), [
    [22, "open"],
    [8080, "open"],
  ]);
  assert.equal(ports.last_scan.id, first.result.scan_id);
  assert.equal(ports.last_scan.trigger, "manual");
  assert.equal(ports.last_scan.task_id, first.id);

  // Per-request options: only 8080, now closed.
  nmap.script.set("198.51.100.10", {
    ports: [{ port: 8080, state: "closed", service: "http-proxy" }],
  });
  nmap.services = { tcp: "8080" };
  const second = await scan(t, hostId, { args: "-p 8080 -T4 -sT" });
  assert.equal(second.status, "succeeded", JSON.stringify(second));
  assert.deepEqual(second.result.changes, [{ kind: "port_closed", port: 8080, proto: "tcp" }]);
  assert.deepEqual(nmap.calls[1].slice(0, 4), ["-p", "8080", "-T4", "-sT"]);

  const after = await json(await t.call("GET", `/api/v1/hosts/${hostId}/ports`));
  assert.deepEqual(after.items.map((p: { port: number; state: string }) => [p.port, p.state]), [
    [22, "open"],
    [8080, "closed"],
  ], "22 was not covered by the narrow scan and stays current");

  const history = await json(
    await t.call("GET", `/api/v1/hosts/${hostId}/ports?history=1&limit=1`),
  );
  assert.equal(history.history, true);
  assert.equal(history.items[0].id, second.result.scan_id);
  assert.deepEqual(history.items[0].args, ["-p", "8080", "-T4", "-sT"]);
  assert.deepEqual(history.items[0].ports.map((p: { port: number }) => p.port), [8080]);
  const older = await json(
    await t.call("GET", `/api/v1/hosts/${hostId}/ports?history=1&cursor=${history.next_cursor}`),
  );
  assert.equal(older.items[0].id, first.result.scan_id);
  assert.equal(older.next_cursor, null);

  const events = await json(await t.call("GET", `/api/v1/hosts/${hostId}/events`));
  assert.deepEqual(events.items.map((e: { kind: string }) => e.kind), ["port_closed"]);
  assert.equal(events.items[0].detail.port, 8080);

  const log = await json(await t.call("GET", `/api/v1/scanner/portscans?host_id=${hostId}`));
  assert.deepEqual(log.items.map((s: { id: number }) => s.id), [
    second.result.scan_id,
    first.result.scan_id,
  ]);
  assert.equal((await t.call("GET", "/api/v1/scanner/portscans?cursor=abc")).status, 422);
  assert.equal(
    (await json(await t.call("GET", "/api/v1/scanner/portscans?status=failed"))).items.length,
    0,
  );
}, ENV);

appTest("unknown hosts, viewers, repeats and too many requests", async (t) => {
  const { nmap, hostId } = await setup(t);
  assert.equal((await t.call("GET", "/api/v1/hosts/999/ports")).status, 404);
  assert.equal((await t.call("POST", "/api/v1/hosts/999/portscan", { json: {} })).status, 404);

  await createUser(t.db, { username: "vera", password: "viewer-password-1", role: "viewer" });
  const viewer = await t.login("vera", "viewer-password-1");
  assert.equal((await t.call("GET", `/api/v1/hosts/${hostId}/ports`, { as: viewer })).status, 200);
  assert.equal(
    (await t.call("POST", `/api/v1/hosts/${hostId}/portscan`, { as: viewer, json: {} })).status,
    403,
  );

  // nmap blocks until released: a repeat with the same options returns the running task.
  let release!: () => void;
  const blocked = new Promise<void>((r) => (release = r));
  const inner = nmap.runner;
  nmap.runner = async (cmd, args, opts) => {
    await blocked;
    return await inner(cmd, args, opts);
  };
  createPorts(t.deps, { runner: nmap.runner, isRoot: false });
  const a = await json(
    await t.call("POST", `/api/v1/hosts/${hostId}/portscan`, { json: { args: "-p 22" } }),
  );
  const b = await json(
    await t.call("POST", `/api/v1/hosts/${hostId}/portscan`, { json: { args: "-p 22" } }),
  );
  assert.equal(a.task_id, b.task_id);
  const c = await json(
    await t.call("POST", `/api/v1/hosts/${hostId}/portscan`, { json: { args: "-p 23" } }),
  );
  assert.notEqual(c.task_id, a.task_id);
  for (let i = 0; i < 2; i++) {
    assert.equal(
      (await t.call("POST", `/api/v1/hosts/${hostId}/portscan`, { json: { args: "-p 24" } }))
        .status,
      202,
    );
  }
  const limited = await t.call("POST", `/api/v1/hosts/${hostId}/portscan`, {
    json: { args: "-p 25" },
  });
  assert.equal(limited.status, 429);
  assert.equal((await json(limited)).error.code, "rate_limited");
  release();
  await t.deps.services.tasks.drain();
  // Scans of one host ran one after the other under its lease; all recorded.
  assert.equal((await json(await t.call("GET", "/api/v1/scanner/portscans"))).items.length, 3);
}, ENV);

appTest("hostile banners and hostnames come back verbatim as JSON data", async (t) => {
  const hostname = `<script>alert("host")</script>'${"h".repeat(300)}`;
  const { nmap, hostId } = await setup(t, hostname);
  const product = `<img src=x onerror=alert(1)>"'</textarea>${"p".repeat(200)}`;
  nmap.script.set("198.51.100.10", {
    ports: [{ port: 80, service: `<b>http</b>`, product, version: `"1.0'`, method: "probed" }],
  });
  assert.equal((await scan(t, hostId)).status, "succeeded");

  const res = await t.call("GET", `/api/v1/hosts/${hostId}/ports`);
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
  const [p] = (await json(res)).items;
  assert.equal(p.service, "<b>http</b>");
  assert.equal(p.product, product);
  assert.equal(p.version, `"1.0'`);

  const services = await json(await t.call("GET", "/api/v1/services"));
  assert.deepEqual(services.items[0].products, [product]);
  const where = await json(
    await t.call("GET", `/api/v1/services/hosts?service=${encodeURIComponent("<b>http</b>")}`),
  );
  assert.equal(where.items[0].hostname, hostname);
  assert.equal(where.items[0].product, product);

  const detail = await loadHostDetail(t.deps, hostId);
  assert.equal(detail.host.hostname, hostname);
  assert.equal(detail.ports[0].product, product);
}, ENV);

appTest("services and stats summarize the current snapshots", async (t) => {
  const { nmap, hostId } = await setup(t);
  const [{ id: other }] = await t.db.query<{ id: number }>(
    `insert into host (ip) values ('198.51.100.11') returning id`,
  );
  nmap.script.set("198.51.100.10", {
    ports: [{ port: 22, service: "ssh", product: "OpenSSH" }, { port: 443, service: "https" }],
  });
  nmap.script.set("198.51.100.11", { ports: [{ port: 22, service: "ssh" }] });
  await scan(t, hostId);
  await scan(t, Number(other));

  const services = await json(await t.call("GET", "/api/v1/services?limit=1"));
  assert.deepEqual(services.items, [
    { service: "ssh", hosts: 2, open_ports: 2, ports: [22], products: ["OpenSSH"] },
  ]);
  const rest = await json(await t.call("GET", `/api/v1/services?cursor=${services.next_cursor}`));
  assert.deepEqual(rest.items.map((s: { service: string }) => s.service), ["https"]);
  assert.equal((await t.call("GET", "/api/v1/services?cursor=nope")).status, 422);
  const where = await json(await t.call("GET", "/api/v1/services/hosts?port=22&proto=tcp"));
  assert.deepEqual(where.items.map((l: { ip: string }) => l.ip), [
    "198.51.100.10",
    "198.51.100.11",
  ]);

  const stats = await json(await t.call("GET", "/api/v1/stats?top=5"));
  assert.equal(stats.hosts, 2);
  assert.equal(stats.alive, 0);
  assert.equal(stats.open_ports, 3);
  assert.equal(stats.scans.portscans_total, 2);
  assert.deepEqual(stats.top_open_ports[0], { port: 22, proto: "tcp", service: "ssh", hosts: 2 });
  assert.deepEqual(stats.top_services.map((s: { service: string }) => s.service), ["ssh", "https"]);
  assert.ok(!Number.isNaN(Date.parse(stats.generated_at)));
  assert.equal((await t.call("GET", "/api/v1/stats?top=0")).status, 422);
}, ENV);
