// Host drawer and dashboard over HTTP on both engines: the host page and its JSON for the drawer,
// the no-JavaScript edit form and the PATCH the drawer sends (validation, CSRF, roles, audit), the
// "Alive now" list with its URL filters, host rows that open the drawer on the subnet page.
import assert from "node:assert/strict";
import { appTest, type TestApp } from "@/tests/support/test_app.ts";
import { createUser } from "@/services/auth/mod.ts";

/** A /24 with three hosts: .10 up (ssh + https open, events, history), .11 down, .12 never seen. */
async function seed(t: TestApp) {
  const subnet = await (await t.call("POST", "/api/v1/subnets", {
    json: { cidr: "198.51.100.0/24", name: "lab" },
  })).json();
  const host = async (ip: string, extra: Record<string, unknown> = {}) =>
    (await (await t.call("POST", "/api/v1/hosts", { json: { ip, ...extra } })).json()) as {
      id: number;
    };
  const web = await host("198.51.100.10", {
    hostname: "web-01.lab.example",
    description: "front web server",
    tags: ["prod", "web"],
    notes: "racked in row 3",
    mac: "00:00:5e:00:53:01",
  });
  const db = await host("198.51.100.11", { hostname: "db-01", tags: ["prod"] });
  const idle = await host("198.51.100.12");
  const now = t.clock.now;
  const state = (up: boolean, sinceAgo: number) => ({
    up,
    latency_ms: up ? 0.42 : null,
    since: now - sinceAgo,
    last_seen: up ? now - 1000 : now - 3_600_000,
    method: "fping",
  });
  await t.kv.set(["host_state", "198.51.100.10"], state(true, 7_200_000));
  await t.kv.set(["host_state", "198.51.100.11"], state(false, 600_000));
  // Four sweeps of .10 in the last hour, one of them failed.
  for (const [ago, up] of [[50, true], [40, true], [30, false], [20, true]] as const) {
    await t.db.query(
      `insert into host_status (host_id, ts, is_up, latency_ms, method) values ($1, $2, $3, $4, 'fping')`,
      [web.id, new Date(now - ago * 60_000), up, up ? 0.5 : null],
    );
  }
  await t.db.query(
    `insert into host_event (host_id, ts, kind, detail) values
       ($1, $2, 'discovered', '{"method":"fping"}'),
       ($1, $3, 'down', '{"after_s":600}'),
       ($1, $4, 'up', '{"after_s":600,"latency_ms":0.5}')`,
    [web.id, new Date(now - 50 * 60_000), new Date(now - 30 * 60_000), new Date(now - 20 * 60_000)],
  );
  const [{ id: scan }] = await t.db.query<{ id: number }>(
    `insert into port_scan (host_id, target, started_at, finished_at, status, trigger, open_ports)
     values ($1, '198.51.100.10', $2, $2, 'succeeded', 'manual', 2) returning id`,
    [web.id, new Date(now - 5 * 60_000)],
  );
  await t.db.query(
    `insert into host_open_port (host_id, scan_id, port, proto, state, service, product, version, probed)
     values ($1, $2, 22, 'tcp', 'open', 'ssh', 'OpenSSH', '9.2p1', true),
            ($1, $2, 443, 'tcp', 'open', 'https', 'nginx', '', true)`,
    [web.id, scan],
  );
  return { subnet: subnet as { id: number }, web, db, idle };
}

const page = async (res: Response) => {
  assert.equal(res.headers.get("content-type")?.split(";")[0], "text/html");
  return await res.text();
};

