// The settings page: tokens created and revoked through forms, names escaped.
import assert from "node:assert/strict";
import { appTest } from "@/tests/support/test_app.ts";

const form = (fields: Record<string, string>) => ({
  body: new URLSearchParams(fields),
  // No CSRF header: the form field alone must carry the token.
  headers: { "content-type": "application/x-www-form-urlencoded", "x-csrf-token": "" },
});

appTest(
  "a token made on the settings page is shown once, escaped, and can be revoked",
  async (t) => {
    const evil = `<img src=x onerror=alert(1)>"'`;
    const res = await t.call("POST", "/settings/tokens", form({ name: evil, _csrf: t.admin.csrf }));
    assert.equal(res.status, 201);
    const html = await res.text();
    assert.match(html, /data-testid="new-token">pf_/);
    assert.ok(!html.includes(evil), "raw markup never reaches the page");
    assert.ok(html.includes("&lt;img src=x onerror=alert(1)>"));
    const again = await (await t.call("GET", "/settings")).text();
    assert.doesNotMatch(again, /data-testid="new-token"/, "shown only once");

    const [{ id }] = await t.db.query<{ id: number }>("select id from api_token");
    const forged = await t.call("POST", `/settings/tokens/${id}/revoke`, form({ _csrf: "nope" }));
    assert.equal(forged.status, 403);
    const revoke = await t.call(
      "POST",
      `/settings/tokens/${id}/revoke`,
      form({ _csrf: t.admin.csrf }),
    );
    assert.equal(revoke.status, 303);
    const [row] = await t.db.query<{ revoked: boolean }>(
      "select revoked_at is not null as revoked from api_token where id = $1",
      [id],
    );
    assert.equal(row.revoked, true);
  },
);

appTest("an empty token name is a 422, not a 500", async (t) => {
  const res = await t.call("POST", "/settings/tokens", form({ name: "  ", _csrf: t.admin.csrf }));
  assert.equal(res.status, 422);
  assert.match(await res.text(), /token name/);
});
