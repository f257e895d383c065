// Every GET operation in /openapi.json, called on seeded data, must answer with a declared status
// and a body its schema accepts (Ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses), with no field
// the document does not name; error answers must match the shared error shape.
import assert from "node:assert/strict";
import { Ajv2020 } from "ajv/dist/2020.js";
import ajvFormats from "ajv-formats";
import { appTest, type TestApp } from "@/tests/support/test_app.ts";
import { scriptedNmap } from "@/tests/support/nmap_fixture.ts";
import { createPorts } from "@/services/portscans/mod.ts";
import { FlowChunkBuilder, type FlowRecord, insertFlowBatch } from "@/services/netflow/mod.ts";

// Sweeps and pings only reach loopback; port scans use the scripted nmap (no packets sent), except
// ad-hoc ones (inventory/operations), which are only ever given loopback addresses (see PROBING).
const DATA_DIR = Deno.makeTempDirSync({ prefix: "pf_conformance_" });
Deno.mkdirSync(`${DATA_DIR}/actions`);
Deno.writeTextFileSync(`${DATA_DIR}/actions/echo.sh`, '#!/bin/sh\necho "$@"\n');
Deno.chmodSync(`${DATA_DIR}/actions/echo.sh`, 0o755);
const ENV = {
  PTR_LOOKUP_ENABLED: "0",
  PING_TIMEOUT_MS: "300",
  NMAP_ARGS: "-Pn -sT -p 22,80",
  DATA_DIR,
};

type Json = Record<string, unknown>;
type Schema = Json;
interface Operation {
  parameters?: Array<{ name: string; in: string; required?: boolean; schema?: Schema }>;
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}
type Doc = { paths: Record<string, Record<string, Operation>>; components: Json };

/** Ids and addresses the seed created, to fill path parameters with. */
interface Seeded {
  hostIds: number[];
  hostIps: string[];
  subnetIds: number[];
  taskIds: string[];
  /** Inventory and operations rows, by the path prefix that reads them. */
  byPrefix: Record<string, string[]>;
  indicatorNames: string[];
}

