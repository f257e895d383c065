// Inventory over HTTP: organizations, servers (links, detail), indicators (upsert, thresholds,
// history), with the bad input each must refuse (404, 409 naming the row, 422 naming the field).
import assert from "node:assert/strict";
import { expectError, json } from "@/tests/support/http_json.ts";
import { appTest, type TestApp } from "@/tests/support/test_app.ts";

async function host(t: TestApp, ip: string, hostname: string | null = null): Promise<number> {
  const [{ id }] = await t.db.query<{ id: number }>(
    `insert into host (ip, hostname) values ($1, $2) returning id`,
    [ip, hostname],
  );
  return Number(id);
}

appTest(
  "organizations: CRUD, case-insensitive 409 naming the row, delete refuses or detaches",
  async (t) => {
    const created = await t.call("POST", "/api/v1/organizations", {
      json: {
        name: "Acme Corp",
        code: "ACME",
        contacts: [{ name: "Ann", email: "ann@example.org", phone: "+33 1" }],
        tags: ["customer", "customer"],
      },
    });
    assert.equal(created.status, 201);
    const acme = await json(created);
    assert.equal(acme.name, "Acme Corp");
    assert.deepEqual(acme.tags, ["customer"]);
    assert.equal(acme.contacts[0].email, "ann@example.org");

    const dup = await expectError(
      await t.call("POST", "/api/v1/organizations", { json: { name: "acme corp" } }),
      409,
      "conflict",
      /"Acme Corp" \(id \d+\)/,
    );
    assert.equal(dup.error.details.existing.id, acme.id);
    await expectError(
      await t.call("POST", "/api/v1/organizations", { json: { name: "Other", code: "acme" } }),
      409,
      "conflict",
      /code "acme"/,
    );
    await expectError(
      await t.call("POST", "/api/v1/organizations", { json: { name: "" } }),
      422,
      "validation_failed",
      /name/,
    );
    await expectError(
      await t.call("POST", "/api/v1/organizations", {
        json: { name: "X", contacts: [{ email: "nope" }] },
      }),
      422,
      "validation_failed",
      /contacts\.0\.email/,
    );
    await expectError(await t.call("GET", "/api/v1/organizations/9999"), 404, "not_found");
    await expectError(
      await t.call("PATCH", "/api/v1/organizations/9999", { json: { notes: "x" } }),
      404,
    );

    const patched = await json(
      await t.call("PATCH", `/api/v1/organizations/${acme.id}`, { json: { notes: "big one" } }),
    );
    assert.equal(patched.notes, "big one");
    assert.equal(patched.code, "ACME");

    const other = await json(
      await t.call("POST", "/api/v1/organizations", { json: { name: "Beta" } }),
    );
    const page1 = await json(await t.call("GET", "/api/v1/organizations?limit=1"));
    assert.equal(page1.items.length, 1);
    assert.ok(page1.next_cursor);
    const page2 = await json(
      await t.call("GET", `/api/v1/organizations?limit=1&cursor=${page1.next_cursor}`),
    );
    assert.equal(page2.items[0].id, other.id);
    assert.equal(page2.next_cursor, null);
    await expectError(
      await t.call("GET", "/api/v1/organizations?cursor=abc"),
      422,
      "validation_failed",
      /cursor/,
    );

    const server = await json(
      await t.call("POST", "/api/v1/servers", { json: { name: "web1", organization_id: acme.id } }),
    );
    await expectError(
      await t.call("DELETE", `/api/v1/organizations/${acme.id}`),
      409,
      "conflict",
      /still has 1 server/,
    );
    const del = await json(await t.call("DELETE", `/api/v1/organizations/${acme.id}?detach=true`));
    assert.deepEqual(del, { id: acme.id, detached_servers: 1 });
    const orphan = await json(await t.call("GET", `/api/v1/servers/${server.id}`));
    assert.equal(orphan.organization_id, null);
  },
);

