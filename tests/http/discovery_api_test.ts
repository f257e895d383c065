// Discovery over HTTP: "scan now" (202, debounce, 429), runs, history endpoints, live events, pages.
// Sweeps are real (fping) and only ever target loopback: every 127.x address answers on Linux.
import assert from "node:assert/strict";
import { appTest, type TestApp } from "@/tests/support/test_app.ts";
import { createUser } from "@/services/auth/mod.ts";

const ENV = { PTR_LOOKUP_ENABLED: "0", PING_TIMEOUT_MS: "300" };

async function loopbackSubnet(t: TestApp, cidr = "127.0.0.0/29"): Promise<number> {
  const [{ id }] = await t.db.query<{ id: number }>(
    `insert into subnet (cidr, name) values ($1, 'loopback') returning id`,
    [cidr],
  );
  return id;
}

async function json(res: Response) {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`expected JSON, got ${res.status}: ${text.slice(0, 200)}`);
  }
}

async function finishedTask(t: TestApp, id: string) {
  await t.deps.services.tasks.drain();
  const res = await t.call("GET", `/api/v1/tasks/${id}`);
  assert.equal(res.status, 200);
  return await json(res);
}

appTest("scan now sweeps the subnet, debounces repeats and records the run", async (t) => {
  const subnetId = await loopbackSubnet(t);
  const first = await t.call("POST", `/api/v1/subnets/${subnetId}/sweep`);
  assert.equal(first.status, 202);
  const { task_id } = await json(first);
  assert.match(task_id, /^[0-9a-f-]{36}$/);
  // A second click while it is queued or running gets the same task.
  const again = await t.call("POST", `/api/v1/subnets/${subnetId}/sweep`);
  assert.equal(again.status, 202);
  assert.equal((await json(again)).task_id, task_id);

  const task = await finishedTask(t, task_id);
  assert.equal(task.status, "succeeded", JSON.stringify(task));
  assert.equal(task.kind, "sweep_subnet");
  assert.equal(task.result.method, "fping");
  assert.equal(task.result.targets, 6);
  assert.equal(task.result.hosts_up, 6);
  assert.equal(task.result.hosts_new, 6);

  const runs = await json(await t.call("GET", "/api/v1/scanner/runs"));
  assert.equal(runs.items.length, 1);
  const run = runs.items[0];
  assert.equal(run.kind, "subnet");
  assert.equal(run.trigger, "manual");
  assert.equal(run.subnet_id, subnetId);
  assert.equal(run.target, "127.0.0.0/29");
  assert.equal(run.status, "succeeded");
  assert.equal(run.task_id, task_id);
  assert.deepEqual([run.hosts_up, run.hosts_down, run.flips], [6, 0, 0]);
  assert.ok(run.duration_ms >= 0);
  assert.deepEqual(run.errors, []);

  const hosts = await t.db.query<{ ip: string; discovered: boolean }>(
    `select host(ip) as ip, discovered from host order by host.ip`,
  );
  assert.deepEqual(hosts.map((h) => h.ip), [1, 2, 3, 4, 5, 6].map((i) => `127.0.0.${i}`));
  assert.ok(hosts.every((h) => h.discovered));

  const schedule = await json(await t.call("GET", "/api/v1/scanner/subnets"));
  assert.equal(schedule.items[0].subnet_id, subnetId);
  assert.equal(schedule.items[0].scan_enabled, false);
  assert.equal(schedule.items[0].next_due_at, null);
  assert.equal(schedule.items[0].last_run.id, run.id);

  // State left behind by a deleted host does not count.
  await t.kv.set(["host_state", "127.9.9.9"], {
    up: true,
    latency_ms: 1,
    since: 1,
    last_seen: 1,
    method: "fping",
    checked_at: 1,
  });
  assert.deepEqual(await json(await t.call("GET", "/api/v1/scanner/alive")), {
    alive: 6,
    subnet_id: null,
  });
  assert.deepEqual(
    await json(await t.call("GET", `/api/v1/scanner/alive?subnet_id=${subnetId}`)),
    { alive: 6, subnet_id: subnetId },
  );
}, ENV);