async function ok(res: Response, what: string): Promise<Json> {
  const text = await res.text();
  assert.ok(res.status < 300, `${what}: ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : {};
}

async function drained(t: TestApp, res: Response, what: string): Promise<string> {
  const { task_id } = await ok(res, what) as { task_id: string };
  await t.deps.services.tasks.drain();
  return task_id;
}

/** Called with each answer the seed gets, so its POST answers are checked too. */
type OnAnswer = (method: string, url: string, res: Response) => Promise<void>;

/** Data in every table a GET reads, made the way users make it: through the API. */
async function seed(t: TestApp, onAnswer?: OnAnswer): Promise<Seeded> {
  const post = async (path: string, json?: unknown) => {
    const res = await t.call("POST", path, { json });
    await onAnswer?.("post", path, res.clone());
    return res;
  };
  const loop = await ok(
    await post("/api/v1/subnets", { cidr: "127.0.0.0/29", name: "loopback", tags: ["lab"] }),
    "loopback subnet",
  );
  const lan = await ok(
    await post("/api/v1/subnets", {
      cidr: "198.51.100.0/24",
      name: "LAN",
      description: "Office",
      vlan: 20,
      location: "HQ",
    }),
    "lan subnet",
  );
  await ok(await post("/api/v1/subnets", { cidr: "198.51.100.0/26" }), "child subnet");
  const v6 = await ok(await post("/api/v1/subnets", { cidr: "2001:db8::/64" }), "v6 subnet");
  const nas = await ok(
    await post("/api/v1/hosts", {
      ip: "198.51.100.10",
      hostname: "nas.example.net",
      description: "File server",
      tags: ["office"],
      notes: "Rack 2",
      mac: "00:00:5e:00:53:0a",
    }),
    "host",
  );
  await ok(await post("/api/v1/hosts", { ip: "2001:db8::5" }), "v6 host");
  await ok(
    await post("/api/v1/hosts", { ip: "203.0.113.9", allow_orphan: true }),
    "orphan host",
  );

  const taskIds: string[] = [];
  // A real sweep of loopback: discovered hosts, states, events, a run and a task.
  taskIds.push(await drained(t, await post(`/api/v1/subnets/${loop.id}/sweep`), "sweep"));
  const [alive] = await t.db.query<{ id: number }>(
    `select id from host where ip = '127.0.0.1'::inet`,
  );
  taskIds.push(await drained(t, await post(`/api/v1/hosts/${alive.id}/ping`), "ping"));

  const nmap = scriptedNmap();
  createPorts(t.deps, { runner: nmap.runner, isRoot: false });
  nmap.script.set("198.51.100.10", {
    ports: [
      { port: 22, service: "ssh", product: "OpenSSH", version: "9.2p1", method: "probed" },
      { port: 80, service: "http" },
    ],
  });
  nmap.services = { tcp: "22,80" };
  taskIds.push(await drained(t, await post(`/api/v1/hosts/${nas.id}/portscan`), "port scan"));
  nmap.script.set("198.51.100.10", { ports: [{ port: 22, service: "ssh" }] });
  taskIds.push(await drained(t, await post(`/api/v1/hosts/${nas.id}/portscan`), "rescan"));
  taskIds.push(await drained(t, await post("/api/v1/scanner/rollup"), "rollup"));

  const now = t.clock.now;
  const flows = new FlowChunkBuilder("127.0.0.1", 8);
  const flow: FlowRecord = {
    exporter: "127.0.0.1",
    version: 9,
    sourceId: 0,
    srcAddr: "198.51.100.10",
    dstAddr: "203.0.113.9",
    srcPort: 40000,
    dstPort: 443,
    protocol: 6,
    bytes: 5000,
    packets: 5,
    startMs: now - 60_000,
    endMs: now - 30_000,
    inputIf: 1,
    outputIf: 2,
    tcpFlags: 0x18,
    samplingInterval: 1,
  };
  flows.push(flow, now);
  flows.push({ ...flow, srcAddr: "2001:db8::5", dstAddr: "2001:db8::1", protocol: 17 }, now);
  await insertFlowBatch(t.db, [flows.take()], { nowMs: now, collector: "conformance" });

  await ok(await post("/api/v1/tokens", { name: "ci" }), "token");
  await ok(
    await post("/api/v1/users", {
      username: "vera",
      password: "viewer-password-1",
      role: "viewer",
    }),
    "user",
  );

  // Alerts: a target (never contacted here), a rule for indicator changes, a mute and a Send test;
  // the NAS's indicator below then records an indicator_status event and queues its delivery.
  const target = await ok(
    await post("/api/v1/alerts/targets", {
      name: "ops",
      kind: "webhook",
      url: "https://hooks.example.net/pingfold",
    }),
    "alert target",
  );
  const rule = await ok(
    await post("/api/v1/alerts/rules", {
      name: "indicators",
      events: ["indicator_status"],
      target_ids: [target.id],
    }),
    "alert rule",
  );
  await ok(
    await post("/api/v1/alerts/silences", {
      kind: "mute",
      host_id: alive.id,
      ends_at: new Date(Date.now() + 3600_000).toISOString(),
    }),
    "alert silence",
  );
  await ok(await post(`/api/v1/alerts/targets/${target.id}/test`), "alert send test");

  // Inventory and operations: an organization, a server holding the NAS, indicators, an action
  // run on the NAS, and ad-hoc checks of loopback (a ping, a sweep task, a port scan).
  const org = await ok(await post("/api/v1/organizations", { name: "Acme", code: "AC" }), "org");
  const server = await ok(
    await post("/api/v1/servers", { name: "nas", organization_id: org.id, addresses: [nas.ip] }),
    "server",
  );
  await ok(
    await t.call("PUT", `/api/v1/hosts/${nas.id}/indicators/disk`, {
      json: { value: 91, unit: "%", thresholds: { warning_above: 80, critical_above: 95 } },
    }),
    "host indicator",
  );
  await ok(
    await t.call("PUT", `/api/v1/servers/${server.id}/indicators/load`, { json: { value: "low" } }),
    "server indicator",
  );
  const action = await ok(
    await post("/api/v1/actions", { name: "echo", executable: "echo.sh", args: ["{ip}"] }),
    "action",
  );
  const run = await ok(await post(`/api/v1/actions/${action.id}/run`, { host_id: nas.id }), "run");
  await t.deps.services.operations.actions.tasks.drain();
  taskIds.push(run.task_id as string);
  const ping = await ok(await post("/api/v1/scans/ping", { target: "127.0.0.1" }), "ad-hoc ping");
  taskIds.push(
    await drained(t, await post("/api/v1/scans/sweep", { target: "127.0.0.0/30" }), "ad-hoc sweep"),
  );
  const ports = await ok(
    await post("/api/v1/scans/portscan", { target: "127.0.0.1", ports: "22,80" }),
    "ad-hoc port scan",
  );

  const hosts = await t.db.query<{ id: number; ip: string }>(
    `select id, host(ip) as ip from host order by id`,
  );
  const ids = (...xs: unknown[]) => xs.map(String);
  return {
    hostIds: hosts.map((h) => Number(h.id)),
    hostIps: hosts.map((h) => h.ip),
    subnetIds: [Number(loop.id), Number(lan.id), Number(v6.id)],
    taskIds,
    byPrefix: {
      "/api/v1/alerts/targets/": ids(target.id),
      "/api/v1/alerts/rules/": ids(rule.id),
      "/api/v1/organizations/": ids(org.id),
      "/api/compat/entreprises/": ids(org.id),
      "/api/v1/servers/": ids(server.id),
      "/api/compat/serveurs/": ids(server.id),
      "/api/v1/actions/": ids(action.id),
      "/api/v1/action_runs/": ids(run.run_id),
      "/api/v1/scans/": ids(ping.id, ports.id),
      "/api/compat/scans/": ids(ping.id, ports.id),
      "/api/compat/export/scan/": ids(ports.id),
      "/api/compat/host/": ids(nas.id),
      "/api/compat/tasks/": taskIds,
    },
    indicatorNames: ["disk", "load"],
  };
}

const escapePointer = (s: string) =>
  encodeURIComponent(s.replaceAll("~", "~0").replaceAll("/", "~1"));

/**
 * A copy of the document where objects refuse undeclared properties (unevaluatedProperties), so
 * a field a response carries but the document does not name fails too. An allOf of objects is
 * merged first: each part would otherwise refuse the other part's properties.
 */
function strictCopy(doc: Doc): Doc {
  const copy = structuredClone(doc);
  const schemas = copy.components.schemas as Record<string, Schema>;
  const deref = (s: Schema): Schema => {
    const ref = s.$ref as string | undefined;
    return ref?.startsWith("#/components/schemas/") ? deref(schemas[ref.split("/").pop()!]) : s;
  };
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (!node || typeof node !== "object") return node;
    let s = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, visit(v)])) as Schema;
    const parts = (s.allOf as Schema[] | undefined)?.map(deref);
    if (parts && parts.every((p) => p.type === "object" && p.properties)) {
      const { allOf: _, ...rest } = s;
      s = {
        ...rest,
        type: "object",
        properties: Object.assign({}, ...parts.map((p) => p.properties)),
        required: parts.flatMap((p) => (p.required as string[] | undefined) ?? []),
      };
    }
    if (s.type === "object" && s.properties && s.additionalProperties === undefined) {
      s.unevaluatedProperties = false;
    }
    return s;
  };
  copy.components = visit(copy.components) as Json;
  copy.paths = visit(copy.paths) as Doc["paths"];
  return copy;
}

function makeValidator(doc: Doc) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  // A CommonJS module: the plugin is its `default` (which is also the module itself).
  ajvFormats.default(ajv);
  ajv.addSchema(strictCopy(doc), "openapi.json");
  return (path: string, method: string, status: string, type: string, body: unknown) => {
    const pointer = ["paths", path, method, "responses", status, "content", type, "schema"]
      .map(escapePointer).join("/");
    const validate = ajv.getSchema(`openapi.json#/${pointer}`);
    assert.ok(validate, `no schema for ${method.toUpperCase()} ${path} ${status} ${type}`);
    if (validate(body)) return null;
    // One line per distinct problem (the same field fails once per list item).
    const problems = new Set<string>(
      (validate.errors ?? []).map((e) =>
        `${e.instancePath.replace(/\/\d+(?=\/|$)/g, "/*")} ${e.message} ${JSON.stringify(e.params)}`
      ),
    );
    return `${method.toUpperCase()} ${path} → ${status}: ${[...problems].join("; ")}\n  body: ` +
      JSON.stringify(body).slice(0, 300);
  };
}

