// Operations over HTTP: ad-hoc ping / sweep / port scan (real fping and nmap on loopback only),
// scan results (list, export), actions (definition checks, runs, caps, timeout, cancel, audit).
import assert from "node:assert/strict";
import { expectError, json } from "@/tests/support/http_json.ts";
import { appTest, type TestApp } from "@/tests/support/test_app.ts";
import { createUser, listAudit } from "@/services/auth/mod.ts";

const DATA_DIR = Deno.makeTempDirSync({ prefix: "pf_ops_data_" });
const ACTIONS_DIR = `${DATA_DIR}/actions`;
const OUTSIDE = Deno.makeTempDirSync({ prefix: "pf_ops_outside_" });
Deno.mkdirSync(ACTIONS_DIR);

function script(name: string, body: string, mode = 0o755, dir = ACTIONS_DIR) {
  Deno.writeTextFileSync(`${dir}/${name}`, `#!/bin/sh\n${body}\n`);
  Deno.chmodSync(`${dir}/${name}`, mode);
}
script("echo_args.sh", 'sleep 0.3; printf "%s\\n" "$@"; pwd; echo warn >&2; exit 0');
script("fail.sh", "echo broken >&2; exit 7");
script("loud.sh", "head -c 50000 /dev/zero | tr '\\0' y");
script("slow.sh", `sleep 300 &\necho $! > "${DATA_DIR}/slow.pid"\nwait`);
script("not_exec.sh", "exit 0", 0o644);
script("evil.sh", "exit 0", 0o755, OUTSIDE);
Deno.symlinkSync(`${OUTSIDE}/evil.sh`, `${ACTIONS_DIR}/link_out.sh`);
Deno.mkdirSync(`${ACTIONS_DIR}/subdir`);

const ENV = {
  DATA_DIR,
  ACTIONS_DIR,
  PTR_LOOKUP_ENABLED: "0",
  PING_TIMEOUT_MS: "300",
  ACTION_OUTPUT_MAX_BYTES: "2048",
};

async function host(t: TestApp, ip: string, hostname: string | null = null): Promise<number> {
  const [{ id }] = await t.db.query<{ id: number }>(
    `insert into host (ip, hostname) values ($1, $2) returning id`,
    [ip, hostname],
  );
  return Number(id);
}

async function action(t: TestApp, body: Record<string, unknown>) {
  const res = await t.call("POST", "/api/v1/actions", { json: body });
  assert.equal(res.status, 201, await res.clone().text());
  return await json(res);
}

async function drainAll(t: TestApp) {
  await t.deps.services.operations.actions.tasks.drain();
  await t.deps.services.tasks.drain();
}

appTest("ad-hoc ping answers synchronously, says who answered and is stored", async (t) => {
  const res = await t.call("POST", "/api/v1/scans/ping", { json: { target: "127.0.0.1" } });
  assert.equal(res.status, 200);
  const r = await json(res);
  assert.equal(r.kind, "ping");
  assert.equal(r.summary.alive, true);
  assert.equal(r.summary.answered_by, "fping");
  assert.equal(r.source, "adhoc");
  const again = await json(await t.call("GET", `/api/v1/scans/${r.id}`));
  assert.equal(again.id, r.id);

  await expectError(
    await t.call("POST", "/api/v1/scans/ping", { json: { target: "8.8.8.8" } }),
    422,
    "outside_scan_scope",
    /address 8\.8\.8\.8 is outside the scan scope/,
  );
  await expectError(
    await t.call("POST", "/api/v1/scans/ping", { json: { target: "127.0.0.1/30" } }),
    422,
    "invalid_ip",
  );
  await expectError(
    await t.call("POST", "/api/v1/scans/ping", { json: {} }),
    422,
    "validation_failed",
    /target/,
  );
  const none = await t.db.query(`select id from scan_result where target = '8.8.8.8'`);
  assert.equal(none.length, 0);
}, ENV);

