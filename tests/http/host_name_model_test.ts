// One hostname model on both engines: the host page, the drawer's JSON and the edit form all show
// the name in force by shared/host_name.ts (override > PTR > typed > SNMP) and say why.
import assert from "node:assert/strict";
import { appTest } from "@/tests/support/test_app.ts";

appTest(
  "host name: PTR in force, then the override; page, drawer JSON and form agree",
  async (t) => {
    await t.call("POST", "/api/v1/subnets", { json: { cidr: "198.51.100.0/24", name: "lab" } });
    const host = await (await t.call("POST", "/api/v1/hosts", {
      json: { ip: "198.51.100.20" },
    })).json() as { id: number };
    // What a reverse-DNS sweep writes, and what an SNMP poll last read.
    await t.db.query(
      `update host set hostname = 'r20.example.net', hostname_source = 'ptr' where id = $1`,
      [host.id],
    );
    await t.db.query(
      `insert into snmp_poll (host_id, polled_at, status, sys_name, settings_from, duration_ms)
     values ($1, now(), 'ok', 'Core Switch', 'host', 5)`,
      [host.id],
    );

    let html = await (await t.call("GET", `/hosts/${host.id}`)).text();
    assert.match(html, /<h1 id="host-title" class="hd-title">r20\.example\.net<\/h1>/);
    assert.match(html, /In force: r20\.example\.net, from reverse DNS \(PTR\)\./);
    assert.match(html, /data-source="ptr"[^]*?name-winner/);
    assert.match(html, /data-source="snmp"[^]*?Core-Switch/);
    // The edit form: empty override, the name in force as placeholder, the hint says why.
    assert.match(html, /name="hostname_override"[^>]*placeholder="r20\.example\.net"/);
    assert.match(html, /leave blank to keep it/);

    const json = await (await t.call("GET", `/hosts/${host.id}?format=json`)).json();
    assert.equal(json.names.names.shown, "r20.example.net");
    assert.equal(json.names.names.winner, "ptr");

    const patched = await t.call("PATCH", `/api/v1/hosts/${host.id}`, {
      json: { hostname_override: "core-20" },
    });
    assert.equal(patched.status, 200);
    html = await (await t.call("GET", `/hosts/${host.id}`)).text();
    assert.match(html, /<h1 id="host-title" class="hd-title">core-20<\/h1>/);
    assert.match(html, /In force: core-20, from your override\./);
    assert.match(html, /name="hostname_override"[^>]*value="core-20"/);
    assert.match(html, /Clear it to go back to r20\.example\.net/);
    const after = await (await t.call("GET", `/hosts/${host.id}?format=json`)).json();
    assert.equal(after.names.names.shown, "core-20");
    assert.equal(after.names.names.winner, "override");
  },
);