/** Values to try for a query parameter: every enum value, plus a few known useful ones. */
const QUERY_VALUES: Record<string, string[]> = {
  q: ["198.51", "nas"],
  within: ["198.51.100.0/24"],
  tag: ["office"],
  expand: ["true"],
  service: ["ssh"],
  port: ["22"],
  ip: ["198.51.100.10"],
  subnet: ["198.51.100.0/24"],
  window: ["1h", "24h"],
};
/** Required parameters that need a value for the call to make sense. */
const REQUIRED_DEFAULTS: Record<string, string> = { q: "198.51" };

/** Paths that probe the address they name: only loopback may go there outside a lab. */
const PROBING = /^\/api\/compat\/(ping|scan|scan_ports|scan_ports_async)\//;

function pathValues(path: string, name: string, seeded: Seeded): string[] {
  if (name === "ip" && PROBING.test(path)) return seeded.hostIps.filter((ip) => /^127\./.test(ip));
  if (name === "ip") return seeded.hostIps;
  if (name === "name") return seeded.indicatorNames;
  if (name === "id" || name === "host_id") {
    const prefix = Object.keys(seeded.byPrefix).find((p) => path.startsWith(p));
    if (prefix) return seeded.byPrefix[prefix];
  }
  if (path.startsWith("/api/v1/hosts/")) return seeded.hostIds.map(String);
  if (path.startsWith("/api/v1/subnets/")) return seeded.subnetIds.map(String);
  if (path.startsWith("/api/v1/tasks/")) return seeded.taskIds;
  throw new Error(`no seeded value for path parameter ${name} of ${path}`);
}