appTest("scan now is rate limited per user and target with Retry-After", async (t) => {
  const subnetId = await loopbackSubnet(t);
  for (let i = 0; i < 5; i++) {
    const res = await t.call("POST", `/api/v1/subnets/${subnetId}/sweep`);
    assert.equal(res.status, 202, `click ${i + 1}`);
    await res.body?.cancel();
  }
  const limited = await t.call("POST", `/api/v1/subnets/${subnetId}/sweep`);
  assert.equal(limited.status, 429);
  const body = await json(limited);
  assert.equal(body.error.code, "rate_limited");
  const retryAfter = Number(limited.headers.get("retry-after"));
  assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
  assert.equal(body.error.details.retry_after, retryAfter);

  // The window passes: allowed again.
  t.clock.now += 61_000;
  await t.deps.services.tasks.drain();
  const later = await t.call("POST", `/api/v1/subnets/${subnetId}/sweep`);
  assert.equal(later.status, 202);
  await t.deps.services.tasks.drain();
}, ENV);

appTest("scan now refuses what it must: unknown ids, oversized subnets, viewers", async (t) => {
  assert.equal((await t.call("POST", "/api/v1/subnets/999999/sweep")).status, 404);
  assert.equal((await t.call("POST", "/api/v1/hosts/999999/ping")).status, 404);
  assert.equal((await t.call("GET", "/api/v1/hosts/999999/uptime")).status, 404);

  const [{ id: big }] = await t.db.query<{ id: number }>(
    `insert into subnet (cidr) values ('10.0.0.0/8') returning id`,
  );
  const tooBig = await t.call("POST", `/api/v1/subnets/${big}/sweep`);
  assert.equal(tooBig.status, 422);
  const err = (await json(tooBig)).error;
  assert.equal(err.code, "subnet_too_large");
  assert.match(err.message, /MAX_SWEEP_PREFIX/);
  assert.deepEqual(await t.deps.services.tasks.list(), [], "nothing was queued");

  await createUser(t.db, { username: "vera", password: "viewer-password-1", role: "viewer" });
  const vera = await t.login("vera", "viewer-password-1");
  const subnetId = await loopbackSubnet(t);
  const res = await t.call("POST", `/api/v1/subnets/${subnetId}/sweep`, { as: vera });
  assert.equal(res.status, 403);
  const rollup = await t.call("POST", "/api/v1/scanner/rollup", { as: vera });
  assert.equal(rollup.status, 403);
  // Viewers still read.
  assert.equal((await t.call("GET", "/api/v1/scanner/runs", { as: vera })).status, 200);
}, ENV);

appTest("a host ping updates state and history; status, events and uptime read it", async (t) => {
  const subnetId = await loopbackSubnet(t, "127.0.0.0/30");
  await finishedTask(
    t,
    (await json(await t.call("POST", `/api/v1/subnets/${subnetId}/sweep`))).task_id,
  );
  const [host] = await t.db.query<{ id: number }>(`select id from host where ip = '127.0.0.1'`);

  t.clock.now += 60_000;
  const ping = await t.call("POST", `/api/v1/hosts/${host.id}/ping`);
  assert.equal(ping.status, 202);
  const task = await finishedTask(t, (await json(ping)).task_id);
  assert.equal(task.status, "succeeded", JSON.stringify(task));
  assert.equal(task.kind, "ping_host");
  assert.equal(task.result.hosts_up, 1);
  assert.equal(task.result.hosts_new, 0);

  const uptime = await json(await t.call("GET", `/api/v1/hosts/${host.id}/uptime`));
  assert.equal(uptime.host_id, host.id);
  assert.equal(uptime.uptime_24h.samples, 2);
  assert.equal(uptime.uptime_24h.ratio, 1);
  assert.equal(uptime.uptime_7d.samples, 2);
  assert.equal(uptime.state.status, "up");
  assert.equal(uptime.state.method, "fping");
  assert.equal(typeof uptime.state.latency_ms, "number");
  assert.equal(uptime.state.checked_at, new Date(t.clock.now).toISOString());

  const from = new Date(t.clock.now - 3_600_000).toISOString();
  const status = await json(
    await t.call("GET", `/api/v1/hosts/${host.id}/status?from=${from}&step=3600`),
  );
  assert.equal(status.step, 3600);
  const samples = status.items.reduce((n: number, b: { samples: number }) => n + b.samples, 0);
  assert.equal(samples, 2);
  assert.ok(status.items.every((b: { up_ratio: number }) => b.up_ratio === 1));
  const bad = await t.call("GET", `/api/v1/hosts/${host.id}/status?from=yesterday`);
  assert.equal(bad.status, 422);
  const tooFine = await t.call(
    "GET",
    `/api/v1/hosts/${host.id}/status?from=2020-01-01T00:00:00Z&step=60`,
  );
  assert.equal(tooFine.status, 422);

  const events = await json(await t.call("GET", `/api/v1/hosts/${host.id}/events?limit=10`));
  assert.deepEqual(events.items.map((e: { kind: string }) => e.kind), ["discovered"]);
  assert.equal(events.next_cursor, null);
  assert.equal(
    (await t.call("GET", `/api/v1/hosts/${host.id}/events?cursor=garbage`)).status,
    422,
  );

  const hostRuns = await json(await t.call("GET", `/api/v1/scanner/runs?kind=host`));
  assert.deepEqual(
    hostRuns.items.map((r: { target: string; host_id: number }) => [r.target, r.host_id]),
    [["127.0.0.1", host.id]],
  );
}, ENV);