appTest("host page: state, uptime, sparkline, port chips, facts, events, edit form", async (t) => {
  const { subnet, web } = await seed(t);
  const res = await t.call("GET", `/hosts/${web.id}`);
  assert.equal(res.status, 200);
  const html = await page(res);
  assert.match(html, /<h1 id="host-title" class="hd-title">web-01\.lab\.example<\/h1>/);
  assert.match(html, /<title>web-01\.lab\.example \(198\.51\.100\.10\) · Pingfold<\/title>/);
  assert.match(html, /class="pill pill-up"/);
  assert.match(html, new RegExp(`href="/subnets/${subnet.id}#ip-198-51-100-10"`));
  // Port chips with product/version on hover.
  assert.match(
    html,
    /<li class="chip port-chip" title="OpenSSH 9\.2p1" data-port="22"[^>]*>22\/ssh/,
  );
  assert.match(html, /title="nginx" data-port="443"[^>]*>443\/https/);
  // 3 of 4 sweeps up.
  assert.match(html, /data-testid="uptime-24h" data-ratio="0\.75"[^>]*>75\.0 %/);
  assert.match(html, /data-island="Sparkline"/);
  assert.match(html, /data-testid="sparkline" data-down-buckets="1"/);
  assert.match(html, /<rect class="spark-(partial|down)"/);
  // Facts and events.
  assert.match(html, /00:00:5e:00:53:01/);
  assert.match(html, /racked in row 3/);
  assert.match(html, /data-kind="up"[^]*Came up \(0\.5 ms\) after 10m down/);
  assert.match(html, /data-kind="down"[^]*Went down after 10m up/);
  assert.match(html, /Discovered by fping/);
  // Newest first.
  assert.ok(html.indexOf('data-kind="up"') < html.indexOf('data-kind="discovered"'));
  // Edit form works without JavaScript: posts to the page with the CSRF field.
  assert.match(html, /data-island="HostEditForm"/);
  assert.match(html, new RegExp(`<form method="post" action="/hosts/${web.id}" class="hd-form"`));
  assert.match(html, new RegExp(`name="_csrf" value="${t.admin.csrf}"`));
  assert.match(html, /name="tags"[^>]*value="prod; web"/);
  assert.match(html, /data-island="PortScanButton"/);
});