function idValues(name: string, seeded: Seeded): string[] {
  if (name === "subnet_id") return seeded.subnetIds.slice(0, 2).map(String);
  if (name === "host_id") return seeded.hostIds.slice(0, 1).map(String);
  return [];
}

/** The URLs to call for one GET operation: each path value, then each query variant alone. */
function urlsFor(path: string, op: Operation, seeded: Seeded): string[] {
  const params = op.parameters ?? [];
  let bases = [path];
  for (const p of params.filter((p) => p.in === "path")) {
    bases = bases.flatMap((b) =>
      pathValues(path, p.name, seeded).map((v) => b.replace(`{${p.name}}`, encodeURIComponent(v)))
    );
  }
  const required = new URLSearchParams();
  for (const p of params.filter((p) => p.in === "query" && p.required)) {
    required.set(p.name, REQUIRED_DEFAULTS[p.name] ?? "x");
  }
  const variants: URLSearchParams[] = [required];
  for (const p of params.filter((p) => p.in === "query")) {
    const values = [
      ...((p.schema?.enum as string[] | undefined) ?? []),
      ...(QUERY_VALUES[p.name] ?? []),
      ...idValues(p.name, seeded),
    ];
    if (p.name === "limit") values.push("1");
    for (const v of values) {
      const q = new URLSearchParams(required);
      q.set(p.name, v);
      variants.push(q);
    }
  }
  return bases.flatMap((b) => variants.map((q) => (q.size ? `${b}?${q}` : b)));
}

