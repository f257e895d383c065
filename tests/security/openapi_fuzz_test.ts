// Walks every operation of /openapi.json with malformed path params, queries and bodies, as an
// admin with a bearer token: never a 5xx, never a stack trace, always an answer within 2 s.
// Bounded and replayable: CASES_PER_OPERATION cases per operation from a fixed seed.
import assert from "node:assert/strict";
import { appTest, type TestApp } from "@/tests/support/test_app.ts";
import { prng } from "@/tests/support/prng.ts";

const SEED = Number(Deno.env.get("PINGFOLD_FUZZ_SEED") ?? 20261201);
const CASES_PER_OPERATION = 16;
const ANSWER_WITHIN_MS = 2000;

interface Param {
  name: string;
  required?: boolean;
  in: "path" | "query" | "header" | "cookie";
  schema?: Schema;
}
interface Schema {
  type?: string | string[];
  example?: unknown;
  default?: unknown;
  minimum?: number;
  anyOf?: Schema[];
  oneOf?: Schema[];
  required?: string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  $ref?: string;
  enum?: unknown[];
}
interface Operation {
  parameters?: Param[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}

const HOSTILE_TEXT = [
  "a\u0000b",
  "\u0000",
  "\ud800",
  "x\udfffy",
  "x".repeat(100_000),
  "",
  " ",
  "\uFEFF1",
  "../../etc/passwd",
  "'; drop table hosts; --",
  "%00",
  "1e999",
];
const HOSTILE_NUMBERS = [
  99999999999999999999999,
  -99999999999999999999999,
  1e308,
  -1,
  0,
  1.5,
  2 ** 31,
  2 ** 53,
  Number.MIN_SAFE_INTEGER,
];
const HOSTILE_PATH = [
  "0",
  "-1",
  "1e0",
  "+1",
  "%201",
  "%EF%BB%BF1",
  "1.5",
  "0x1",
  "99999999999999999999999",
  "2147483648",
  "abc",
  "%00",
  "a%00b",
  "x".repeat(5000),
  "%E0%A4%A",
  "%ED%A0%80",
];
const HOSTILE_QUERY = [
  "%00",
  "a%00b",
  "99999999999999999999999",
  "-99999999999999999999999",
  "1e999",
  "NaN",
  "-1",
  "x".repeat(20_000),
  "%EF%BB%BF1",
  "%ED%A0%80",
  "%E0%A4%A",
  "[]",
  "{}",
  "true",
];
const BAD_JSON = ["{", "[", "null", '"x"', "1e999", '{"a":', "[1,2", "\u0000", "{}}", "🙂"];

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)];
}

/** One hostile value of a random kind: bad text, out-of-range number, or the wrong type. */
function hostileValue(rand: () => number, valid: unknown): unknown {
  switch (Math.floor(rand() * 8)) {
    case 0:
      return `${typeof valid === "string" ? valid : "x"}\u0000`;
    case 1:
      return `${typeof valid === "string" ? valid : "x"}\ud800`;
    case 2:
      return pick(rand, HOSTILE_TEXT);
    case 3:
    case 4:
      return pick(rand, HOSTILE_NUMBERS);
    case 5:
      return pick(rand, [null, true, [], [valid, valid], {}]);
    case 6:
      return { nested: pick(rand, HOSTILE_TEXT), "\u0000": 1 };
    default:
      return typeof valid === "string" ? Number.MAX_VALUE : String(valid);
  }
}

function resolve(doc: Record<string, unknown>, s: Schema | undefined): Schema | undefined {
  let cur = s;
  for (let i = 0; cur?.$ref && i < 10; i++) {
    const name = cur.$ref.split("/").pop()!;
    cur = (doc.components as { schemas: Record<string, Schema> }).schemas[name];
  }
  if (cur?.anyOf ?? cur?.oneOf) {
    const options = (cur.anyOf ?? cur.oneOf)!.map((o) => resolve(doc, o));
    return options.find((o) => o && o.type !== "null") ?? cur;
  }
  return cur;
}

