// Hostile strings from the network (PTR names, nmap banners) and from people are shown escaped on
// the host page, the drawer (the same component the island renders from the JSON), the dashboard
// and the subnet page: the HTML holds them as text, never as markup.
import assert from "node:assert/strict";
import { renderToString } from "preact-render-to-string";
import { appTest, type TestApp } from "@/tests/support/test_app.ts";
import { HostDetail, type HostView } from "@/components/HostDetail.tsx";

const SCRIPT = `<script>alert("pwned")</script>`;
const BREAKOUT = `"'><img src=x onerror=alert(1)>`;
const HOSTILE = `${SCRIPT}${BREAKOUT}`;
const SVG = `<svg onload=alert(2)>`;
const LONG = `${"x".repeat(4000)}${SCRIPT}`;

/** Tags a page may contain; anything else (img, svg, b, i…) came from the data. */
const ALLOWED_TAGS = new Set([
  "html",
  "head",
  "meta",
  "title",
  "link",
  "script",
  "style",
  "body",
  "a",
  "header",
  "div",
  "nav",
  "ul",
  "ol",
  "li",
  "form",
  "label",
  "input",
  "span",
  "button",
  "main",
  "footer",
  "section",
  "h1",
  "h2",
  "h3",
  "p",
  "article",
  "dl",
  "dt",
  "dd",
  "time",
  "figure",
  "figcaption",
  "table",
  "thead",
  "tbody",
  "tr",
  "th",
  "td",
  "caption",
  "select",
  "option",
  "textarea",
  "details",
  "summary",
  "strong",
  "kbd",
  "dialog",
  "pf-island",
  "path",
  "rect",
  "fieldset",
  "legend",
]);

/** Every start tag, with attributes, as the browser's tokenizer would split them. */
function startTags(html: string): Array<{ name: string; raw: string }> {
  const out: Array<{ name: string; raw: string }> = [];
  // Attribute values are quoted; a quoted value may hold ">" but never a bare quote.
  const re =
    /<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s"'>=/]+(?:=(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*)\s*\/?>/g;
  for (const m of html.matchAll(re)) out.push({ name: m[1].toLowerCase(), raw: m[0] });
  return out;
}

/** Attribute names of one start tag (quoted values skipped whole, whatever they hold). */
function attributeNames(tag: string): string[] {
  const body = tag.replace(/^<[a-zA-Z][a-zA-Z0-9-]*/, "");
  const re = /\s+([^\s"'>=/]+)(?:=(?:"[^"]*"|'[^']*'|[^\s"'>]+))?/g;
  return [...body.matchAll(re)].map((m) => m[1].toLowerCase());
}

function assertNoMarkupFromData(html: string, where: string) {
  const tags = startTags(html);
  const foreign = tags.filter((t) => !ALLOWED_TAGS.has(t.name) && t.name !== "svg");
  assert.deepEqual(foreign.map((t) => t.raw), [], `${where}: tags that came from data`);
  const scripts = tags.filter((t) => t.name === "script");
  assert.ok(
    scripts.every((t) => /src="\/_build\/islands\.js"/.test(t.raw)),
    `${where}: only the islands bundle is a script: ${scripts.map((s) => s.raw)}`,
  );
  const svgs = tags.filter((t) => t.name === "svg");
  assert.ok(svgs.every((t) => !/onload/i.test(t.raw)), `${where}: an svg from data`);
  const handlers = tags.filter((t) => attributeNames(t.raw).some((n) => n.startsWith("on")));
  assert.deepEqual(handlers.map((t) => t.raw), [], `${where}: inline event handlers`);
  assert.ok(!html.includes(SCRIPT), `${where}: raw <script> text`);
  assert.ok(!html.includes(`<img src=x`), `${where}: raw <img>`);
}