async function readBody(res: Response, type: string): Promise<unknown> {
  if (type === "application/json") return await res.json();
  if (type === "text/event-stream") {
    // An endless stream: the first chunk is enough to see it started; then hang up.
    const reader = res.body!.getReader();
    const first = await Promise.race([
      reader.read(),
      new Promise<null>((r) => setTimeout(() => r(null), 500)),
    ]);
    await reader.cancel();
    return first ? new TextDecoder().decode(first.value) : "";
  }
  return await res.text();
}

/** Calls `url` and checks its status, content type and body against the operation. */
async function conforms(
  t: TestApp,
  check: ReturnType<typeof makeValidator>,
  path: string,
  op: Operation,
  url: string,
  problems: Set<string>,
): Promise<{ status: number; body: unknown }> {
  const res = await t.call("GET", url);
  const status = String(res.status);
  const declared = op.responses[status];
  assert.ok(declared, `GET ${url} answered ${status}, which ${path} does not declare`);
  const type = (res.headers.get("content-type") ?? "").split(";")[0].trim();
  const content = declared.content ?? {};
  assert.ok(
    type in content,
    `GET ${url} → ${status} is ${type}; ${path} declares ${Object.keys(content).join(", ")}`,
  );
  const body = await readBody(res, type);
  const problem = check(path, "get", status, type, body);
  if (problem) problems.add(problem);
  return { status: res.status, body };
}

/** Lists the seed must have filled: an op whose 200 body has `items` shows at least one. */
function hasItems(body: unknown): boolean | null {
  if (!body || typeof body !== "object" || !("items" in body)) return null;
  return Array.isArray(body.items) && body.items.length > 0;
}

/** The document's path template that `url` is an instance of. */
function templateOf(doc: Doc, url: string): string {
  const path = url.split("?")[0];
  // A literal path (/scans/ping) wins over a template that also matches it (/scans/{id}).
  const found = path in doc.paths
    ? path
    : Object.keys(doc.paths).find((p) =>
      new RegExp(`^${p.replace(/\{[^}]+\}/g, "[^/]+")}$`).test(path)
    );
  assert.ok(found, `${url} is not in the document`);
  return found;
}

appTest("every GET operation answers as /openapi.json documents it", async (t) => {
  const doc = await (await t.call("GET", "/openapi.json")).json() as Doc;
  const check = makeValidator(doc);
  const problems = new Set<string>();
  // The seed's own POST answers (201 subnet, 202 task, token, user...) are checked on the way.
  const seeded = await seed(t, async (method, url, res) => {
    const path = templateOf(doc, url);
    const declared = doc.paths[path][method].responses[String(res.status)];
    if (!declared) return void problems.add(`${method} ${url}: ${res.status} is not declared`);
    const type = (res.headers.get("content-type") ?? "").split(";")[0].trim();
    if (!declared.content) return;
    const problem = check(path, method, String(res.status), type, await res.json());
    if (problem) problems.add(problem);
  });
  const gets = Object.entries(doc.paths).filter(([, item]) => item.get);
  assert.ok(gets.length >= 30, `only ${gets.length} GET operations documented`);
  let calls = 0;
  for (const [path, item] of gets) {
    const op = item.get;
    let succeeded = 0;
    let filled: boolean | null = null;
    for (const url of urlsFor(path, op, seeded)) {
      const { status, body } = await conforms(t, check, path, op, url, problems);
      calls++;
      if (status >= 300) continue;
      succeeded++;
      const items = hasItems(body);
      if (items !== null) filled = (filled ?? false) || items;
      // Follow one page onwards where the list says there is more.
      const next = (body as { next_cursor?: string | null })?.next_cursor;
      if (next && url.includes("limit=1")) {
        const sep = url.includes("?") ? "&" : "?";
        const more = `${url}${sep}cursor=${encodeURIComponent(next)}`;
        await conforms(t, check, path, op, more, problems);
        calls++;
      }
    }
    assert.ok(succeeded > 0, `GET ${path}: no call succeeded, so its 200 schema went unchecked`);
    assert.notEqual(filled, false, `GET ${path}: every list was empty; seed its data`);
  }
  assert.deepEqual([...problems], [], "responses the document does not describe");
  assert.ok(calls > 100, `${calls} calls`);
}, ENV);

