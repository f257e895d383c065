// The subnet page's windows over HTTP: ?at= jumps, the live island's /rows, the new-subnet offer's
// schedule, and the interval the scheduler cannot keep refused in the form's words.
import assert from "node:assert/strict";
import { appTest, type TestApp } from "@/tests/support/test_app.ts";

function submit(t: TestApp, path: string, fields: Record<string, string>) {
  const body = new URLSearchParams({ _csrf: t.admin.csrf, ...fields });
  return t.call("POST", path, { body, headers: { "x-csrf-token": "" } });
}

appTest("subnet page windows: jump, /rows, schedule offer, interval refusal", async (t) => {
  const s = await (await t.call("POST", "/api/v1/subnets", { json: { cidr: "127.0.2.0/24" } }))
    .json();
  for (const ip of ["127.0.2.1", "127.0.2.7", "127.0.2.100"]) {
    await t.call("POST", "/api/v1/hosts", { json: { ip, hostname: `h${ip.split(".")[3]}` } });
  }
  // 6 rows: .1, gap .2-.6, .7, gap .8-.99, .100, gap .101-.254; windows of 2.
  const jump = await (await t.call("GET", `/subnets/${s.id}?limit=2&at=127.0.2.50`)).text();
  assert.match(jump, /data-testid="window-range">Rows 3–4 of 6</);
  assert.match(jump, /class="gap row-focus" data-first="127\.0\.2\.8"/);
  assert.match(jump, /data-testid="window-prev"/);
  const bad = await (await t.call("GET", `/subnets/${s.id}?at=%00zzz`)).text();
  assert.match(bad, /id="jump-at-error"[^>]*>&quot;zzz&quot; is not an address/);

  const rows = await (await t.call("GET", `/subnets/${s.id}/rows?limit=2&offset=4`)).json();
  assert.deepEqual(
    [rows.used, rows.free, rows.total_rows, rows.offset, rows.row_count, rows.next_free],
    ["3", "251", 6, 4, 2, "127.0.2.2"],
  );
  assert.match(rows.rows_html, /^<tr id="ip-127-0-2-100"/);
  assert.match(rows.rows_html, /127\.0\.2\.101–127\.0\.2\.254/);
  assert.equal((await t.call("GET", "/subnets/999999/rows")).status, 404);

  const created = await (await t.call("GET", `/subnets/${s.id}?created=1`)).text();
  assert.match(created, /data-testid="created-offer"/);
  assert.match(created, /data-sweep-subnet="\d+"/);
  const scheduled = await submit(t, `/subnets/${s.id}`, {
    _action: "schedule",
    scan_interval_s: "900",
  });
  assert.equal(scheduled.status, 303);
  const after = await (await t.call("GET", scheduled.headers.get("location")!)).text();
  assert.match(after, /data-testid="scan-interval">Scanned every 15 min</);

  const refused = await submit(t, `/subnets/${s.id}`, {
    _action: "update",
    cidr: "127.0.2.0/24",
    scan_enabled: "on",
    scan_interval_s: "90",
  });
  assert.equal(refused.status, 422);
  assert.match(
    await refused.text(),
    /data-field-error="scan_interval_s">Sweeps start every 1 min here \(at least 1 min apart\), so 1 min 30 s would really be 2 min: choose 120 seconds/,
  );
  const list = await submit(t, "/subnets", { cidr: "127.0.3.0/24", scan_interval_s: "30" });
  assert.equal(list.status, 422);
  assert.match(await list.text(), /30 s would really be 1 min/);

  // The API says the same: the interval shown is the interval swept at.
  const api = await t.call("POST", "/api/v1/subnets", {
    json: { cidr: "127.0.4.0/24", scan_interval_s: 30 },
  });
  assert.equal(api.status, 422);
  const err = (await api.json()).error;
  assert.equal(err.code, "interval_not_kept");
  assert.equal(err.details.swept_every_s, 60);
  const patched = await t.call("PATCH", `/api/v1/subnets/${s.id}`, {
    json: { scan_interval_s: 90 },
  });
  assert.equal(patched.status, 422);
  const fine = await t.call("PATCH", `/api/v1/subnets/${s.id}`, { json: { scan_interval_s: 120 } });
  assert.equal(fine.status, 200);
});
