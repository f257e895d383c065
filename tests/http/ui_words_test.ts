// UI errors in the UI's words, on both engines: bad forms posted the way a browser posts them, and
// the page text checked for API words (query flags, ids, raw seconds, field names).
import assert from "node:assert/strict";
import { appTest, type TestApp } from "@/tests/support/test_app.ts";

/** A browser's urlencoded post, CSRF in the _csrf field only. */
function submit(t: TestApp, path: string, fields: Record<string, string>) {
  const body = new URLSearchParams({ _csrf: t.admin.csrf, ...fields });
  return t.call("POST", path, { body, headers: { "x-csrf-token": "" } });
}

/** The page's visible text, tags dropped, entities left (none of the checked words use them). */
async function text(res: Response): Promise<string> {
  return (await res.text()).replace(/<(script|style)[^]*?<\/\1>/g, "").replace(/<[^>]+>/g, " ");
}

appTest(
  "subnet page: host and interval errors name no API flags, ids or raw seconds",
  async (t) => {
    const s = await (await t.call("POST", "/api/v1/subnets", {
      json: { cidr: "198.51.100.0/24", name: "lab" },
    })).json() as { id: number };

    const orphan = await submit(t, `/subnets/${s.id}`, { _action: "add_host", ip: "203.0.113.9" });
    assert.equal(orphan.status, 422);
    const orphanText = await text(orphan);
    assert.match(
      orphanText,
      /203\.0\.113\.9 is not inside any subnet[;:] (create|add) a subnet that contains it first/,
    );
    assert.doesNotMatch(orphanText, /allow_orphan/);

    assert.equal(
      (await submit(t, `/subnets/${s.id}`, { _action: "add_host", ip: "198.51.100.5" }))
        .status,
      303,
    );
    const dup = await submit(t, `/subnets/${s.id}`, { _action: "add_host", ip: "198.51.100.5" });
    assert.equal(dup.status, 409);
    const dupText = await text(dup);
    assert.match(dupText, /host 198\.51\.100\.5 already exists/);
    assert.doesNotMatch(dupText, /\(id \d+\)/);

    const slow = await submit(t, `/subnets/${s.id}`, {
      _action: "update",
      cidr: "198.51.100.0/24",
      name: "lab",
      scan_interval_s: "850",
    });
    assert.equal(slow.status, 422);
    const slowText = await text(slow);
    assert.match(slowText, /14 min 10 s/);
    assert.doesNotMatch(slowText, /\b850 s\b/);
    assert.doesNotMatch(slowText, /scan_interval_s (must|is)/);
  },
);

appTest(
  "import preview: a host outside every subnet is explained without allow_orphan",
  async (t) => {
    const form = new FormData();
    form.append("_csrf", t.admin.csrf);
    form.append("kind", "hosts");
    form.append("on_existing", "update");
    form.append(
      "file",
      new File(["ip,hostname\n203.0.113.7,lost\n"], "h.csv", { type: "text/csv" }),
    );
    const res = await t.call("POST", "/import/preview", {
      body: form,
      headers: { "x-csrf-token": "" },
    });
    assert.equal(res.status, 200);
    const page = await text(res);
    assert.match(page, /203\.0\.113\.7 is not inside any subnet/);
    assert.doesNotMatch(page, /allow_orphan/);
  },
);