appTest("the live event stream delivers host changes to subscribers", async (t) => {
  const subnetId = await loopbackSubnet(t, "127.0.0.0/30");
  const res = await t.call("GET", "/api/v1/events");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /text\/event-stream/);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  const until = async (pattern: RegExp) => {
    for (let i = 0; i < 50 && !pattern.test(buffer); i++) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
    }
    return buffer;
  };
  assert.match(await until(/event: hello/), /retry: 3000/);

  const { task_id } = await json(await t.call("POST", `/api/v1/subnets/${subnetId}/sweep`));
  await finishedTask(t, task_id);
  const text = await until(/event: run/);
  // Answers are stored (and announced) while fping runs, so one sweep may send several batches.
  const batches = [...text.matchAll(/event: hosts\ndata: (.*)\n/g)];
  assert.ok(batches.length > 0, text);
  const changes = batches.flatMap((b) => JSON.parse(b[1]).changes)
    .sort((a: { ip: string }, b: { ip: string }) => a.ip.localeCompare(b.ip));
  assert.deepEqual(changes.map((c: { ip: string; up: boolean }) => [c.ip, c.up]), [
    ["127.0.0.1", true],
    ["127.0.0.2", true],
  ]);
  assert.equal(changes[0].prev_up, null);
  assert.match(text, /event: run\ndata: .*"status":"succeeded"/);
  await reader.cancel();

  // Filtered to another subnet: the stream opens, but no changes of this one arrive.
  const [{ id: other }] = await t.db.query<{ id: number }>(
    `insert into subnet (cidr) values ('127.0.1.0/30') returning id`,
  );
  const filtered = await t.call("GET", `/api/v1/events?subnet_id=${other}`);
  assert.equal(filtered.status, 200);
  await filtered.body?.cancel();
  assert.equal((await t.call("GET", "/api/v1/events?subnet_id=abc")).status, 422);
  assert.equal((await t.call("GET", "/api/v1/events?subnet_id=99999")).status, 404);
}, ENV);

appTest("the scanner page shows the schedule and recent runs", async (t) => {
  const subnetId = await loopbackSubnet(t);
  await t.db.query(`update subnet set scan_enabled = true, scan_interval_s = 120 where id = $1`, [
    subnetId,
  ]);
  const before = await t.call("GET", "/scanner");
  assert.equal(before.status, 200);
  const empty = await before.text();
  assert.match(empty, /data-testid="no-runs"/);
  assert.match(empty, /every 120s/);

  const { task_id } = await json(await t.call("POST", `/api/v1/subnets/${subnetId}/sweep`));
  await finishedTask(t, task_id);
  const html = await (await t.call("GET", "/scanner")).text();
  assert.match(html, /data-testid="runs-table"/);
  assert.match(html, /127\.0\.0\.0\/29/);
  assert.match(html, /<td class="hide-sm">fping<\/td>/);
  assert.match(html, /6 \/ 0/);
  assert.match(html, /data-island="LiveStatus"/);
  assert.match(
    html,
    /Alive now <!-- -->?<strong class="tabular-nums">6<\/strong>|Alive now.*?>6</s,
  );
}, ENV);

appTest("the OpenAPI document lists the discovery endpoints", async (t) => {
  const doc = await json(await t.call("GET", "/openapi.json"));
  for (
    const path of [
      "/api/v1/subnets/{id}/sweep",
      "/api/v1/hosts/{id}/ping",
      "/api/v1/hosts/{id}/status",
      "/api/v1/hosts/{id}/events",
      "/api/v1/hosts/{id}/uptime",
      "/api/v1/scanner/runs",
      "/api/v1/scanner/subnets",
      "/api/v1/scanner/alive",
      "/api/v1/scanner/rollup",
      "/api/v1/events",
    ]
  ) {
    assert.ok(doc.paths[path], `${path} documented`);
  }
  assert.ok(doc.paths["/api/v1/events"].get.responses["200"].content["text/event-stream"]);
}, ENV);