appTest(
  "servers: link hosts by id or address, 409 for a host of another server, live detail",
  async (t) => {
    const org = await json(
      await t.call("POST", "/api/v1/organizations", { json: { name: "Ops" } }),
    );
    const h1 = await host(t, "127.0.0.5", "db-a");
    const created = await t.call("POST", "/api/v1/servers", {
      json: {
        name: "db1",
        organization_id: org.id,
        role: "database",
        os: "Debian 12",
        rack: "R1",
        addresses: ["127.0.0.5", "127.0.0.6"],
      },
    });
    assert.equal(created.status, 201, await created.clone().text());
    const db1 = await json(created);
    assert.equal(db1.organization_name, "Ops");
    assert.deepEqual(db1.addresses.map((a: { ip: string }) => a.ip), ["127.0.0.5", "127.0.0.6"]);
    assert.equal(db1.addresses[0].host_id, h1);

    await expectError(
      await t.call("POST", "/api/v1/servers", { json: { name: "DB1", organization_id: org.id } }),
      409,
      "conflict",
      /"db1" \(id \d+\)/,
    );
    // The same name in another organization is fine.
    const db1b = await json(await t.call("POST", "/api/v1/servers", { json: { name: "db1" } }));
    await expectError(
      await t.call("POST", `/api/v1/servers/${db1b.id}/hosts`, { json: { host_id: h1 } }),
      409,
      "conflict",
      /belongs to server "db1"/,
    );
    await expectError(
      await t.call("POST", `/api/v1/servers/${db1b.id}/hosts`, { json: { host_id: 99999 } }),
      404,
    );
    await expectError(await t.call("POST", `/api/v1/servers/${db1b.id}/hosts`, { json: {} }), 422);
    await expectError(
      await t.call("POST", `/api/v1/servers/${db1b.id}/hosts`, { json: { ip: "127.0.0.300" } }),
      422,
      "invalid_ip",
    );
    await expectError(
      await t.call("POST", "/api/v1/servers", { json: { name: "x", organization_id: 9999 } }),
      404,
      "not_found",
      /organization 9999/,
    );
    const linked = await json(
      await t.call("POST", `/api/v1/servers/${db1b.id}/hosts`, { json: { ip: "127.0.0.9" } }),
    );
    assert.deepEqual(linked.addresses.map((a: { ip: string }) => a.ip), ["127.0.0.9"]);

    // Live state and current ports show up in the detail.
    await t.kv.set(["host_state", "127.0.0.5"], {
      up: true,
      latency_ms: 0.5,
      since: t.clock.now - 60_000,
      last_seen: t.clock.now,
    });
    const detail = await json(await t.call("GET", `/api/v1/servers/${db1.id}`));
    assert.equal(detail.addresses[0].status, "up");
    assert.equal(detail.addresses[0].latency_ms, 0.5);
    assert.equal(detail.addresses[1].status, "unknown");
    assert.deepEqual(detail.addresses[0].open_ports, []);

    const unlinked = await json(await t.call("DELETE", `/api/v1/servers/${db1.id}/hosts/${h1}`));
    assert.equal(unlinked.addresses.length, 1);
    await expectError(await t.call("DELETE", `/api/v1/servers/${db1.id}/hosts/${h1}`), 404);
    const patched = await json(
      await t.call("PATCH", `/api/v1/servers/${db1.id}`, {
        json: { addresses: ["127.0.0.5"], os: "Debian 13" },
      }),
    );
    assert.deepEqual(patched.addresses.map((a: { ip: string }) => a.ip), ["127.0.0.5"]);
    assert.equal(patched.os, "Debian 13");
    const list = await json(await t.call("GET", `/api/v1/servers?organization_id=${org.id}`));
    assert.deepEqual(list.items.map((s: { id: number }) => s.id), [db1.id]);
    assert.equal((await t.call("DELETE", `/api/v1/servers/${db1.id}`)).status, 200);
    await expectError(await t.call("GET", `/api/v1/servers/${db1.id}`), 404);
    // The hosts stay.
    assert.equal((await t.call("GET", `/api/v1/hosts/${h1}`)).status, 200);
  },
);

