// The dashboard's board over HTTP on both engines: `/?format=json` is what the live island
// re-reads, pages are bounded whatever the URL says, and a viewer gets no action buttons.
import assert from "node:assert/strict";
import { appTest } from "@/tests/support/test_app.ts";
import { hostStateKey } from "@/services/ipam/mod.ts";

appTest("dashboard board: JSON for the live island, bounded pages, junk ignored", async (t) => {
  const [{ id: sid }] = await t.db.query<{ id: number }>(
    `insert into subnet (cidr, name) values ('198.51.100.0/24', 'lab') returning id`,
  );
  const ips = Array.from({ length: 14 }, (_, i) => `198.51.100.${i + 1}`);
  await t.db.query(
    `insert into host (ip, subnet_id) select u::inet, $2 from unnest($1::text[]) as u`,
    [ips, sid],
  );
  const now = t.clock.now;
  // 12 down (last answers 1..12 minutes ago), 1 up, 1 never checked.
  for (let i = 0; i < 12; i++) {
    await t.kv.set(hostStateKey(ips[i]), {
      up: false,
      latency_ms: null,
      since: now - 30_000,
      last_seen: now - (i + 1) * 60_000,
      method: "fping",
      checked_at: now,
    });
  }
  await t.kv.set(hostStateKey(ips[12]), {
    up: true,
    latency_ms: 0.5,
    since: now - 60_000,
    last_seen: now,
    method: "fping",
    checked_at: now,
  });

  const res = await t.call("GET", "/?format=json");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /json/);
  const v = await res.json();
  assert.deepEqual(v.totals, { subnets: 1, hosts: 14, up: 1, down: 12, unknown: 1 });
  assert.equal(v.down.length, 10, "one page of down hosts");
  assert.equal(v.down[0].ip, "198.51.100.1", "the newest outage first");
  assert.deepEqual(v.downPage, { page: 1, size: 10, total: 12 });
  assert.deepEqual(v.statusSubnets.map((s: { down: number }) => s.down), [12]);

  const p2 = await (await t.call("GET", "/?format=json&dp=2&q=x")).json();
  assert.deepEqual(p2.down.map((d: { ip: string }) => d.ip), ["198.51.100.11", "198.51.100.12"]);
  assert.equal(p2.query, "q=x", "page links keep the filters, not the paging keys");

  // The page: Down now first, its pager, the form behind a button.
  const html = await (await t.call("GET", "/?dp=2")).text();
  assert.match(html, /data-testid="dp-pages">Page 2 of 2</);
  assert.match(html, /href="\/#down" rel="prev"|rel="prev" href="\/#down"/);
  assert.ok(html.indexOf('id="down"') < html.indexOf('data-testid="add-subnet"'));
  assert.match(html, /<details class="card" data-testid="add-subnet">/);

  // Junk paging is read as page 1 or past the end, never an error.
  for (const q of ["dp=abc", "dp=0", "dp=99999999", "sp=-1", "ap=%00", "dp=1e9"]) {
    const r = await t.call("GET", `/?${q}`);
    assert.equal(r.status, 200, q);
    await r.body?.cancel();
  }
  const far = await (await t.call("GET", "/?format=json&dp=999999")).json();
  assert.deepEqual(far.down, []);
  assert.equal(far.downPage.total, 12);
});
