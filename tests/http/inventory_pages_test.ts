// Inventory and operations pages in-process: organizations, servers (live addresses, link forms),
// the host page's inventory section and action runner, dashboard indicator filter, scans, runs.
import assert from "node:assert/strict";
import { appTest, type TestApp } from "@/tests/support/test_app.ts";

const DATA_DIR = Deno.makeTempDirSync({ prefix: "pf_pages_" });
Deno.mkdirSync(`${DATA_DIR}/actions`);
Deno.writeTextFileSync(`${DATA_DIR}/actions/up.sh`, "#!/bin/sh\nuptime\n");
Deno.chmodSync(`${DATA_DIR}/actions/up.sh`, 0o755);
const ENV = { DATA_DIR, PTR_LOOKUP_ENABLED: "0", PING_TIMEOUT_MS: "300" };

/** Submits a form the way a browser does: urlencoded, CSRF in the _csrf field only. */
function post(t: TestApp, path: string, fields: Record<string, string>) {
  const body = new URLSearchParams({ _csrf: t.admin.csrf, ...fields });
  return t.call("POST", path, {
    body,
    headers: { "content-type": "application/x-www-form-urlencoded", "x-csrf-token": "" },
  });
}

appTest(
  "organization and server pages: create, link, 409 shown beside the form, live addresses",
  async (t) => {
    const created = await post(t, "/inventory/organizations", {
      name: "Acme <b>",
      contact_email: "a@b.c",
    });
    assert.equal(created.status, 303);
    const orgUrl = created.headers.get("location")!.split("?")[0];
    const orgPage = await (await t.call("GET", created.headers.get("location")!)).text();
    assert.match(orgPage, /Acme &lt;b>/);
    assert.match(orgPage, /Organization added/);

    const dup = await post(t, "/inventory/organizations", { name: "ACME <B>" });
    assert.equal(dup.status, 409);
    assert.match(
      await dup.text(),
      /data-testid="form-error"[^>]*>organization &quot;Acme &lt;b>&quot; \(id \d+\) already has this name/,
    );

    const orgId = orgUrl.split("/").pop()!;
    const srv = await post(t, "/inventory/servers", {
      name: "web1",
      organization_id: orgId,
      role: "web",
      addresses: "127.0.0.70\n127.0.0.71",
    });
    assert.equal(srv.status, 303, await srv.clone().text());
    const srvUrl = srv.headers.get("location")!.split("?")[0];
    await t.kv.set(["host_state", "127.0.0.70"], {
      up: true,
      latency_ms: 1.2,
      since: t.clock.now,
      last_seen: t.clock.now,
    });
    const srvPage = await (await t.call("GET", srvUrl)).text();
    assert.match(srvPage, /data-testid="server-addresses"/);
    assert.match(srvPage, /127\.0\.0\.70/);
    assert.match(srvPage, /pill-up/);
    assert.match(srvPage, /Acme &lt;b>/);

    const bad = await post(t, srvUrl, { _action: "link", ip: "127.0.0.999" });
    assert.equal(bad.status, 422);
    assert.match(await bad.text(), /invalid IP/);
    const linked = await post(t, srvUrl, { _action: "link", ip: "127.0.0.72" });
    assert.equal(linked.status, 200);
    assert.match(await linked.text(), /Linked 127\.0\.0\.72/);

    const list = await (await t.call("GET", "/inventory/servers")).text();
    assert.match(list, /web1/);
    const orgs = await (await t.call("GET", "/inventory/organizations")).text();
    assert.match(orgs, /data-testid="org-table"/);

    const refused = await post(t, orgUrl, { _action: "delete" });
    assert.equal(refused.status, 409);
    assert.match(await refused.text(), /still has 1 server/);
    assert.equal((await t.call("GET", "/inventory/servers/99999")).status, 404);
    assert.equal((await t.call("GET", "/inventory/organizations/abc")).status, 404);
  },
  ENV,
);

appTest("host page shows its server, organization, indicators and runnable actions", async (t) => {
  const org = await (await t.call("POST", "/api/v1/organizations", { json: { name: "Ops" } }))
    .json();
  const srv = await (await t.call("POST", "/api/v1/servers", {
    json: { name: "db1", organization_id: org.id, addresses: ["127.0.0.80"] },
  })).json();
  const hostId = srv.addresses[0].host_id;
  await t.call("PUT", `/api/v1/hosts/${hostId}/indicators/disk`, {
    json: { value: 97, unit: "%", thresholds: { critical_above: 90 } },
  });
  await t.call("POST", "/api/v1/actions", { json: { name: "Uptime", executable: "up.sh" } });
  const html = await (await t.call("GET", `/hosts/${hostId}`)).text();
  assert.match(
    html,
    /data-testid="hd-server"><a class="link" href="\/inventory\/servers\/\d+">db1</,
  );
  assert.match(
    html,
    /data-testid="hd-organization"><a class="link" href="\/inventory\/organizations\/\d+">Ops</,
  );
  assert.match(html, /data-island="ActionRunner"/);
  assert.match(html, /Uptime/);
  const view = await (await t.call("GET", `/hosts/${hostId}?format=json`)).json();
  assert.equal(view.inventory.server.name, "db1");
  assert.equal(view.inventory.indicators[0].status, "critical");
  assert.deepEqual(view.inventory.actions.map((a: { name: string }) => a.name), ["Uptime"]);

  const dash = await (await t.call("GET", "/?indicator=critical")).text();
  assert.match(dash, /data-testid="indicator-panel"/);
  assert.match(dash, /critical \(1\)/);
  assert.match(dash, /127\.0\.0\.80/);
  const none = await (await t.call("GET", "/?indicator=ok")).text();
  assert.match(none, /No indicator is ok/);
}, ENV);

appTest(
  "scans page runs an ad-hoc ping, lists it with export buttons; runs page filters",
  async (t) => {
    const res = await post(t, "/operations/scans", { kind: "ping", target: "127.0.0.1" });
    assert.equal(res.status, 303);
    const detail = await (await t.call("GET", res.headers.get("location")!)).text();
    assert.match(detail, /up via fping/);
    assert.match(
      detail,
      /data-testid="export-csv" href="\/api\/v1\/scans\/\d+\/export\?format=csv"/,
    );
    const out = await post(t, "/operations/scans", { kind: "ping", target: "8.8.8.8" });
    assert.equal(out.status, 422);
    assert.match(await out.text(), /outside the scan scope/);
    const sweep = await post(t, "/operations/scans", { kind: "sweep", target: "127.0.0.0/30" });
    assert.equal(sweep.status, 303);
    assert.match(sweep.headers.get("location")!, /\?task=[0-9a-f-]{36}$/);
    await t.deps.services.tasks.drain();
    const list = await (await t.call("GET", "/operations/scans?kind=ping")).text();
    assert.match(list, /format=json/);
    assert.doesNotMatch(list, /<td>sweep<\/td>/);

    await t.call("POST", "/api/v1/actions", { json: { name: "Uptime", executable: "up.sh" } });
    const actionsPage = await (await t.call("GET", "/operations/actions")).text();
    assert.match(actionsPage, /up\.sh/);
    const refused = await post(t, "/operations/actions", {
      _action: "create",
      name: "bad",
      executable: "../../etc/passwd",
    });
    assert.equal(refused.status, 422);
    assert.match(await refused.text(), /invalid_executable|outside ACTIONS_DIR|not found/);
    const runs = await t.call("GET", "/operations/runs?status=failed&action_id=1&host_id=x");
    assert.equal(runs.status, 200);
    assert.match(await runs.text(), /data-testid="runs-table"/);
  },
  ENV,
);
