// Scan scope: nothing outside it is ever probed. Every probe entry refuses with a 422 that says
// how to widen the scope, the scheduler skips (and logs) such subnets, and changes are audited.
import assert from "node:assert/strict";
import { createDiscovery, createScheduler } from "@/services/sweeps/mod.ts";
import type { SweepSubnet } from "@/services/ipam/mod.ts";
import { createPorts, scanHosts } from "@/services/portscans/mod.ts";
import { setLogLevel } from "@/services/logger.ts";
import { scriptedNmap } from "@/tests/support/nmap_fixture.ts";
import { appTest, type TestApp } from "@/tests/support/test_app.ts";

/** The scope these tests start with: loopback and one lab range only. */
const SCOPE = { SCAN_SCOPE: "127.0.0.0/8, 198.51.100.0/24" };

async function json(res: Response) {
  return { status: res.status, body: await res.json() };
}

interface ApiError {
  error: { code: string; message: string };
}

function assertOutside(r: { status: number; body: ApiError }, target: string) {
  assert.equal(r.status, 422, JSON.stringify(r.body));
  assert.equal(r.body.error.code, "outside_scan_scope");
  assert.ok(
    r.body.error.message.includes(`${target} is outside the scan scope`),
    r.body.error.message,
  );
  assert.match(r.body.error.message, /Settings → Scan scope/);
  assert.match(r.body.error.message, /SCAN_SCOPE/);
  assert.match(r.body.error.message, /127\.0\.0\.0\/8, 198\.51\.100\.0\/24/);
}

async function setup(t: TestApp) {
  // Nothing may actually run: a scripted nmap records calls, ping/fping would be refused first.
  const nmap = scriptedNmap();
  createDiscovery(t.deps, {
    runner: () => Promise.reject(new Error("no probe may run in this test")),
    neighbors: null,
    ptr: null,
  });
  createPorts(t.deps, { runner: nmap.runner, isRoot: false });
  const outside = (await json(
    await t.call("POST", "/api/v1/subnets", {
      json: { cidr: "203.0.113.0/28" },
    }),
  )).body;
  const host = (await json(await t.call("POST", "/api/v1/hosts", { json: { ip: "203.0.113.5" } })))
    .body;
  return { nmap, outside, host };
}

appTest(
  "every probe entry refuses an address outside the scope with a 422 that says how to widen it",
  async (t) => {
    const { nmap, outside, host } = await setup(t);

    // Turning scanning on: create, edit, and moving a scanned subnet out of the scope.
    assertOutside(
      await json(
        await t.call("POST", "/api/v1/subnets", {
          json: { cidr: "203.0.113.64/26", scan_enabled: true },
        }),
      ),
      "203.0.113.64/26",
    );
    assertOutside(
      await json(
        await t.call("PATCH", `/api/v1/subnets/${outside.id}`, {
          json: { scan_enabled: true },
        }),
      ),
      "203.0.113.0/28",
    );
    const inside = await json(
      await t.call("POST", "/api/v1/subnets", {
        json: { cidr: "198.51.100.0/28", scan_enabled: true },
      }),
    );
    assert.equal(inside.status, 201);
    assertOutside(
      await json(
        await t.call("PATCH", `/api/v1/subnets/${inside.body.id}`, {
          json: { cidr: "203.0.113.16/28" },
        }),
      ),
      "203.0.113.16/28",
    );
    // A range straddling the scope is outside too: every address must be inside.
    assertOutside(
      await json(
        await t.call("POST", "/api/v1/subnets", {
          json: { cidr: "198.51.100.0/23", scan_enabled: true },
        }),
      ),
      "198.51.100.0/23",
    );

    // Sweep, ping, port scan.
    assertOutside(
      await json(await t.call("POST", `/api/v1/subnets/${outside.id}/sweep`)),
      "203.0.113.0/28",
    );
    assertOutside(await json(await t.call("POST", `/api/v1/hosts/${host.id}/ping`)), "203.0.113.5");
    assertOutside(
      await json(await t.call("POST", `/api/v1/hosts/${host.id}/portscan`, { json: {} })),
      "203.0.113.5",
    );
    assert.equal(nmap.calls.length, 0);
    assert.deepEqual(await t.db.query(`select id from scan_run`), [], "no sweep ran");
    const tasks = await json(await t.call("GET", "/api/v1/tasks"));
    assert.equal(tasks.body.items.length, 0, "nothing was queued");
  },
  SCOPE,
);