appTest("error answers match the declared error shape", async (t) => {
  const seeded = await seed(t);
  const doc = await (await t.call("GET", "/openapi.json")).json() as Doc;
  const check = makeValidator(doc);
  const cases: Array<
    [string, string, string, { json?: unknown; body?: string; type?: string; as?: null }, number]
  > = [
    ["GET", "/api/v1/hosts", "/api/v1/hosts", { as: null }, 401],
    ["GET", "/api/v1/hosts/999999", "/api/v1/hosts/{id}", {}, 404],
    ["GET", "/api/v1/hosts?limit=0", "/api/v1/hosts", {}, 422],
    ["GET", "/api/v1/tasks/00000000-0000-4000-8000-000000000000", "/api/v1/tasks/{id}", {}, 404],
    ["POST", "/api/v1/subnets", "/api/v1/subnets", { json: { cidr: "10.0.0.300/24" } }, 422],
    ["POST", "/api/v1/subnets", "/api/v1/subnets", { body: "{not json" }, 400],
    [
      "POST",
      "/api/v1/subnets",
      "/api/v1/subnets",
      { body: JSON.stringify({ cidr: "198.51.100.0/25", description: "x".repeat(2_000_000) }) },
      413,
    ],
    [
      "POST",
      "/api/v1/import/hosts",
      "/api/v1/import/hosts",
      { body: "ip\n" + "198.51.100.1\n".repeat(2_000_000), type: "text/csv" },
      413,
    ],
    ["PATCH", `/api/v1/subnets/${seeded.subnetIds[1]}`, "/api/v1/subnets/{id}", {
      json: { vlan: 5000 },
    }, 422],
  ];
  // "Scan now" is limited to 5 a minute per user and subnet: the sixth is a declared 429.
  for (let i = 0; i < 5; i++) {
    await t.call("POST", `/api/v1/subnets/${seeded.subnetIds[0]}/sweep`);
  }
  cases.push([
    "POST",
    `/api/v1/subnets/${seeded.subnetIds[0]}/sweep`,
    "/api/v1/subnets/{id}/sweep",
    {},
    429,
  ]);
  for (const [method, url, path, opts, want] of cases) {
    const headers = opts.body !== undefined
      ? { "content-type": opts.type ?? "application/json" }
      : undefined;
    const res = await t.call(method, url, {
      json: opts.json,
      body: opts.body,
      as: opts.as,
      headers,
    });
    assert.equal(res.status, want, `${method} ${url}: ${await res.clone().text()}`);
    const op = doc.paths[path][method.toLowerCase()];
    assert.ok(op.responses[String(want)], `${method} ${path} does not declare ${want}`);
    const body = await res.json() as { error: { code: string; message: string } };
    assert.equal(check(path, method.toLowerCase(), String(want), "application/json", body), null);
    assert.ok(body.error.message.length > 0);
    assert.doesNotMatch(JSON.stringify(body), /at \S+\.ts:\d+/, "no stack trace");
  }
  await t.deps.services.tasks.drain();
}, ENV);

appTest("every operation declares the answers the shared middleware can give", async (t) => {
  const doc = await (await t.call("GET", "/openapi.json", { as: null })).json() as Doc;
  const missing: string[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const o = op as Operation & { security?: unknown[]; requestBody?: unknown };
      const want = ["500"];
      if (o.security?.length) want.push("401", "403");
      if (["post", "put", "patch", "delete"].includes(method)) want.push("413");
      if (o.requestBody) want.push("400", "422");
      for (const status of want) {
        const schema = o.responses[status]?.content?.["application/json"]?.schema;
        if (schema?.$ref !== "#/components/schemas/Error") {
          missing.push(`${method.toUpperCase()} ${path} ${status}`);
        }
      }
    }
  }
  assert.deepEqual(missing, []);
  assert.ok((doc.components.schemas as Json).Error, "the Error schema is a component");
});
