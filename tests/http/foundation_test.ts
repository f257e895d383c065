// The foundation through HTTP: health, OpenAPI, docs, errors, headers, body limits.
import assert from "node:assert/strict";
import { appTest } from "@/tests/support/test_app.ts";

appTest("health reports db and kv ok, and 503 naming the part that fails", async (t) => {
  const ok = await t.call("GET", "/health", { as: null });
  assert.equal(ok.status, 200);
  const body = await ok.json();
  assert.equal(body.status, "ok");
  assert.equal(body.db, "ok");
  assert.equal(body.kv, "ok");
  assert.match(body.version, /^\d+\.\d+\.\d+/);

  t.kv.close();
  const down = await t.call("GET", "/health", { as: null });
  assert.equal(down.status, 503);
  const bad = await down.json();
  assert.equal(bad.db, "ok");
  assert.match(bad.kv, /^error/);
});

appTest("openapi.json documents the API and /docs renders it without login", async (t) => {
  const res = await t.call("GET", "/openapi.json", { as: null });
  assert.equal(res.status, 200);
  const doc = await res.json();
  assert.equal(doc.openapi, "3.1.0");
  assert.ok(doc.paths["/api/v1/auth/login"]?.post, "login documented");
  assert.ok(Object.keys(doc.paths).some((p) => p.startsWith("/api/v1/tokens")));
  const docs = await t.call("GET", "/docs", { as: null });
  assert.equal(docs.status, 200);
  const html = await docs.text();
  assert.match(html, /POST \/api\/v1\/auth\/login/);
  assert.doesNotMatch(html, /https?:\/\/(cdn|unpkg|fonts)\./);
});

appTest("API errors are JSON with code and message; pages get an HTML error page", async (t) => {
  const anon = await t.call("GET", "/api/v1/tokens", { as: null });
  assert.equal(anon.status, 401);
  assert.equal((await anon.json()).error.code, "unauthorized");
  const missing = await t.call("GET", "/api/v1/nope");
  assert.equal(missing.status, 404);
  assert.deepEqual(Object.keys((await missing.json()).error).sort(), ["code", "message"]);
  const page = await t.call("GET", "/no/such/page");
  assert.equal(page.status, 404);
  assert.match(page.headers.get("content-type") ?? "", /text\/html/);
  const text = await page.text();
  assert.match(text, /Not found/);
  assert.doesNotMatch(text, /at .*\.ts:\d+/);
});

appTest(
  "malformed JSON is 400, wrong types 422, oversized bodies 413 — nothing stored",
  async (t) => {
    const malformed = await t.call("POST", "/api/v1/tokens", {
      body: "{not json",
      headers: { "content-type": "application/json" },
    });
    assert.equal(malformed.status, 400);
    assert.match((await malformed.json()).error.message, /JSON/i);
    const wrongType = await t.call("POST", "/api/v1/tokens", { json: { name: 42 } });
    assert.equal(wrongType.status, 422);
    const body = await wrongType.json();
    assert.equal(body.error.code, "validation_failed");
    assert.match(body.error.message, /name/);
    const huge = await t.call("POST", "/api/v1/tokens", { json: { name: "x".repeat(2_000_000) } });
    assert.equal(huge.status, 413);
    assert.equal((await huge.json()).error.code, "payload_too_large");
    const list = await (await t.call("GET", "/api/v1/tokens")).json();
    assert.equal(list.items.length, 0);
  },
);

appTest("HTML and SQL metacharacters in input are stored literally, never executed", async (t) => {
  const name = `<script>alert(1)</script>'; drop table api_token; --`;
  const res = await t.call("POST", "/api/v1/tokens", { json: { name } });
  assert.equal(res.status, 201);
  const list = await (await t.call("GET", "/api/v1/tokens")).json();
  assert.equal(list.items[0].name, name);
  const [{ n }] = await t.db.query<{ n: number }>("select count(*)::int as n from api_token");
  assert.equal(n, 1);
});

appTest("every response carries a strict CSP and safe headers", async (t) => {
  const res = await t.call("GET", "/login", { as: null });
  const csp = res.headers.get("content-security-policy") ?? "";
  assert.match(csp, /object-src 'none'/);
  assert.match(csp, /base-uri 'none'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.equal(res.headers.get("x-content-type-options"), "nosniff");
  const html = await res.text();
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, "no inline script");
});

appTest("static assets and the built islands are served locally", async (t) => {
  const css = await t.call("GET", "/static/app.css", { as: null });
  assert.equal(css.status, 200);
  assert.match(css.headers.get("content-type") ?? "", /text\/css/);
  const js = await t.call("GET", "/_build/islands.js", { as: null });
  assert.equal(js.status, 200, "run `deno task build` first");
  assert.match(await js.text(), /pf-island/);
  const escape = await t.call("GET", "/static/..%2F..%2Fdeno.json", { as: null });
  assert.equal(escape.status, 404);
});
