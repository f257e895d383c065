// Replays the older operations API's calls against /api/compat and checks each answer's shape
// (docs/compat.md): the exact keys, their types, and the status codes scripts rely on.
import assert from "node:assert/strict";
import { appTest, type TestApp } from "@/tests/support/test_app.ts";
import { createApiToken } from "@/services/auth/mod.ts";

const DATA_DIR = Deno.makeTempDirSync({ prefix: "pf_compat_" });
Deno.mkdirSync(`${DATA_DIR}/actions`);
Deno.writeTextFileSync(`${DATA_DIR}/actions/hello.sh`, '#!/bin/sh\necho "hello $1"\n');
Deno.chmodSync(`${DATA_DIR}/actions/hello.sh`, 0o755);
const ENV = { DATA_DIR, PTR_LOOKUP_ENABLED: "0", PING_TIMEOUT_MS: "300" };

type Shape = Record<
  string,
  "string" | "number" | "boolean" | "object" | "array" | "string|null" | "number|null" | "any"
>;

const HOST: Shape = {
  id: "number",
  ip: "string",
  hostname: "string|null",
  description: "string|null",
  notes: "string|null",
  tags: "array",
  subnet_id: "number|null",
  server_id: "number|null",
  server: "string|null",
  entreprise_id: "number|null",
  entreprise: "string|null",
  status: "string",
  latency_ms: "number|null",
  last_seen: "string|null",
};
const INDICATOR: Shape = {
  name: "string",
  value: "any",
  unit: "string",
  status: "string",
  source: "string",
  updated_at: "string",
};
const SCAN: Shape = {
  id: "number",
  kind: "string",
  target: "string",
  host_id: "number|null",
  status: "string",
  started_at: "string",
  finished_at: "string|null",
  summary: "object",
  open_ports: "array",
};
const QUEUED: Shape = { task_id: "string", status: "string", target: "string" };
const TASK: Shape = {
  id: "string",
  kind: "string",
  status: "string",
  progress: "number",
  result: "any",
  error: "string|null",
};
const ACTION: Shape = {
  id: "number",
  name: "string",
  description: "string",
  args: "array",
  timeout: "number",
  editors_may_run: "boolean",
};
const ENTREPRISE: Shape = {
  id: "number",
  name: "string",
  code: "string|null",
  contacts: "array",
  notes: "string",
  tags: "array",
  serveurs: "number",
};
const SERVEUR: Shape = {
  id: "number",
  name: "string",
  entreprise_id: "number|null",
  role: "string",
  os: "string",
  location: "string",
  rack: "string",
  serial: "string",
  notes: "string",
  tags: "array",
  addresses: "array",
};
const STATS: Shape = {
  hosts: "number",
  subnets: "number",
  servers: "number",
  entreprises: "number",
  scans: "number",
  open_ports: "number",
  top_ports: "array",
  top_services: "array",
};

function typeOf(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
}

function assertShape(value: unknown, shape: Shape, where: string) {
  assert.equal(typeOf(value), "object", `${where}: not an object`);
  const obj = value as Record<string, unknown>;
  assert.deepEqual(Object.keys(obj).sort(), Object.keys(shape).sort(), `${where}: keys`);
  for (const [k, want] of Object.entries(shape)) {
    if (want === "any") continue;
    assert.ok(
      want.split("|").includes(typeOf(obj[k])),
      `${where}.${k}: ${typeOf(obj[k])} is not ${want}`,
    );
  }
}