appTest("indicators: idempotent PUT, thresholds decide, history, 409/404/422", async (t) => {
  const h = await host(t, "127.0.0.7");
  const base = `/api/v1/hosts/${h}/indicators`;
  const first = await t.call("PUT", `${base}/disk_used`, {
    json: {
      value: 42,
      unit: "%",
      source: "cron",
      thresholds: { warning_above: 80, critical_above: 95 },
    },
  });
  assert.equal(first.status, 201);
  const ind = await json(first);
  assert.equal(ind.status, "ok");
  assert.equal(ind.value, 42);
  const again = await t.call("PUT", `${base}/disk_used`, {
    json: { value: 42, unit: "%", source: "cron" },
  });
  assert.equal(again.status, 200);
  assert.equal((await json(again)).thresholds.warning_above, 80, "absent thresholds are kept");
  const warn = await json(
    await t.call("PUT", `${base}/disk_used`, { json: { value: 85, unit: "%" } }),
  );
  assert.equal(warn.status, "warning");
  const crit = await json(
    await t.call("PUT", `${base}/disk_used`, { json: { value: 99, unit: "%", status: "ok" } }),
  );
  assert.equal(crit.status, "critical", "thresholds beat the given status");
  const hist = await json(await t.call("GET", `${base}/disk_used/history`));
  assert.deepEqual(hist.items.map((c: { value: number }) => c.value), [99, 85, 42]);

  const text = await json(
    await t.call("POST", base, { json: { name: "backup", value: "ran 02:00", status: "ok" } }),
  );
  assert.equal(text.value, "ran 02:00");
  await expectError(
    await t.call("POST", base, { json: { name: "backup", value: "again" } }),
    409,
    "conflict",
    /"backup" \(id \d+\)/,
  );
  const all = await json(await t.call("GET", base));
  assert.deepEqual(all.items.map((i: { name: string }) => i.name), ["backup", "disk_used"]);
  await expectError(
    await t.call("PUT", `/api/v1/hosts/99999/indicators/x`, { json: { value: 1 } }),
    404,
    "not_found",
    /host 99999/,
  );
  await expectError(
    await t.call("PUT", `${base}/bad%20name`, { json: { value: 1 } }),
    422,
    "validation_failed",
    /name/,
  );
  await expectError(
    await t.call("PUT", `${base}/x`, { json: { value: 1, status: "purple" } }),
    422,
    "validation_failed",
    /status/,
  );
  await expectError(
    await t.call("PUT", `${base}/x`, { json: { value: 1, thresholds: { above: 3 } } }),
    422,
  );
  await expectError(await t.call("GET", `${base}/nope`), 404, "not_found", /indicator "nope"/);
  assert.equal((await t.call("DELETE", `${base}/backup`)).status, 200);
  await expectError(await t.call("DELETE", `${base}/backup`), 404);

  // Servers carry indicators too.
  const s = await json(await t.call("POST", "/api/v1/servers", { json: { name: "s" } }));
  const si = await t.call("PUT", `/api/v1/servers/${s.id}/indicators/load`, {
    json: { value: 0.5 },
  });
  assert.equal(si.status, 201);
  assert.equal((await json(si)).status, "unknown");
});

appTest("stats keep their fields and add inventory totals and a window", async (t) => {
  await t.call("POST", "/api/v1/organizations", { json: { name: "A" } });
  await t.call("POST", "/api/v1/servers", { json: { name: "s1" } });
  const s = await json(await t.call("GET", "/api/v1/stats?window=7d"));
  for (
    const k of [
      "hosts",
      "subnets",
      "alive",
      "open_ports",
      "scans",
      "top_open_ports",
      "top_services",
    ]
  ) {
    assert.ok(k in s, k);
  }
  assert.equal(s.servers, 1);
  assert.equal(s.organizations, 1);
  assert.equal(s.window.name, "7d");
  assert.ok(s.window.since);
  assert.deepEqual(s.indicators, { ok: 0, warning: 0, critical: 0, unknown: 0 });
  await expectError(
    await t.call("GET", "/api/v1/stats?window=forever"),
    422,
    "invalid_window",
    /window/,
  );
});

appTest("viewers read inventory but cannot change it", async (t) => {
  const { createUser } = await import("@/services/auth/mod.ts");
  await createUser(t.db, { username: "vera", password: "viewer-password-1", role: "viewer" });
  const vera = await t.login("vera", "viewer-password-1");
  assert.equal((await t.call("GET", "/api/v1/organizations", { as: vera })).status, 200);
  await expectError(
    await t.call("POST", "/api/v1/organizations", { as: vera, json: { name: "V" } }),
    403,
  );
});
