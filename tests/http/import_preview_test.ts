// The import preview shows each update's old → new values; Import is in the main navigation.
import assert from "node:assert/strict";
import { appTest } from "@/tests/support/test_app.ts";

appTest("the import preview shows old → new values for updates", async (t) => {
  await t.call("POST", "/api/v1/subnets", { json: { cidr: "198.51.100.0/24" } });
  const made = await t.call("POST", "/api/v1/hosts", {
    json: { ip: "198.51.100.7", hostname: "old-name", tags: ["a"] },
  });
  assert.equal(made.status, 201);
  const form = new FormData();
  form.append("_csrf", t.admin.csrf);
  form.append("kind", "hosts");
  form.append("on_existing", "update");
  form.append(
    "file",
    new File(["ip,hostname,tags\n198.51.100.7,new-name,a;b\n"], "hosts.csv", { type: "text/csv" }),
  );
  const res = await t.call("POST", "/import/preview", {
    body: form,
    headers: { "x-csrf-token": "" },
  });
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /hostname<\/span>: <del[^>]*>old-name<\/del> → <ins[^>]*>new-name<\/ins>/);
  assert.match(html, /tags<\/span>: <del[^>]*>a<\/del> → <ins[^>]*>a; b<\/ins>/);
  assert.match(html, /<a href="\/import" class="nav-link"[^>]*>Import<\/a>/);
});