appTest(
  "ad-hoc sweep of a prefix (or an address's /24) is a task with progress and a result",
  async (t) => {
    const res = await t.call("POST", "/api/v1/scans/sweep", { json: { target: "127.0.0.0/29" } });
    assert.equal(res.status, 202);
    const { task_id, target } = await json(res);
    assert.equal(target, "127.0.0.0/29");
    await t.deps.services.tasks.drain();
    const task = await json(await t.call("GET", `/api/v1/tasks/${task_id}`));
    assert.equal(task.status, "succeeded", JSON.stringify(task));
    assert.equal(task.progress, 1);
    assert.equal(task.result.hosts_up, 6);
    const scan = await json(await t.call("GET", `/api/v1/scans/${task.result.scan_id}`));
    assert.equal(scan.kind, "sweep");
    assert.equal(scan.summary.alive.length, 6);
    assert.equal(scan.task_id, task_id);

    const csv = await t.call("GET", `/api/v1/scans/${scan.id}/export?format=csv`);
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get("content-type")!, /text\/csv/);
    const lines = (await csv.text()).trim().split("\n");
    assert.equal(lines.length, 7);
    assert.match(lines[1], /,127\.0\.0\.1,/);

    const bare = await json(
      await t.call("POST", "/api/v1/scans/sweep", {
        json: { target: "127.1.2.3", tcp_recheck: false },
      }),
    );
    assert.equal(bare.target, "127.1.2.0/24");
    await t.deps.services.tasks.drain();
    const bareTask = await json(await t.call("GET", `/api/v1/tasks/${bare.task_id}`));
    assert.equal(bareTask.result.tcp_recheck, false);
    assert.equal(bareTask.result.hosts_up, 254);
    await expectError(
      await t.call("POST", "/api/v1/scans/sweep", { json: { target: "127.0.0.0/8" } }),
      422,
      "subnet_too_large",
    );
    await expectError(
      await t.call("POST", "/api/v1/scans/sweep", { json: { target: "192.0.2.0/24" } }),
      422,
      "outside_scan_scope",
    );
    await expectError(
      await t.call("POST", "/api/v1/scans/sweep", { json: { target: "10.0.0.0/33" } }),
      422,
    );
  },
  ENV,
);

appTest(
  "port scan: sync for short lists, 422 to use async beyond 100 ports, async task; export",
  async (t) => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    try {
      const sync = await t.call("POST", "/api/v1/scans/portscan", {
        json: { target: "127.0.0.1", ports: `${port},${port + 1}` },
      });
      assert.equal(sync.status, 200, await sync.clone().text());
      const r = await json(sync);
      assert.equal(r.kind, "port_scan");
      assert.deepEqual(r.open_ports.map((p: { port: number }) => p.port), [port]);
      assert.equal(r.status, "succeeded");

      const big = await expectError(
        await t.call("POST", "/api/v1/scans/portscan", {
          json: { target: "127.0.0.1", ports: "1-1024" },
        }),
        422,
        "use_async_portscan",
        /1024 ports .*asynchronous/,
      );
      assert.equal(big.error.details.field, "ports");
      await expectError(
        await t.call("POST", "/api/v1/scans/portscan", {
          json: { target: "127.0.0.1", ports: "22,-sV" },
        }),
        422,
        "invalid_ports",
        /"-sV" is not a port/,
      );

      const a = await t.call("POST", "/api/v1/scans/portscan", {
        json: { target: "127.0.0.1", ports: `1-200,${port}`, async: true },
      });
      assert.equal(a.status, 202);
      const { task_id } = await json(a);
      await t.deps.services.tasks.drain();
      const task = await json(await t.call("GET", `/api/v1/tasks/${task_id}`));
      assert.equal(task.status, "succeeded", JSON.stringify(task));
      assert.ok(task.result.open_ports.some((p: { port: number }) => p.port === port));

      const csv = await (await t.call("GET", `/api/v1/scans/${r.id}/export?format=csv`)).text();
      const rows = csv.trim().split("\n");
      assert.equal(
        rows[0],
        "scan_id,kind,target,host_id,status,started_at,finished_at,ip,port,proto,state,service,product,version",
      );
      assert.equal(rows.length, 2);
      assert.match(rows[1], new RegExp(`,127\\.0\\.0\\.1,${port},tcp,open,`));
      const file = await t.call("GET", `/api/v1/scans/${r.id}/export?format=json`);
      assert.match(file.headers.get("content-disposition")!, /scan-\d+\.json/);
      assert.equal((await json(file)).id, r.id);
      await expectError(await t.call("GET", `/api/v1/scans/${r.id}/export?format=xml`), 422);
      await expectError(await t.call("GET", `/api/v1/scans/999999`), 404, "not_found");

      const list = await json(
        await t.call("GET", "/api/v1/scans?kind=port_scan&target=127.0.0.1&recent=1"),
      );
      assert.equal(list.items.length, 1);
      assert.ok(list.next_cursor);
      const next = await json(
        await t.call("GET", `/api/v1/scans?kind=port_scan&limit=5&cursor=${list.next_cursor}`),
      );
      assert.equal(next.items.length, 1);
      assert.equal(next.next_cursor, null);
      const stats = await json(await t.call("GET", "/api/v1/stats?window=24h"));
      assert.ok(stats.scan_results.port_scan >= 2);
      assert.equal(stats.window.top_open_ports[0].port, port);
    } finally {
      listener.close();
    }
  },
  ENV,
);