appTest("ad-hoc and scheduled port scans never hand an out-of-scope host to nmap", async (t) => {
  const { nmap, host } = await setup(t);
  await t.call("POST", "/api/v1/subnets", { json: { cidr: "198.51.100.0/28" } });
  const ok = (await json(await t.call("POST", "/api/v1/hosts", { json: { ip: "198.51.100.7" } })))
    .body;
  nmap.script.set("198.51.100.7", { status: "up", ports: [] });
  // The service itself (what an ad-hoc scan or the port scheduler calls), not only the route.
  const ports = createPorts(t.deps, { runner: nmap.runner, isRoot: false });
  const outcomes = await scanHosts(ports.env, [
    { id: host.id, ip: host.ip, subnet_id: host.subnet_id },
    { id: ok.id, ip: ok.ip, subnet_id: ok.subnet_id },
  ], { trigger: "manual" });
  assert.equal(nmap.calls.length, 1);
  assert.ok(!nmap.calls[0].includes("203.0.113.5"), nmap.calls[0].join(" "));
  const refused = outcomes.find((o) => o.target.ip === "203.0.113.5")!;
  assert.equal(refused.scan.status, "failed");
  assert.match(refused.scan.error!, /outside the scan scope.*Settings → Scan scope/);
}, SCOPE);

appTest("the scheduler skips and logs a scan-enabled subnet outside the scope", async (t) => {
  const d = createDiscovery(t.deps, { neighbors: null, ptr: null });
  // Enabled while the scope allowed it, then the admin narrowed the scope.
  const put = (cidrs: string[]) =>
    t.call("PUT", "/api/v1/settings/scan-scope", { json: { cidrs } });
  assert.equal((await put(["127.0.0.0/8", "198.51.100.0/24", "203.0.113.0/24"])).status, 200);
  const a = (await json(
    await t.call("POST", "/api/v1/subnets", {
      json: { cidr: "203.0.113.0/28", scan_enabled: true },
    }),
  )).body;
  const b = (await json(
    await t.call("POST", "/api/v1/subnets", {
      json: { cidr: "198.51.100.0/28", scan_enabled: true },
    }),
  )).body;
  assert.equal((await put(["127.0.0.0/8", "198.51.100.0/24"])).status, 200);

  const swept: number[] = [];
  const scheduler = createScheduler({
    kv: t.kv,
    listSubnets: () =>
      t.db.query<SweepSubnet>(
        `select id, cidr::text as cidr, name, scan_enabled, scan_interval_s from subnet
         where scan_enabled order by id`,
      ),
    runSubnet: (s) => (swept.push(s.id), Promise.resolve()),
    scope: d.env.scope,
    now: () => t.clock.now,
    jitter: 0,
    minIntervalS: 60,
    instance: "scope-test",
  });
  const logged: string[] = [];
  const original = console.error;
  console.error = (line: unknown) => logged.push(String(line));
  setLogLevel("warn");
  try {
    const first = await scheduler.tick();
    await scheduler.idle();
    t.clock.now += 3_600_000;
    const second = await scheduler.tick();
    await scheduler.idle();
    assert.deepEqual(first.skipped, [{ id: a.id, reason: "out_of_scope" }]);
    assert.deepEqual(second.skipped, [{ id: a.id, reason: "out_of_scope" }]);
    assert.deepEqual(first.started, [b.id]);
    assert.deepEqual(swept, [b.id, b.id], "the out-of-scope subnet is never swept");
  } finally {
    console.error = original;
    setLogLevel("error");
    await scheduler.stop();
  }
  const warnings = logged.filter((l) => l.includes("outside the scan scope"));
  assert.equal(warnings.length, 1, "logged once, not on every tick");
  const entry = JSON.parse(warnings[0]);
  assert.equal(entry.level, "warn");
  assert.equal(entry.subnet, "203.0.113.0/28");
  assert.match(entry.hint, /Settings → Scan scope/);
}, SCOPE);

