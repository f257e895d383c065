// NUL bytes, lone surrogates, huge numbers and sloppy ids: a 422 (or 4xx page) naming the field,
// never a 500 from the database.
import assert from "node:assert/strict";
import { appTest, cookieFrom, type TestApp } from "@/tests/support/test_app.ts";

async function expect422(res: Response, field: string, what: string) {
  const text = await res.text();
  assert.equal(res.status, 422, `${what}: ${res.status} ${text.slice(0, 300)}`);
  assert.match(text, new RegExp(`\\b${field}\\b`), `${what} names ${field}: ${text.slice(0, 300)}`);
}

/** Sends a raw JSON text (so lone surrogates survive as \\uD800 escapes). */
const rawJson = (t: TestApp, method: string, path: string, text: string) =>
  t.call(method, path, { body: text, headers: { "content-type": "application/json" } });

appTest("NUL bytes and lone surrogates in API strings are a 422 naming the field", async (t) => {
  await expect422(
    await t.app.request("/api/v1/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "ad\u0000min", password: "x" }),
    }),
    "username",
    "login username",
  );
  await expect422(
    await t.call("POST", "/api/v1/tokens", { json: { name: "a\u0000b" } }),
    "name",
    "token",
  );
  await expect422(
    await rawJson(t, "POST", "/api/v1/tokens", '{"name":"a\\ud800b"}'),
    "name",
    "surrogate",
  );
  await expect422(await t.call("GET", "/api/v1/services/hosts?service=%00"), "service", "service");
  await expect422(await t.call("GET", "/api/v1/tasks?kind=a%00"), "kind", "kind");
  await expect422(await t.call("GET", "/api/v1/hosts?q=%00"), "q", "hosts q");
  await expect422(
    await rawJson(t, "POST", "/api/v1/subnets", '{"cidr":"127.0.0.0/30","name":"x\\udc00"}'),
    "name",
    "subnet name",
  );
});

appTest("out-of-range numbers are a 422 naming the field", async (t) => {
  await expect422(
    await t.call("GET", "/api/v1/netflow/flows?subnet=99999999999999999999999"),
    "subnet",
    "flows subnet",
  );
  for (const v of ["99999999999999999999999", "1e2", "+5", "0x10", "%205", "5.0", "-1", "1e999"]) {
    await expect422(await t.call("GET", `/api/v1/hosts?limit=${v}`), "limit", `limit=${v}`);
  }
  await expect422(
    await rawJson(t, "POST", "/api/v1/subnets", '{"cidr":"127.0.0.0/30","vlan":1e400}'),
    "vlan",
    "vlan 1e400",
  );
  await expect422(
    await t.call("POST", "/api/v1/subnets", { json: { cidr: "127.0.0.0/30", vlan: 2 ** 53 } }),
    "vlan",
    "vlan 2^53",
  );
});

appTest("path ids are strict decimal integers", async (t) => {
  const created = await t.call("POST", "/api/v1/subnets", { json: { cidr: "127.0.0.0/30" } });
  const id = (await created.json()).id as number;
  assert.equal(id, 1, "the first subnet of a fresh database");
  assert.equal((await t.call("GET", `/api/v1/subnets/${id}`)).status, 200);
  const sloppy = ["%EF%BB%BF1", "%201", "1%20", "+1", "1e0", "0x1", "01", "1.0", "%091", "1%00"];
  const huge = ["2147483648", "99999999999999999999999", "-1", "0", "abc"];
  for (const raw of [...sloppy, ...huge]) {
    await expect422(await t.call("GET", `/api/v1/subnets/${raw}`), "id", `subnets/${raw}`);
    await expect422(await t.call("DELETE", `/api/v1/hosts/${raw}`), "id", `hosts/${raw}`);
  }
  // The pages take the same ids: a sloppy one names nothing.
  for (const raw of ["%EF%BB%BF1", "%201", "+1", "1e0", "01", "99999999999999999999999"]) {
    const res = await t.call("GET", `/subnets/${raw}`);
    assert.equal(res.status, 404, `/subnets/${raw}`);
    await res.body?.cancel();
  }
  const page = await t.call("GET", `/subnets/${id}`);
  assert.equal(page.status, 200);
  await page.body?.cancel();
});

appTest("HTML forms and page queries with bad text give a 4xx page, not a 500", async (t) => {
  // The login form, with its own pre-session CSRF token.
  const form = await t.app.request("/login");
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1];
  const login = await t.app.request("/login", {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      cookie: cookieFrom(form, "pf_login_csrf"),
    },
    body: new URLSearchParams({ _csrf: csrf, username: "ad\u0000min", password: "x", next: "/" }),
  });
  await expect422(login, "username", "login form");

  const post = (path: string, fields: Record<string, string>) =>
    t.call("POST", path, {
      body: new URLSearchParams({ _csrf: t.admin.csrf, ...fields }),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
  await expect422(await post("/settings/tokens", { name: "a\u0000b" }), "name", "token form");
  await expect422(
    await post("/subnets", { cidr: "127.0.0.0/30", name: "a\u0000" }),
    "name",
    "subnet form",
  );
  await expect422(
    await post("/account/password", { current: "\u0000", password: "x" }),
    "current",
    "password form",
  );
  // Page queries are filters: hostile ones are cleaned up or refused, never a 500.
  const sub = await t.call("POST", "/api/v1/subnets", { json: { cidr: "127.0.0.0/30" } });
  const sid = (await sub.json()).id;
  const pages = ["/", "/subnets", `/subnets/${sid}`, "/netflow", "/scanner", "/search", "/import"];
  pages.push("/settings", "/account/password", "/docs", "/hosts/999999");
  const hostile = ["%00", "a%00b", "99999999999999999999999", "-1", "%EF%BB%BF1", "%E0%A4%A"];
  const names = "q subnet tag service window from to offset order host created deleted format saved"
    .split(" ").concat(["kind", "status", "limit", "cursor"]);
  for (const path of pages) {
    for (const v of hostile) {
      const query = names.map((n) => `${n}=${v}`).join("&");
      const res = await t.call("GET", `${path}?${query}`);
      assert.ok(res.status < 500, `${path}?…=${v}: ${res.status}`);
      await res.body?.cancel();
    }
  }
});