appTest("formula-looking text is neutralized in CSV exports", async (t) => {
  const [{ id }] = await t.db.query<{ id: number }>(
    `insert into scan_result (kind, target, source, started_at, status, summary, open_ports)
     values ('port_scan', '127.0.0.1', 'adhoc', now(), 'succeeded', '{}',
       '[{"port": 80, "proto": "tcp", "state": "open", "service": "=cmd|calc", "product": "@x", "version": "+1"}]')
     returning id`,
  );
  const csv = await (await t.call("GET", `/api/v1/scans/${id}/export?format=csv`)).text();
  assert.match(csv, /,'=cmd\|calc,'@x,'\+1/);
}, ENV);

appTest(
  "action definitions: real paths inside ACTIONS_DIR only, executable, known placeholders",
  async (t) => {
    const ok = await action(t, {
      name: "Echo",
      executable: "echo_args.sh",
      args: ["--ip", "{ip}", "host={hostname}"],
    });
    assert.deepEqual(ok.placeholders.sort(), ["hostname", "ip"]);
    const refused: Array<[Record<string, unknown>, string, RegExp]> = [
      [
        { executable: "../" + OUTSIDE.split("/").pop() + "/evil.sh" },
        "invalid_executable",
        /not found|outside ACTIONS_DIR/,
      ],
      [{ executable: `${OUTSIDE}/evil.sh` }, "invalid_executable", /outside ACTIONS_DIR/],
      [{ executable: "link_out.sh" }, "invalid_executable", /outside ACTIONS_DIR.*symlinks/],
      [{ executable: "not_exec.sh" }, "invalid_executable", /not executable/],
      [{ executable: "subdir" }, "invalid_executable", /not a regular file/],
      [{ executable: "missing.sh" }, "invalid_executable", /not found/],
      [
        { executable: "echo_args.sh", args: ["{password}"] },
        "invalid_placeholder",
        /\{password\} is not allowed/,
      ],
    ];
    for (const [body, code, why] of refused) {
      const err = await expectError(
        await t.call("POST", "/api/v1/actions", { json: { name: `x${Math.random()}`, ...body } }),
        422,
        code,
        why,
      );
      assert.ok(err.error.details.field, JSON.stringify(err));
    }
    await expectError(
      await t.call("POST", "/api/v1/actions", {
        json: { name: "echo", executable: "echo_args.sh" },
      }),
      409,
      "conflict",
      /"Echo" \(id \d+\)/,
    );
    await expectError(
      await t.call("POST", "/api/v1/actions", {
        json: { name: "t", executable: "echo_args.sh", timeout_s: 0 },
      }),
      422,
      "validation_failed",
      /timeout_s/,
    );
    await expectError(
      await t.call("PATCH", "/api/v1/actions/9999", { json: { timeout_s: 5 } }),
      404,
    );
    const patched = await json(
      await t.call("PATCH", `/api/v1/actions/${ok.id}`, { json: { timeout_s: 5 } }),
    );
    assert.equal(patched.timeout_s, 5);
    assert.equal(patched.args.length, 3);

    await createUser(t.db, { username: "eddie", password: "editor-password-1", role: "editor" });
    const eddie = await t.login("eddie", "editor-password-1");
    await expectError(
      await t.call("POST", "/api/v1/actions", {
        as: eddie,
        json: { name: "e", executable: "echo_args.sh" },
      }),
      403,
      "forbidden",
      /admin/,
    );
    const listed = await json(await t.call("GET", "/api/v1/actions", { as: eddie }));
    assert.equal(listed.items[0].may_run, false);
  },
  ENV,
);

appTest(
  "running an action: argument array, minimal env, cwd under DATA_DIR, audit, debounce",
  async (t) => {
    const org = await json(
      await t.call("POST", "/api/v1/organizations", { json: { name: "Acme; rm -rf /" } }),
    );
    const h = await host(t, "127.0.0.20", "web $(id) `uname`");
    await t.call("POST", "/api/v1/servers", {
      json: { name: "srv one", organization_id: org.id, addresses: ["127.0.0.20"] },
    });
    const a = await action(t, {
      name: "Echo",
      executable: "echo_args.sh",
      args: ["--ip", "{ip}", "{hostname}", "s={server}", "o={organization}"],
    });
    const res = await t.call("POST", `/api/v1/actions/${a.id}/run`, { json: { host_id: h } });
    assert.equal(res.status, 202);
    const started = await json(res);
    const dup = await json(
      await t.call("POST", `/api/v1/actions/${a.id}/run`, { json: { host_id: h } }),
    );
    assert.equal(dup.task_id, started.task_id);
    assert.equal(dup.deduped, true);
    await drainAll(t);
    const task = await json(await t.call("GET", `/api/v1/tasks/${started.task_id}`));
    assert.equal(task.status, "succeeded", JSON.stringify(task));
    const run = await json(await t.call("GET", `/api/v1/action_runs/${started.run_id}`));
    assert.equal(run.exit_code, 0);
    assert.equal(run.status, "succeeded");
    assert.deepEqual(run.argv, [
      "--ip",
      "127.0.0.20",
      "web $(id) `uname`",
      "s=srv one",
      "o=Acme; rm -rf /",
    ]);
    const lines = run.stdout.trim().split("\n");
    assert.deepEqual(lines.slice(0, 5), run.argv);
    assert.ok(lines[5].startsWith(`${await Deno.realPath(DATA_DIR)}/`), lines[5]);
    assert.equal(run.stderr, "warn\n");
    const audits = await listAudit(t.db, { action: "action.run" });
    assert.equal(audits.length, 1);
    assert.equal(audits[0].username, "admin");
    assert.equal(audits[0].target, "127.0.0.20");
    assert.equal((audits[0].detail as { exit_code: number }).exit_code, 0);

    const runs = await json(
      await t.call("GET", `/api/v1/action_runs?host_id=${h}&status=succeeded`),
    );
    assert.equal(runs.items.length, 1);
    await expectError(await t.call("GET", "/api/v1/action_runs?status=odd"), 422);
    await expectError(await t.call("GET", "/api/v1/action_runs/9999"), 404);
    await expectError(
      await t.call("POST", `/api/v1/actions/${a.id}/run`, { json: { host_id: 9999 } }),
      404,
      "not_found",
      /host 9999/,
    );
    await expectError(
      await t.call("POST", `/api/v1/actions/9999/run`, { json: { host_id: h } }),
      404,
      "not_found",
      /action 9999/,
    );
    await expectError(
      await t.call("POST", `/api/v1/actions/${a.id}/run`, { json: {} }),
      422,
      "validation_failed",
      /host_id/,
    );
  },
  ENV,
);

appTest(
  "placeholder values that would be options are refused; editors need the flag",
  async (t) => {
    const h = await host(t, "127.0.0.21", "-rf");
    const a = await action(t, { name: "Echo", executable: "echo_args.sh", args: ["{hostname}"] });
    await expectError(
      await t.call("POST", `/api/v1/actions/${a.id}/run`, { json: { host_id: h } }),
      422,
      "option_injection",
      /starts with "-"/,
    );
    assert.equal((await t.db.query(`select id from action_run`)).length, 0);

    const h2 = await host(t, "127.0.0.22", "ok");
    await createUser(t.db, { username: "eddie", password: "editor-password-1", role: "editor" });
    const eddie = await t.login("eddie", "editor-password-1");
    await expectError(
      await t.call("POST", `/api/v1/actions/${a.id}/run`, { as: eddie, json: { host_id: h2 } }),
      403,
      "forbidden",
      /admins only/,
    );
    await t.call("PATCH", `/api/v1/actions/${a.id}`, { json: { editors_may_run: true } });
    const ok = await t.call("POST", `/api/v1/actions/${a.id}/run`, {
      as: eddie,
      json: { host_id: h2 },
    });
    assert.equal(ok.status, 202);
    await drainAll(t);
    const run = await json(await t.call("GET", `/api/v1/action_runs/${(await json(ok)).run_id}`));
    assert.equal(run.username, "eddie");
  },
  ENV,
);

appTest("exit codes, output caps, timeouts kill the group, cancel", async (t) => {
  const h = await host(t, "127.0.0.23");
  const fail = await action(t, { name: "Fail", executable: "fail.sh" });
  const loud = await action(t, { name: "Loud", executable: "loud.sh" });
  const slow = await action(t, { name: "Slow", executable: "slow.sh", timeout_s: 1 });
  const run = async (id: number) =>
    await json(await t.call("POST", `/api/v1/actions/${id}/run`, { json: { host_id: h } }));

  const f = await run(fail.id);
  const l = await run(loud.id);
  await drainAll(t);
  const fr = await json(await t.call("GET", `/api/v1/action_runs/${f.run_id}`));
  assert.equal(fr.status, "failed");
  assert.equal(fr.exit_code, 7);
  assert.equal(fr.stderr, "broken\n");
  const ft = await json(await t.call("GET", `/api/v1/tasks/${f.task_id}`));
  assert.equal(ft.status, "failed");
  assert.match(ft.error, /exited with code 7/);
  const lr = await json(await t.call("GET", `/api/v1/action_runs/${l.run_id}`));
  assert.equal(lr.stdout_truncated, true);
  assert.ok(lr.stdout.startsWith("y".repeat(2048)));
  assert.match(lr.stdout, /\[output truncated at 2048 bytes\]/);

  const s = await run(slow.id);
  await drainAll(t);
  const sr = await json(await t.call("GET", `/api/v1/action_runs/${s.run_id}`));
  assert.equal(sr.status, "timed_out");
  const pid = Number((await Deno.readTextFile(`${DATA_DIR}/slow.pid`)).trim());
  let alive = true;
  for (let i = 0; i < 60 && alive; i++) {
    try {
      Deno.kill(pid, "SIGCONT");
      await new Promise((r) => setTimeout(r, 50));
    } catch {
      alive = false;
    }
  }
  assert.equal(alive, false, "the sleeping grandchild outlived the timeout");

  await t.call("PATCH", `/api/v1/actions/${slow.id}`, { json: { timeout_s: 60 } });
  const c = await run(slow.id);
  for (let i = 0; i < 100; i++) {
    const r = await json(await t.call("GET", `/api/v1/action_runs/${c.run_id}`));
    if (r.status === "running") break;
    await new Promise((res) => setTimeout(res, 20));
  }
  const cancelled = await t.call("POST", `/api/v1/action_runs/${c.run_id}/cancel`);
  assert.equal(cancelled.status, 200);
  await drainAll(t);
  const cr = await json(await t.call("GET", `/api/v1/action_runs/${c.run_id}`));
  assert.equal(cr.status, "cancelled");
  const ct = await json(await t.call("GET", `/api/v1/tasks/${c.task_id}`));
  assert.equal(ct.status, "failed");
  assert.match(ct.error, /cancelled by admin/);
  await expectError(
    await t.call("POST", `/api/v1/action_runs/${c.run_id}/cancel`),
    409,
    "not_running",
  );
  await expectError(await t.call("POST", `/api/v1/tasks/${c.task_id}/cancel`), 409, "not_running");
}, ENV);

appTest("ad-hoc requests are rate limited per user and target", async (t) => {
  for (let i = 0; i < 2; i++) {
    assert.equal(
      (await t.call("POST", "/api/v1/scans/ping", { json: { target: "127.0.0.2" } })).status,
      200,
    );
  }
  await expectError(
    await t.call("POST", "/api/v1/scans/ping", { json: { target: "127.0.0.2" } }),
    429,
    "rate_limited",
  );
  // Another target is not affected.
  assert.equal(
    (await t.call("POST", "/api/v1/scans/ping", { json: { target: "127.0.0.3" } })).status,
    200,
  );
}, { ...ENV, ADHOC_RATE_PER_MINUTE: "2" });

appTest("discovery's own sweeps and port scans each write a scan result too", async (t) => {
  const [{ id: subnetId }] = await t.db.query<{ id: number }>(
    `insert into subnet (cidr, name) values ('127.0.0.0/29', 'lo') returning id`,
  );
  const res = await t.call("POST", `/api/v1/subnets/${subnetId}/sweep`);
  assert.equal(res.status, 202);
  await t.deps.services.tasks.drain();
  const list = await json(await t.call("GET", "/api/v1/scans?source=manual&kind=sweep"));
  assert.equal(list.items.length, 1);
  assert.equal(list.items[0].target, "127.0.0.0/29");
  assert.equal(list.items[0].summary.hosts_up, 6);

  const hostId = await host(t, "127.0.0.30");
  const [{ id: scanId }] = await t.db.query<{ id: number }>(
    `insert into port_scan (host_id, target, started_at, finished_at, status, trigger, open_ports)
     values ($1, '127.0.0.30', now(), now(), 'succeeded', 'schedule', 1) returning id`,
    [hostId],
  );
  await t.db.query(
    `insert into host_open_port (host_id, scan_id, port, proto, state, service)
     values ($1, $2, 22, 'tcp', 'open', 'ssh')`,
    [hostId, scanId],
  );
  const scheduled = await json(
    await t.call("GET", `/api/v1/scans?source=schedule&host_id=${hostId}`),
  );
  assert.equal(scheduled.items.length, 1);
  assert.deepEqual(scheduled.items[0].open_ports.map((p: { port: number }) => p.port), [22]);
}, ENV);
