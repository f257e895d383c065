// IPAM pages in-process: dashboard add-subnet form, subnet page actions, search, CSV import via the UI.
import assert from "node:assert/strict";
import { appTest, type TestApp } from "@/tests/support/test_app.ts";

/** Submits a form the way a browser does: urlencoded, CSRF in the _csrf field only. */
function submit(t: TestApp, path: string, fields: Record<string, string>, withCsrf = true) {
  const body = new URLSearchParams({ ...(withCsrf ? { _csrf: t.admin.csrf } : {}), ...fields });
  return t.call("POST", path, { body, headers: { "x-csrf-token": "" } });
}

appTest(
  "dashboard: the add-subnet form validates server-side and the new CIDR shows at once",
  async (t) => {
    const bad = await submit(t, "/", { cidr: "10.0.0.300/24", name: "Lab" });
    assert.equal(bad.status, 422);
    const html = await bad.text();
    assert.match(html, /data-field-error="cidr">invalid CIDR [^<]*octet 300 > 255</);
    assert.match(html, /value="10\.0\.0\.300\/24"/, "what was typed is shown again");
    assert.match(html, /value="Lab"/);

    const noCsrf = await submit(t, "/", { cidr: "10.0.0.0/24" }, false);
    assert.equal(noCsrf.status, 403);

    const hostBits = await submit(t, "/", { cidr: "10.0.0.5/24" });
    assert.equal(hostBits.status, 422);
    assert.match(await hostBits.text(), /the network is 10\.0\.0\.0\/24/);

    const ok = await submit(t, "/", {
      cidr: "10.0.0.5/24",
      normalize: "on",
      name: "Lab",
      tags: "a; b",
    });
    assert.equal(ok.status, 303);
    const location = ok.headers.get("location")!;
    assert.match(location, /^\/\?created=\d+#subnet-\d+$/);
    const dash = await (await t.call("GET", location)).text();
    assert.match(dash, /data-testid="created-notice"/);
    assert.match(dash, /data-cidr="10\.0\.0\.0\/24"/);
    assert.match(dash, /data-col="free">254</);

    const dup = await submit(t, "/", { cidr: "10.0.0.0/24" });
    assert.equal(dup.status, 409);
    assert.match(await dup.text(), /already exists/);
  },
);

appTest(
  "subnet page: folded rows with pills and expand chips; next free; add host; edit; delete",
  async (t) => {
    const s = await (await t.call("POST", "/api/v1/subnets", { json: { cidr: "127.0.2.0/24" } }))
      .json();
    await t.call("POST", "/api/v1/subnets", { json: { cidr: "127.0.2.192/27", name: "OOB" } });
    await t.call("POST", "/api/v1/hosts", { json: { ip: "127.0.2.1", hostname: "gw" } });
    await t.kv.set(["host_state", "127.0.2.1"], {
      up: true,
      latency_ms: 0.42,
      since: t.clock.now - 60_000,
      last_seen: t.clock.now - 5_000,
      method: "icmp",
    });
    const res = await t.call("GET", `/subnets/${s.id}`);
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /data-ip="127\.0\.2\.1" data-status="up"/);
    assert.match(html, /class="pill pill-up"/);
    assert.match(html, /0\.4 ms/);
    assert.match(html, /just now/);
    assert.match(html, /data-island="AddressTable"/);
    assert.match(html, /<button type="button" class="chip chip-button" data-expand/);
    assert.match(html, /127\.0\.2\.2–127\.0\.2\.254/);
    assert.match(html, /253 unused/);
    assert.match(html, /data-testid="next-free-ip">127\.0\.2\.2</);
    assert.match(html, /Child subnets/);
    assert.match(html, /data-island="QuickSearch"/);

    const claim = await submit(t, `/subnets/${s.id}`, {
      _action: "add_host",
      ip: "127.0.2.2",
      hostname: "new-host",
    });
    assert.equal(claim.status, 303);
    assert.match(claim.headers.get("location")!, /\?host=127\.0\.2\.2#ip-127-0-2-2$/);
    const after = await (await t.call("GET", `/subnets/${s.id}`)).text();
    assert.match(after, /id="ip-127-0-2-2"/);
    assert.match(after, /data-testid="next-free-ip">127\.0\.2\.3</);

    const badHost = await submit(t, `/subnets/${s.id}`, { _action: "add_host", ip: "127.0.2.2" });
    assert.equal(badHost.status, 409);
    assert.match(await badHost.text(), /host 127\.0\.2\.2 already exists/);

    const edit = await submit(t, `/subnets/${s.id}`, {
      _action: "update",
      cidr: "127.0.2.0/24",
      name: "Servers",
      vlan: "4095",
    });
    assert.equal(edit.status, 422);
    assert.match(await edit.text(), /vlan must be 1-4094/);
    // 127.0.2.0/24 is outside this test's scan scope: scanning cannot be turned on, and the form
    // says how.
    const outside = await submit(t, `/subnets/${s.id}`, {
      _action: "update",
      cidr: "127.0.2.0/24",
      scan_enabled: "on",
    });
    assert.equal(outside.status, 422);
    assert.match(
      await outside.text(),
      /data-field-error="scan_enabled">subnet 127\.0\.2\.0\/24 is outside the scan scope.*Settings → Scan scope/,
    );
    const saved = await submit(t, `/subnets/${s.id}`, {
      _action: "update",
      cidr: "127.0.2.0/24",
      name: "Servers",
      vlan: "10",
      scan_interval_s: "600",
    });
    assert.equal(saved.status, 303);
    const api = await (await t.call("GET", `/api/v1/subnets/${s.id}`)).json();
    assert.deepEqual([api.name, api.vlan, api.scan_enabled, api.scan_interval_s], [
      "Servers",
      10,
      false,
      600,
    ]);

    const refused = await submit(t, `/subnets/${s.id}`, { _action: "delete" });
    assert.equal(refused.status, 409);
    assert.match(await refused.text(), /data-testid="delete-error"/);
    const gone = await submit(t, `/subnets/${s.id}`, { _action: "delete", cascade: "all" });
    assert.equal(gone.status, 303);
    assert.match(gone.headers.get("location")!, /^\/subnets\?deleted=127\.0\.2\.0%2F24$/);
    assert.equal((await t.call("GET", `/subnets/${s.id}`)).status, 404);
    assert.equal((await t.call("GET", "/subnets/abc")).status, 404);
  },
  // Only the lab range is in scope here, so the loopback subnet below is outside it.
  { SCAN_SCOPE: "198.51.100.0/24" },
);

appTest(
  "alive-first order puts up hosts first; /subnets lists the tree with filters",
  async (t) => {
    const s = await (await t.call("POST", "/api/v1/subnets", {
      json: { cidr: "198.51.100.0/24", tags: ["office"] },
    })).json();
    await t.call("POST", "/api/v1/subnets", { json: { cidr: "203.0.113.0/24" } });
    for (const ip of ["198.51.100.1", "198.51.100.9"]) {
      await t.call("POST", "/api/v1/hosts", { json: { ip } });
    }
    await t.kv.set(["host_state", "198.51.100.9"], {
      up: true,
      latency_ms: 3,
      since: 1,
      last_seen: 2,
      method: "icmp",
    });
    const html = await (await t.call("GET", `/subnets/${s.id}?order=alive_first`)).text();
    assert.ok(html.indexOf('data-ip="198.51.100.9"') < html.indexOf('data-ip="198.51.100.1"'));
    const list = await (await t.call("GET", "/subnets?tag=office")).text();
    assert.match(list, /data-cidr="198\.51\.100\.0\/24"/);
    assert.doesNotMatch(list, /data-cidr="203\.0\.113\.0\/24"/);
  },
);

appTest("search page shows hosts and subnets and links hosts to their row", async (t) => {
  const s = await (await t.call("POST", "/api/v1/subnets", {
    json: { cidr: "127.0.2.0/24", name: "Servers" },
  })).json();
  await t.call("POST", "/api/v1/hosts", { json: { ip: "127.0.2.20", hostname: "db-01" } });
  const html = await (await t.call("GET", "/search?q=db-01")).text();
  assert.match(html, new RegExp(`href="/subnets/${s.id}#ip-127-0-2-20"`));
  const subnetHit = await (await t.call("GET", "/search?q=127.0.2.20")).text();
  assert.match(subnetHit, /data-testid="subnet-results"/);
  assert.match(await (await t.call("GET", "/search?q=nothing-here")).text(), /Nothing found/);
  assert.equal((await t.call("GET", "/search", { as: null })).status, 303, "login first");
});

appTest("import via the UI: upload, dry-run preview, confirm, all rows written", async (t) => {
  await t.call("POST", "/api/v1/subnets", { json: { cidr: "127.0.2.0/24" } });
  const csv =
    "ip,hostname,tags\r\n127.0.2.10,web-01,prod\r\n127.0.2.11,web-02,prod\r\n10.9.9.9,far,\r\n";
  const form = new FormData();
  form.append("_csrf", t.admin.csrf);
  form.append("kind", "hosts");
  form.append("on_existing", "update");
  form.append("file", new File([csv], "hosts.csv", { type: "text/csv" }));
  const preview = await t.call("POST", "/import/preview", {
    body: form,
    headers: { "x-csrf-token": "" },
  });
  assert.equal(preview.status, 200);
  const html = await preview.text();
  assert.match(html, /data-testid="count-create">2</);
  assert.match(html, /data-testid="count-error">1</);
  assert.match(html, /10\.9\.9\.9 is not inside any subnet/);
  assert.match(html, /Import 2 row\(s\), skipping 1 with errors/);
  assert.equal((await (await t.call("GET", "/api/v1/hosts")).json()).items.length, 0, "dry run");

  // The confirm form carries the choices and the kept file's id, not the CSV itself.
  assert.doesNotMatch(html, /<textarea name="csv"/);
  const hidden = [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)]
    .map((m) => [m[1], m[2].replaceAll("&quot;", '"').replaceAll("&amp;", "&")]);
  assert.ok(hidden.some(([k, v]) => k === "upload_id" && /^[\w-]{32}$/.test(v)));
  const confirm = new URLSearchParams(hidden.filter(([k]) => k !== "_csrf"));
  confirm.set("_csrf", t.admin.csrf);
  const applied = await t.call("POST", "/import/apply", {
    body: confirm,
    headers: { "x-csrf-token": "" },
  });
  assert.equal(applied.status, 200);
  assert.match(await applied.text(), /Imported 2 new and 0 updated/);
  const hosts = await (await t.call("GET", "/api/v1/hosts")).json();
  assert.deepEqual(hosts.items.map((h: { ip: string }) => h.ip), ["127.0.2.10", "127.0.2.11"]);
  const again = await t.call("POST", "/import/apply", {
    body: confirm,
    headers: { "x-csrf-token": "" },
  });
  assert.equal(again.status, 410, "a kept file is imported once");
  assert.match(await again.text(), /this preview has expired or was already imported/);

  const broken = new FormData();
  broken.append("_csrf", t.admin.csrf);
  broken.append("kind", "subnets");
  broken.append("file", new File(["nonsense\n1,2\n"], "x.csv"));
  const bad = await t.call("POST", "/import/preview", {
    body: broken,
    headers: { "x-csrf-token": "" },
  });
  assert.equal(bad.status, 422);
  assert.match(await bad.text(), /data-testid="import-error"/);
});

appTest("viewers see the data but no forms", async (t) => {
  await t.call("POST", "/api/v1/users", {
    json: {
      username: "vic",
      password: "viewer-password-1",
      role: "viewer",
      must_change_password: false,
    },
  });
  const s = await (await t.call("POST", "/api/v1/subnets", { json: { cidr: "127.0.2.0/24" } }))
    .json();
  const vic = await t.login("vic", "viewer-password-1");
  const dash = await (await t.call("GET", "/", { as: vic })).text();
  assert.match(dash, /data-cidr="127\.0\.2\.0\/24"/);
  assert.doesNotMatch(dash, /Add a subnet/);
  const page = await (await t.call("GET", `/subnets/${s.id}`, { as: vic })).text();
  assert.doesNotMatch(page, /Claim next free address/);
  assert.match(page, /&quot;canClaim&quot;:false/);
});