/** Any address the fuzzer sends is loopback, so nothing it makes reachable leaves the machine. */
function loopbackOnly(v: string, name: string): string {
  if (/^[0-9a-f:.]+\/\d+$/i.test(v) || /cidr|within|subnet/i.test(name) && v.includes("/")) {
    return v.includes(":") ? "::1/128" : "127.0.0.0/30";
  }
  if (/^\d+\.\d+\.\d+\.\d+$/.test(v) || /^[0-9a-f]*:[0-9a-f:]+$/i.test(v)) {
    return v.includes(":") ? "::1" : "127.0.0.1";
  }
  return v;
}

/** A value the schema accepts (mostly): its example, default, first enum value or a plain one. */
function validValue(
  doc: Record<string, unknown>,
  raw: Schema | undefined,
  name = "",
  depth = 0,
): unknown {
  const schema = resolve(doc, raw);
  if (!schema) return "x";
  const pickFirst = schema.example ?? schema.default ?? schema.enum?.[0];
  if (pickFirst !== undefined) {
    return typeof pickFirst === "string" ? loopbackOnly(pickFirst, name) : pickFirst;
  }
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  switch (type) {
    case "integer":
    case "number":
      return schema.minimum ?? 1;
    case "boolean":
      return false;
    case "array":
      return depth < 3 ? [validValue(doc, schema.items, name, depth + 1)] : [];
    case "object": {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(schema.properties ?? {})) {
        if (depth < 3) out[k] = validValue(doc, v, k, depth + 1);
      }
      return out;
    }
    default:
      if (/ip|address|exporter/i.test(name)) return "127.0.0.1";
      if (/cidr|within/i.test(name)) return "127.0.0.0/30";
      return `fuzz${Math.floor(depth)}`;
  }
}

interface Case {
  method: string;
  url: string;
  body?: BodyInit;
  contentType?: string;
}

function casesFor(
  doc: Record<string, unknown>,
  path: string,
  method: string,
  op: Operation,
  rand: () => number,
  ids: Record<string, string>,
): Case[] {
  const params = op.parameters ?? [];
  const pathParams = params.filter((p) => p.in === "path");
  const queryParams = params.filter((p) => p.in === "query");
  const content = op.requestBody?.content ?? {};
  const jsonSchema = content["application/json"]?.schema;
  const multipart = "multipart/form-data" in content;
  const validBody = jsonSchema ? validValue(doc, jsonSchema) as Record<string, unknown> : undefined;
  // Targets: each path param, each query param, each body property, and the body as a whole.
  const targets: string[] = [
    ...pathParams.map((p) => `path:${p.name}`),
    ...queryParams.map((p) => `query:${p.name}`),
    ...(validBody && typeof validBody === "object" ? Object.keys(validBody) : [])
      .map((k) => `body:${k}`),
    ...(method !== "get" && method !== "delete" ? ["body"] : []),
  ];
  const cases: Case[] = [];
  for (let i = 0; i < CASES_PER_OPERATION; i++) {
    // Case 0 is the well-formed request; every other case breaks one thing.
    // Round-robin over the targets, so each is broken at least once when there are few enough.
    const target = i === 0
      ? "none"
      : targets.length
      ? targets[(i - 1) % targets.length]
      : "query:unknown";
    let url = path;
    for (const p of pathParams) {
      const value = target === `path:${p.name}`
        ? pick(rand, HOSTILE_PATH)
        : ids[path.split("/{")[0]] ?? "999999";
      url = url.replace(`{${p.name}}`, value);
    }
    const q: string[] = [];
    for (const p of queryParams) {
      if (target === `query:${p.name}`) {
        q.push(`${encodeURIComponent(p.name)}=${pick(rand, HOSTILE_QUERY)}`);
      } else if (p.required || rand() < 0.3) {
        q.push(
          `${encodeURIComponent(p.name)}=${
            encodeURIComponent(String(validValue(doc, p.schema, p.name)))
          }`,
        );
      }
    }
    if (target === "query:unknown") q.push(`unknown_param=${pick(rand, HOSTILE_QUERY)}`);
    if (q.length) url += `?${q.join("&")}`;
    const c: Case = { method, url };
    if (method !== "get" && method !== "delete") {
      if (multipart) {
        const form = new FormData();
        const text = target === "body"
          ? pick(rand, HOSTILE_TEXT)
          : "cidr,name\n127.0.0.0/30,a\u0000b\n";
        form.set("file", new Blob([text]), "x.csv");
        c.body = form;
      } else if (target === "body" && rand() < 0.6) {
        c.body = pick(rand, BAD_JSON);
        c.contentType = "application/json";
      } else if (target === "body") {
        c.body = rand() < 0.5 ? "a=%00&b=1" : JSON.stringify(hostileValue(rand, validBody));
        c.contentType = rand() < 0.5 ? "application/x-www-form-urlencoded" : "application/json";
      } else {
        const body = validBody && typeof validBody === "object" ? { ...validBody } : {};
        if (target.startsWith("body:")) {
          const key = target.slice(5);
          body[key] = hostileValue(rand, body[key]);
        }
        c.body = JSON.stringify(body);
        c.contentType = "application/json";
      }
    }
    cases.push(c);
  }
  return cases;
}