appTest("host JSON for the drawer: the same view, 404s and viewers", async (t) => {
  const { web, idle } = await seed(t);
  const res = await t.call("GET", `/hosts/${web.id}?format=json`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
  assert.equal(res.headers.get("cache-control"), "no-store");
  const view = await res.json();
  assert.equal(view.detail.host.id, web.id);
  assert.equal(view.detail.state.status, "up");
  assert.deepEqual(view.detail.ports.map((p: { port: number }) => p.port), [22, 443]);
  assert.deepEqual(view.detail.events.map((e: { kind: string }) => e.kind), [
    "up",
    "down",
    "discovered",
  ]);
  assert.equal(view.detail.uptime.h24.ratio, 0.75);
  assert.equal(view.detail.sparkline.length, 96);
  assert.equal(view.subnet.cidr, "198.51.100.0/24");
  assert.equal(view.now, t.clock.now);
  assert.equal(view.can_edit, true);

  const never = await (await t.call("GET", `/hosts/${idle.id}?format=json`)).json();
  assert.equal(never.detail.state.status, "unknown");
  assert.equal(never.detail.uptime.h24.ratio, null);

  for (const path of ["/hosts/999999", "/hosts/abc", "/hosts/0", "/hosts/1e3"]) {
    const miss = await t.call("GET", path);
    assert.equal(miss.status, 404, path);
    await miss.body?.cancel();
  }
  const anonymous = await t.call("GET", `/hosts/${web.id}?format=json`, { as: null });
  assert.equal(anonymous.status, 303, "the drawer sees the login redirect, not data");
  await anonymous.body?.cancel();

  await createUser(t.db, { username: "val", password: "viewer-password-1", role: "viewer" });
  const viewer = await t.login("val", "viewer-password-1");
  const seen = await (await t.call("GET", `/hosts/${web.id}?format=json`, { as: viewer })).json();
  assert.equal(seen.can_edit, false);
  const viewerPage = await (await t.call("GET", `/hosts/${web.id}`, { as: viewer })).text();
  assert.doesNotMatch(viewerPage, /data-island="HostEditForm"/);
  assert.doesNotMatch(viewerPage, /data-testid="portscan-now"/);
  const refused = await t.call("POST", `/hosts/${web.id}`, {
    as: viewer,
    body: new URLSearchParams({ _csrf: viewer.csrf, _action: "update", description: "x" }),
  });
  assert.equal(refused.status, 403);
  await refused.body?.cancel();
});

/** Posts the host form the way a browser without JavaScript does. */
function submit(t: TestApp, id: number, fields: Record<string, string>, csrf = t.admin.csrf) {
  const body = new URLSearchParams({ _csrf: csrf, _action: "update", ...fields });
  return t.call("POST", `/hosts/${id}`, { body, headers: { "x-csrf-token": "" } });
}

appTest(
  "host edit without JavaScript: validated, CSRF-checked, saved and audit-logged",
  async (t) => {
    const { web } = await seed(t);
    const fields = {
      hostname_override: "web main",
      description: "new description",
      tags: "prod; web",
      notes: "n",
    };
    const bad = await submit(t, web.id, fields);
    assert.equal(bad.status, 422);
    const badHtml = await bad.text();
    assert.match(
      badHtml,
      /data-field-error="hostname_override">hostname &quot;web main&quot; is not a DNS name/,
    );
    assert.match(badHtml, /value="new description"/, "what was typed is shown again");
    assert.match(badHtml, /aria-invalid="true"/);

    const badTag = await submit(t, web.id, { ...fields, hostname_override: "web", tags: "a|b" });
    assert.equal(badTag.status, 422);
    assert.match(await badTag.text(), /data-field-error="tags">a tag may not contain/);

    const noCsrf = await submit(t, web.id, { ...fields, hostname_override: "web" }, "");
    assert.equal(noCsrf.status, 403);
    await noCsrf.body?.cancel();

    const ok = await submit(t, web.id, {
      ...fields,
      hostname_override: "web-main",
      tags: "a; b; a",
    });
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get("location"), `/hosts/${web.id}?saved=1`);
    const host = await (await t.call("GET", `/api/v1/hosts/${web.id}`)).json();
    assert.equal(host.hostname_override, "web-main");
    assert.equal(host.hostname, "web-01.lab.example", "the PTR name is kept");
    assert.equal(host.description, "new description");
    assert.deepEqual(host.tags, ["a", "b"]);
    const saved = await (await t.call("GET", `/hosts/${web.id}?saved=1`)).text();
    assert.match(saved, /data-testid="notice">Changes saved\./);
    assert.match(saved, /<h1 id="host-title" class="hd-title">web-main<\/h1>/);

    // Clearing fields stores nulls, not empty strings.
    await submit(t, web.id, { hostname_override: "", description: "", tags: "", notes: "" });
    const cleared = await (await t.call("GET", `/api/v1/hosts/${web.id}`)).json();
    assert.equal(cleared.hostname_override, null);
    assert.equal(cleared.description, null);
    assert.deepEqual(cleared.tags, []);

    const audit = await t.db.query<{ action: string; username: string }>(
      `select action, username from audit_log where action like 'POST /hosts/%' order by id`,
    );
    assert.deepEqual(audit, [
      { action: `POST /hosts/${web.id}`, username: "admin" },
      { action: `POST /hosts/${web.id}`, username: "admin" },
    ], "only the successful saves are logged");

    const unknownAction = await t.call("POST", `/hosts/${web.id}`, {
      body: new URLSearchParams({ _csrf: t.admin.csrf, _action: "drop" }),
      headers: { "x-csrf-token": "" },
    });
    assert.equal(unknownAction.status, 422);
    await unknownAction.body?.cancel();
  },
);

appTest("the drawer's save: PATCH with X-CSRF-Token, 422 issues per field, audit", async (t) => {
  const { web } = await seed(t);
  const patch = (json: unknown, headers: Record<string, string> = {}) =>
    t.call("PATCH", `/api/v1/hosts/${web.id}`, { json, headers });
  const bad = await patch({ hostname_override: "<b>", tags: ["ok", "x;y"] });
  assert.equal(bad.status, 422);
  const body = await bad.json();
  assert.equal(body.error.code, "validation_failed");
  const fields = body.error.details.issues.map((i: { path: string }) => i.path.split(".")[0]);
  assert.ok(fields.includes("hostname_override"), JSON.stringify(body));

  const noToken = await patch({ description: "x" }, { "x-csrf-token": "wrong" });
  assert.equal(noToken.status, 403);
  await noToken.body?.cancel();

  const ok = await patch({
    hostname_override: "web-main",
    description: "d",
    tags: ["a"],
    notes: null,
  });
  assert.equal(ok.status, 200);
  const audit = await t.db.query<{ n: number }>(
    `select count(*)::int as n from audit_log where action = $1`,
    [`PATCH /api/v1/hosts/${web.id}`],
  );
  assert.equal(audit[0].n, 1);
  const view = await (await t.call("GET", `/hosts/${web.id}?format=json`)).json();
  assert.equal(view.detail.host.hostname_override, "web-main");
  assert.equal(view.detail.host.notes, null);
});

