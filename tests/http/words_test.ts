// Words the UI shows, through the app on both engines: the audit log says what changed, empty
// states say why they are empty, counts agree with their nouns.
import assert from "node:assert/strict";
import { appTest } from "@/tests/support/test_app.ts";

const form = (fields: Record<string, string>) => ({
  body: new URLSearchParams(fields),
  headers: { "content-type": "application/x-www-form-urlencoded", "x-csrf-token": "" },
});

appTest("the audit log says what changed, not the request line", async (t) => {
  const added = await t.call("POST", "/", form({ cidr: "198.51.100.0/24", _csrf: t.admin.csrf }));
  assert.ok(added.status < 400, String(added.status));
  const api = await t.call("POST", "/api/v1/hosts", { json: { ip: "198.51.100.7" } });
  assert.equal(api.status, 201);
  const html = await (await t.call("GET", "/settings")).text();
  assert.match(html, /created subnet 198\.51\.100\.0\/24/);
  assert.match(html, /created host 198\.51\.100\.7/);
});

appTest("a filter that matches nothing says so; counts agree with their nouns", async (t) => {
  for (const cidr of ["127.0.0.0/24", "127.0.1.0/24"]) {
    assert.equal(
      (await t.call("POST", "/api/v1/subnets", { json: { cidr, name: "Loopback lab" } })).status,
      201,
    );
  }
  const none = await (await t.call("GET", "/subnets?q=zzz")).text();
  assert.match(none, /No subnet matches “zzz”/);
  assert.doesNotMatch(none, /No subnets yet/);
  const one = await (await t.call("GET", "/subnets?q=127.0.1")).text();
  assert.match(one, /1 subnet matching/);
  const dash = await (await t.call("GET", "/")).text();
  assert.match(dash, /2 subnets · 0 hosts/);
  const [{ id }] = await t.db.query<{ id: number }>(
    "select id from subnet where cidr = '127.0.0.0/24'",
  );
  const page = await (await t.call("GET", `/subnets/${id}`)).text();
  assert.match(page, /127\.0\.0\.0\/24<\/span><span class="font-normal"> · Loopback lab/);
});