appTest(
  "admins read and change the scope; every change is audited; others are refused",
  async (t) => {
    const get = async () => await json(await t.call("GET", "/api/v1/settings/scan-scope"));
    const initial = await get();
    assert.equal(initial.status, 200);
    assert.deepEqual(initial.body.cidrs, ["127.0.0.0/8", "198.51.100.0/24"]);
    assert.equal(initial.body.source, "env");

    const bad = await json(
      await t.call("PUT", "/api/v1/settings/scan-scope", {
        json: { cidrs: ["10.0.0.0/8", "bogus", "10.0.0.0/33"] },
      }),
    );
    assert.equal(bad.status, 422);
    assert.equal(bad.body.error.code, "invalid_scan_scope");
    assert.match(bad.body.error.message, /^cidrs: "bogus", "10\.0\.0\.0\/33" are not CIDRs/);

    const saved = await json(
      await t.call("PUT", "/api/v1/settings/scan-scope", {
        json: { cidrs: ["127.0.0.0/8", "203.0.113.0/24", "203.0.113.9"] },
      }),
    );
    assert.equal(saved.status, 200);
    assert.deepEqual(saved.body.cidrs, ["127.0.0.0/8", "203.0.113.0/24", "203.0.113.9/32"]);
    assert.equal(saved.body.source, "settings");
    assert.equal(saved.body.updated_by, "admin");
    // Applies at once: scanning can now be turned on there.
    const enabled = await t.call("POST", "/api/v1/subnets", {
      json: { cidr: "203.0.113.0/28", scan_enabled: true },
    });
    assert.equal(enabled.status, 201);

    const reset = await json(
      await t.call("PUT", "/api/v1/settings/scan-scope", {
        json: { cidrs: null },
      }),
    );
    assert.deepEqual([reset.body.source, reset.body.cidrs], ["env", [
      "127.0.0.0/8",
      "198.51.100.0/24",
    ]]);

    const audit = await t.db.query<{ username: string; action: string; detail: unknown }>(
      `select username, action, detail from audit_log where action = 'settings.scan_scope'
     order by id`,
    );
    assert.deepEqual(audit.map((a) => [a.username, a.detail]), [
      ["admin", {
        from: ["127.0.0.0/8", "198.51.100.0/24"],
        to: ["127.0.0.0/8", "203.0.113.0/24", "203.0.113.9/32"],
        source: "settings",
      }],
      ["admin", {
        from: ["127.0.0.0/8", "203.0.113.0/24", "203.0.113.9/32"],
        to: ["127.0.0.0/8", "198.51.100.0/24"],
        source: "env",
      }],
    ]);

    for (const role of ["editor", "viewer"]) {
      const created = await t.call("POST", "/api/v1/users", {
        json: { username: role, password: "a-long-password-1", role, must_change_password: false },
      });
      assert.equal(created.status, 201);
      const as = await t.login(role, "a-long-password-1");
      assert.equal((await t.call("GET", "/api/v1/settings/scan-scope", { as })).status, 403);
      const put = await t.call("PUT", "/api/v1/settings/scan-scope", {
        as,
        json: { cidrs: ["0.0.0.0/0"] },
      });
      assert.equal(put.status, 403);
    }
    assert.equal(
      (await t.db.query(`select 1 from audit_log where action = 'settings.scan_scope'`)).length,
      2,
    );
  },
  SCOPE,
);

appTest("the Settings page shows the scope and saves it through the form (audited)", async (t) => {
  const page = await (await t.call("GET", "/settings")).text();
  assert.match(page, /<h2 id="scope-title"[^>]*>Scan scope<\/h2>/);
  assert.match(page, /127\.0\.0\.0\/8\n198\.51\.100\.0\/24/);
  const form = (fields: Record<string, string>) =>
    t.call("POST", "/settings/scan-scope", {
      body: new URLSearchParams({ _csrf: t.admin.csrf, ...fields }),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
  const bad = await form({ cidrs: "10.0.0.0/8\nnot-a-range", _action: "save" });
  assert.equal(bad.status, 422);
  assert.match(
    await bad.text(),
    /data-field-error="cidrs">cidrs: &quot;not-a-range&quot; is not a CIDR/,
  );
  const ok = await form({ cidrs: "10.0.0.0/8\n198.51.100.0/24", _action: "save" });
  assert.equal(ok.status, 200);
  assert.match(await ok.text(), /Scan scope saved: 2 ranges\./);
  const now = await json(await t.call("GET", "/api/v1/settings/scan-scope"));
  assert.deepEqual(now.body.cidrs, ["10.0.0.0/8", "198.51.100.0/24"]);
  const rows = await t.db.query(`select 1 from audit_log where action = 'settings.scan_scope'`);
  assert.equal(rows.length, 1);
}, SCOPE);

appTest(
  "a CSV import cannot turn scanning on outside the scope (row errors, skip_errors keeps the rest)",
  async (t) => {
    const csv = "cidr,name,scan_enabled\n" +
      "198.51.100.0/25,inside,true\n" +
      "203.0.113.0/26,outside,true\n" +
      "203.0.113.64/26,outside but not scanned,false\n";
    const post = async (query: string) =>
      await json(
        await t.call("POST", `/api/v1/import/subnets${query}`, {
          body: csv,
          headers: { "content-type": "text/csv" },
        }),
      );
    const refused = await post("");
    assert.equal(refused.status, 422, JSON.stringify(refused.body));
    const dry = await post("?dry_run=true");
    assert.equal(dry.status, 200);
    assert.equal(dry.body.errors.length, 1);
    assert.equal(dry.body.errors[0].line, 3);
    assert.match(dry.body.errors[0].message, /203\.0\.113\.0\/26 is outside the scan scope/);
    const applied = await post("?skip_errors=true");
    assert.equal(applied.status, 200, JSON.stringify(applied.body));
    const rows = await t.db.query<{ cidr: string; scan_enabled: boolean }>(
      `select cidr::text as cidr, scan_enabled from subnet order by cidr`,
    );
    assert.deepEqual(rows.map((r) => `${r.cidr}:${r.scan_enabled}`), [
      "198.51.100.0/25:true",
      "203.0.113.64/26:false",
    ]);
  },
  SCOPE,
);