async function call(t: TestApp, token: string, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await t.app.request(`/api/compat${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch { /* CSV */ }
  return {
    status: res.status,
    // deno-lint-ignore no-explicit-any
    body: parsed as any,
    headers: res.headers,
    text,
  };
}

appTest(
  "the compat API replays: every listed call answers with its documented shape",
  async (t) => {
    // Scripts use tokens, as they did with the older API.
    const [{ id: adminId }] = await t.db.query<{ id: number }>(
      `select id from app_user where username = 'admin'`,
    );
    const { token } = await createApiToken(t.db, { userId: Number(adminId), name: "compat" });

    // Companies and servers CRUD.
    const ent = await call(t, token, "POST", "/entreprises", {
      name: "Société Générale des Tests",
      code: "SGT",
    });
    assert.equal(ent.status, 201);
    assertShape(ent.body, ENTREPRISE, "POST /entreprises");
    const entId = ent.body.id as number;
    const dupEnt = await call(t, token, "POST", "/entreprises", {
      name: "société générale des tests",
    });
    assert.equal(dupEnt.status, 409);
    assert.match(dupEnt.body.error.message, /id \d+/);
    const ents = await call(t, token, "GET", "/entreprises");
    assert.equal(ents.status, 200);
    assert.ok(Array.isArray(ents.body));
    assertShape(ents.body[0], ENTREPRISE, "GET /entreprises[0]");
    assertShape(
      (await call(t, token, "GET", `/entreprises/${entId}`)).body,
      ENTREPRISE,
      "GET /entreprises/{id}",
    );
    const entPut = await call(t, token, "PUT", `/entreprises/${entId}`, { notes: "updated" });
    assert.equal(entPut.status, 200);
    assert.equal(entPut.body.notes, "updated");

    const srv = await call(t, token, "POST", "/serveurs", {
      name: "web01",
      entreprise_id: entId,
      os: "Debian",
      addresses: ["127.0.0.40"],
    });
    assert.equal(srv.status, 201, JSON.stringify(srv.body));
    assertShape(srv.body, SERVEUR, "POST /serveurs");
    const srvId = srv.body.id as number;
    assert.deepEqual(srv.body.addresses, ["127.0.0.40"]);
    const srvs = await call(t, token, "GET", `/serveurs?entreprise_id=${entId}`);
    assertShape(srvs.body[0], SERVEUR, "GET /serveurs[0]");
    assertShape(
      (await call(t, token, "GET", `/serveurs/${srvId}`)).body,
      SERVEUR,
      "GET /serveurs/{id}",
    );
    const srvPut = await call(t, token, "PUT", `/serveurs/${srvId}`, { role: "web" });
    assert.equal(srvPut.body.role, "web");
    assert.equal((await call(t, token, "GET", "/serveurs/9999")).status, 404);
    const delEnt = await call(t, token, "DELETE", `/entreprises/${entId}`);
    assert.equal(delEnt.status, 409);

    // Hosts.
    const created = await call(t, token, "POST", "/host", {
      ip: "127.0.0.41",
      hostname: "app01",
      tags: ["prod"],
      server_id: srvId,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assertShape(created.body, HOST, "POST /host");
    assert.equal(created.body.server, "web01");
    assert.equal(created.body.entreprise, "Société Générale des Tests");
    const hostId = created.body.id as number;
    assert.equal((await call(t, token, "POST", "/host", { ip: "127.0.0.41" })).status, 409);
    assert.equal((await call(t, token, "POST", "/host", { ip: "not-an-ip" })).status, 422);
    const hosts = await call(t, token, "GET", "/hosts");
    assert.equal(hosts.status, 200);
    assert.ok(Array.isArray(hosts.body) && hosts.body.length === 2);
    hosts.body.forEach((h: unknown, i: number) => assertShape(h, HOST, `GET /hosts[${i}]`));
    const byIp = await call(t, token, "GET", "/hosts/by_ip/127.0.0.41");
    assertShape(byIp.body, HOST, "GET /hosts/by_ip/{ip}");
    assert.equal((await call(t, token, "GET", "/hosts/by_ip/127.0.0.99")).status, 404);
    const put = await call(t, token, "PUT", `/host/${hostId}`, {
      description: "the app",
      server_id: null,
    });
    assert.equal(put.status, 200);
    assertShape(put.body, HOST, "PUT /host/{id}");
    assert.equal(put.body.description, "the app");
    assert.equal(put.body.server_id, null);
    assert.equal((await call(t, token, "PUT", "/host/9999", { description: "x" })).status, 404);

    // Indicators (both spellings).
    const ind = await call(t, token, "POST", `/host/${hostId}/indicator`, {
      name: "load",
      value: 0.7,
    });
    assert.equal(ind.status, 201);
    assertShape(ind.body, INDICATOR, "POST /host/{id}/indicator");
    const ind2 = await call(t, token, "POST", `/host/${hostId}/indicators`, {
      name: "load",
      value: 0.9,
      status: "warning",
    });
    assert.equal(ind2.status, 200);
    assert.equal(ind2.body.status, "warning");
    const inds = await call(t, token, "GET", `/host/${hostId}/indicators`);
    assertShape(inds.body[0], INDICATOR, "GET /host/{id}/indicators[0]");
    assert.deepEqual((await call(t, token, "GET", `/host/${hostId}/indicator`)).body, inds.body);
    assert.equal((await call(t, token, "DELETE", `/host/${hostId}/indicator/load`)).status, 200);
    assert.equal((await call(t, token, "DELETE", `/host/${hostId}/indicators/load`)).status, 404);
    assert.equal((await call(t, token, "GET", "/host/9999/indicators")).status, 404);

    // Actions.
    const def = await t.call("POST", "/api/v1/actions", {
      json: { name: "hello", executable: "hello.sh", args: ["{hostname}"] },
    });
    assert.equal(def.status, 201);
    const actions = await call(t, token, "GET", "/actions");
    assertShape(actions.body[0], ACTION, "GET /actions[0]");
    const actionId = actions.body[0].id as number;
    const ran = await call(t, token, "POST", `/action/${actionId}/run_on_host/${hostId}`);
    assert.equal(ran.status, 202);
    assertShape(
      ran.body,
      { task_id: "string", run_id: "number", status: "string" },
      "POST /action/{id}/run_on_host/{host_id}",
    );
    await t.deps.services.operations.actions.tasks.drain();
    const runTask = await call(t, token, "GET", `/tasks/${ran.body.task_id}`);
    assertShape(runTask.body, TASK, "GET /tasks/{id}");
    assert.equal(runTask.body.status, "succeeded");
    assert.equal((runTask.body.result as { stdout: string }).stdout, "hello app01\n");
    assert.equal((await call(t, token, "POST", `/action/9999/run_on_host/${hostId}`)).status, 404);

    // Ad-hoc checks.
    const ping = await call(t, token, "GET", "/ping/127.0.0.1");
    assert.equal(ping.status, 200);
    assertShape(ping.body, {
      ip: "string",
      alive: "boolean",
      method: "string|null",
      latency_ms: "number|null",
      scan_id: "number",
    }, "GET /ping/{ip}");
    assert.equal(ping.body.alive, true);
    assert.equal((await call(t, token, "GET", "/ping/8.8.8.8")).status, 422);
    const sweep = await call(t, token, "GET", "/scan/127.0.0.1");
    assert.equal(sweep.status, 202);
    assertShape(sweep.body, QUEUED, "GET /scan/{ip}");
    assert.equal(sweep.body.target, "127.0.0.0/24");
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    try {
      const tooMany = await call(t, token, "GET", "/scan_ports/127.0.0.1?ports=1-1024");
      assert.equal(tooMany.status, 422);
      assert.match(
        tooMany.body.error.message,
        /scan_ports_async/,
      );
      const sp = await call(t, token, "GET", `/scan_ports/127.0.0.1?ports=${port}`);
      assert.equal(sp.status, 200, JSON.stringify(sp.body));
      assertShape(sp.body, SCAN, "GET /scan_ports/{ip}");
      assertShape((sp.body.open_ports as unknown[])[0], {
        port: "number",
        proto: "string",
        state: "string",
        service: "string",
      }, "open_ports[0]");
      const spa = await call(t, token, "POST", `/scan_ports_async/127.0.0.1?ports=1-1024`);
      assert.equal(spa.status, 202);
      assertShape(spa.body, QUEUED, "POST /scan_ports_async/{ip}");
      await t.deps.services.tasks.drain();
      const done = await call(t, token, "GET", `/tasks/${spa.body.task_id}`);
      assert.equal(done.body.status, "succeeded", JSON.stringify(done.body));

      const scan = await call(t, token, "GET", `/scans/${sp.body.id}`);
      assertShape(scan.body, SCAN, "GET /scans/{id}");
      assert.equal((await call(t, token, "GET", "/scans/999999")).status, 404);
      const recent = await call(t, token, "GET", "/scans/recent?n=2");
      assert.equal(recent.body.length, 2);
      recent.body.forEach((s: unknown, i: number) =>
        assertShape(s, SCAN, `GET /scans/recent[${i}]`)
      );

      const csv = await call(t, token, "GET", `/export/scan/${sp.body.id}?format=csv`);
      assert.equal(csv.status, 200);
      assert.match(csv.headers.get("content-type")!, /text\/csv/);
      assert.match(csv.text, new RegExp(`,${port},tcp,open,`));
      const js = await call(t, token, "GET", `/export/scan/${sp.body.id}?format=json`);
      assert.equal(js.body.id, sp.body.id);
    } finally {
      listener.close();
    }
    const stats = await call(t, token, "GET", "/stats");
    assertShape(stats.body, STATS, "GET /stats");
    assert.equal(stats.body.servers, 1);
    assert.equal(stats.body.entreprises, 1);

    // Delete a server, then the company.
    assert.equal((await call(t, token, "DELETE", `/serveurs/${srvId}`)).status, 200);
    assert.equal((await call(t, token, "DELETE", `/entreprises/${entId}`)).status, 200);
    assert.equal((await call(t, token, "GET", `/entreprises/${entId}`)).status, 404);
  },
  ENV,
);

appTest("compat paths need the same authentication and are in the OpenAPI document", async (t) => {
  const res = await t.app.request("/api/compat/hosts");
  assert.equal(res.status, 401);
  const doc = await (await t.app.request("/openapi.json")).json();
  for (
    const path of [
      "/api/compat/hosts",
      "/api/compat/hosts/by_ip/{ip}",
      "/api/compat/host",
      "/api/compat/host/{id}",
      "/api/compat/actions",
      "/api/compat/action/{id}/run_on_host/{host_id}",
      "/api/compat/host/{id}/indicators",
      "/api/compat/host/{id}/indicator",
      "/api/compat/host/{id}/indicators/{name}",
      "/api/compat/ping/{ip}",
      "/api/compat/scan/{ip}",
      "/api/compat/scan_ports/{ip}",
      "/api/compat/scan_ports_async/{ip}",
      "/api/compat/scans/{id}",
      "/api/compat/scans/recent",
      "/api/compat/tasks/{id}",
      "/api/compat/stats",
      "/api/compat/export/scan/{id}",
      "/api/compat/entreprises",
      "/api/compat/entreprises/{id}",
      "/api/compat/serveurs",
      "/api/compat/serveurs/{id}",
      "/api/v1/organizations",
      "/api/v1/servers/{id}",
      "/api/v1/hosts/{id}/indicators/{name}",
      "/api/v1/actions/{id}/run",
      "/api/v1/action_runs/{id}/cancel",
      "/api/v1/scans/{id}/export",
    ]
  ) {
    assert.ok(doc.paths[path], `${path} missing from /openapi.json`);
  }
}, ENV);