async function seedHostile(t: TestApp) {
  const [{ id: subnet }] = await t.db.query<{ id: number }>(
    `insert into subnet (cidr, name, description, tags) values
       ('198.51.100.0/24', $1, $1, $2::text[]) returning id`,
    [HOSTILE, [HOSTILE]],
  );
  // Straight into SQL: PTR answers and nmap banners never pass the API's validation.
  const [{ id }] = await t.db.query<{ id: number }>(
    `insert into host (ip, subnet_id, hostname, hostname_override, description, tags, notes, mac,
       vendor, discovered)
     values ('198.51.100.10', $1, $2, $3, $4, $5::text[], $6, '00:00:5e:00:53:01', $7, true)
     returning id`,
    [subnet, LONG, HOSTILE, HOSTILE, [HOSTILE, SVG], `${HOSTILE}\n${SVG}`, HOSTILE],
  );
  await t.kv.set(["host_state", "198.51.100.10"], {
    up: true,
    latency_ms: 1,
    since: t.clock.now - 60_000,
    last_seen: t.clock.now,
    method: HOSTILE,
  });
  const [{ id: scan }] = await t.db.query<{ id: number }>(
    `insert into port_scan (host_id, target, started_at, finished_at, status, trigger, error)
     values ($1, '198.51.100.10', now(), now(), 'succeeded', 'manual', $2) returning id`,
    [id, HOSTILE],
  );
  await t.db.query(
    `insert into host_open_port (host_id, scan_id, port, proto, state, service, product, version)
     values ($1, $2, 22, 'tcp', 'open', $3, $4, $5), ($1, $2, 80, 'tcp', 'open', 'http', $4, '')`,
    [id, scan, SVG, HOSTILE, BREAKOUT],
  );
  await t.db.query(
    `insert into host_event (host_id, ts, kind, detail) values
       ($1, now(), 'hostname_changed', $2::jsonb),
       ($1, now(), 'port_opened', $3::jsonb),
       ($1, now(), 'service_changed', $4::jsonb),
       ($1, now(), 'discovered', $5::jsonb)`,
    [
      id,
      JSON.stringify({ from: SVG, to: HOSTILE, source: BREAKOUT }),
      JSON.stringify({ port: 22, proto: "tcp", service: SVG, product: HOSTILE, version: BREAKOUT }),
      JSON.stringify({ port: 22, proto: "tcp", from: { service: SVG }, to: { product: HOSTILE } }),
      JSON.stringify({ method: HOSTILE }),
    ],
  );
  return { id, subnet };
}

appTest(
  "hostile host fields and banners are escaped on every page and in the drawer",
  async (t) => {
    const { id, subnet } = await seedHostile(t);
    const pages = [
      `/hosts/${id}`,
      `/hosts/${id}?saved=1`,
      "/",
      `/?q=${encodeURIComponent(HOSTILE)}&tag=${encodeURIComponent(HOSTILE)}`,
      `/?service=${encodeURIComponent(SVG)}`,
      `/subnets/${subnet}`,
    ];
    for (const path of pages) {
      const res = await t.call("GET", path);
      assert.equal(res.status, 200, path);
      const html = await res.text();
      assertNoMarkupFromData(html, path);
      // The values are there, as text.
      assert.ok(
        html.includes("&lt;script>") || html.includes("&lt;script&gt;"),
        `${path}: escaped`,
      );
    }
    const hostPage = await (await t.call("GET", `/hosts/${id}`)).text();
    assert.ok(hostPage.includes("x".repeat(4000)), "a very long PTR name is shown whole");
    assert.match(
      hostPage,
      /<li class="chip port-chip" title="&lt;script>alert\(&quot;pwned&quot;\)/,
    );

    // A rejected no-JavaScript save echoes what was typed, escaped too.
    const bad = await t.call("POST", `/hosts/${id}`, {
      body: new URLSearchParams({
        _csrf: t.admin.csrf,
        _action: "update",
        hostname_override: HOSTILE,
        description: HOSTILE,
        tags: SVG,
        notes: HOSTILE,
      }),
      headers: { "x-csrf-token": "" },
    });
    assert.equal(bad.status, 422);
    assertNoMarkupFromData(await bad.text(), "rejected save");

    // The drawer: JSON (never HTML) with the strings verbatim, rendered by the same component.
    const res = await t.call("GET", `/hosts/${id}?format=json`);
    assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
    const view = await res.json() as HostView;
    assert.equal(view.detail.host.hostname_override, HOSTILE);
    assert.equal(view.detail.ports[0].product, HOSTILE);
    const drawer = renderToString(
      <HostDetail view={view} level={2} headingId="drawer-title" csrf="t" onChanged={() => {}} />,
    );
    assertNoMarkupFromData(drawer, "drawer");
    assert.ok(
      drawer.includes("&lt;svg onload=alert(2)>") || drawer.includes("&lt;svg onload=alert(2)&gt;"),
    );
  },
);