async function answer(
  t: TestApp,
  token: string,
  c: Case,
): Promise<{ res: Response; text: string }> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (c.contentType) headers["content-type"] = c.contentType;
  const run = (async () => {
    const res = await t.app.request(c.url, {
      method: c.method.toUpperCase(),
      headers,
      body: c.body,
    });
    // A live stream (server-sent events) answers with its headers; its body never ends.
    if (res.headers.get("content-type")?.startsWith("text/event-stream")) {
      await res.body?.cancel();
      return { res, text: "" };
    }
    return { res, text: await res.text() };
  })();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${c.method} ${c.url.slice(0, 200)}: no answer within 2 s`)),
      ANSWER_WITHIN_MS,
    );
  });
  try {
    return await Promise.race([run, late]);
  } finally {
    clearTimeout(timer);
  }
}

const STACK = /\n\s+at |\bat [\w.<>]+ \(|file:\/\/\/|\.ts:\d+:\d+/;

appTest("every OpenAPI operation survives malformed input without a 5xx", async (t) => {
  // Loopback only: whatever the fuzzer makes reachable is 127.0.0.0/30 and 127.0.0.1.
  const subnet = await t.call("POST", "/api/v1/subnets", {
    json: { cidr: "127.0.0.0/30", name: "loop", scan_enabled: false },
  });
  assert.ok(subnet.status < 300, await subnet.clone().text());
  const ids: Record<string, string> = { "/api/v1/subnets": String((await subnet.json()).id) };
  const created = await t.call("POST", "/api/v1/tokens", { json: { name: "fuzz" } });
  assert.equal(created.status, 201, await created.clone().text());
  const token = (await created.json()).token as string;
  const doc = await (await t.call("GET", "/openapi.json", { as: null })).json();

  const rand = prng(SEED);
  const failures: string[] = [];
  let operations = 0;
  let requests = 0;
  for (
    const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Operation>>)
  ) {
    for (const [method, op] of Object.entries(item)) {
      if (!["get", "post", "put", "patch", "delete"].includes(method)) continue;
      operations++;
      const url = (path as string).startsWith("/") ? path : `/${path}`;
      for (const c of casesFor(doc, url, method, op, rand, ids)) {
        requests++;
        const { res, text } = await answer(t, token, c);
        const where = `${c.method.toUpperCase()} ${c.url.slice(0, 160)} body=${
          typeof c.body === "string" ? c.body.slice(0, 80) : c.body ? "form" : "-"
        }`;
        if (res.status >= 500) failures.push(`${res.status} ${where}: ${text.slice(0, 300)}`);
        else if (STACK.test(text)) failures.push(`stack trace in ${where}: ${text.slice(0, 300)}`);
      }
    }
  }
  assert.ok(operations >= 30, `only ${operations} operations in the document`);
  assert.equal(requests, operations * CASES_PER_OPERATION);
  assert.deepEqual(failures, [], `seed ${SEED}:\n${failures.join("\n")}`);
});