appTest(
  "dashboard: Alive now lists up hosts; URL filters by subnet, tag, service, text",
  async (t) => {
    const { subnet, web } = await seed(t);
    const html = await page(await t.call("GET", "/"));
    // The subnets table and add form stay; the alive list follows with its islands.
    assert.match(html, /data-testid="add-subnet"/);
    assert.match(html, /data-cidr="198\.51\.100\.0\/24"/);
    assert.match(html, /<section class="card alive-section" id="alive"/);
    assert.match(
      html,
      /<form id="alive-filters" method="get" action="\/#alive" class="filter-bar"/,
    );
    assert.match(html, /data-island="FilterBar"/);
    assert.match(html, /data-island="KeyboardNav"/);
    assert.match(html, /data-island="HostDrawer"/);
    assert.match(html, /data-testid="alive-count"[^>]*>1 host</);
    const row =
      /<tr data-host-id="(\d+)" data-ip="198\.51\.100\.10" data-status="up"[^>]*>(.*?)<\/tr>/s
        .exec(html);
    assert.ok(row, "the up host has a row");
    assert.equal(Number(row[1]), web.id);
    assert.match(
      row[2],
      new RegExp(`<a href="/hosts/${web.id}" class="link mono">198\\.51\\.100\\.10</a>`),
    );
    assert.match(row[2], /<span class="chip" title="OpenSSH 9\.2p1">22\/ssh<\/span>/);
    assert.match(row[2], /0\.4 ms/);
    assert.doesNotMatch(html, /data-ip="198\.51\.100\.11"/, "down hosts are not alive");
    assert.doesNotMatch(html, /data-ip="198\.51\.100\.12"/, "never-seen hosts are not alive");
    // The drop-downs offer what exists.
    assert.match(
      html,
      new RegExp(`<option value="${subnet.id}">198\\.51\\.100\\.0/24 · lab</option>`),
    );
    assert.match(html, /<option value="ssh">ssh<\/option>/);
    assert.match(html, /<option value="prod">prod<\/option>/);

    const filtered = async (query: string) => await page(await t.call("GET", `/?${query}`));
    const ssh = await filtered(`service=ssh&subnet=${subnet.id}&tag=prod&q=web`);
    assert.match(ssh, /data-ip="198\.51\.100\.10"/);
    assert.match(ssh, /<option value="ssh" selected>ssh<\/option>/, "the URL shows in the form");
    assert.match(ssh, new RegExp(`<option value="${subnet.id}" selected>`));
    assert.match(ssh, /<option value="prod" selected>prod<\/option>/);
    assert.match(ssh, /id="alive-q" name="q" type="search" class="input" value="web"/);
    assert.match(ssh, /data-testid="clear-filters"/);
    assert.match(ssh, /matching the filters \(1 alive in all\)/);

    for (const q of ["service=telnet", "tag=lab", "q=nomatch", `subnet=${subnet.id + 999}`]) {
      const none = await filtered(q);
      assert.match(none, /data-testid="alive-empty">No alive host matches these filters\./, q);
      assert.doesNotMatch(none, /data-ip="198\.51\.100\.10"/, q);
    }
    // A stale value stays visible (and clearable) instead of silently vanishing.
    assert.match(
      await filtered("service=gopher"),
      /<option value="gopher" selected>gopher \(none now\)/,
    );
    // Garbage in the URL is ignored, not an error.
    const junk = await t.call("GET", "/?subnet=abc&q=%00");
    assert.equal(junk.status, 200);
    assert.match(await junk.text(), /data-ip="198\.51\.100\.10"/);
  },
);

appTest("subnet page: host rows carry their id and link to the host page", async (t) => {
  const { subnet, web, db } = await seed(t);
  const html = await page(await t.call("GET", `/subnets/${subnet.id}`));
  assert.match(
    html,
    new RegExp(
      `<tr id="ip-198-51-100-10" data-ip="198\\.51\\.100\\.10" data-status="up" data-host-id="${web.id}"><td><a href="/hosts/${web.id}">198\\.51\\.100\\.10</a>`,
    ),
  );
  assert.match(html, new RegExp(`data-host-id="${db.id}"><td><a href="/hosts/${db.id}">`));
  assert.match(html, /data-island="HostDrawer"/);
  assert.match(html, /data-island="KeyboardNav"/);
});
