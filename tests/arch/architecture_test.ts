// The import rule of docs/architecture.md, enforced: domains stay free of HTTP, islands of server
// code, routes of SQL, and every folder under services/ is entered only through its mod.ts.
import assert from "node:assert/strict";
import { serverCodeInBundle } from "@/scripts/island_graph.ts";

const ROOT = new URL("../../", import.meta.url);
const SKIP = /^(node_modules|_build|data|test-results|\.git)\//;

interface Import {
  file: string;
  spec: string;
  /** Repository-relative target for local imports, null for packages. */
  target: string | null;
  typeOnly: boolean;
}

async function sourceFiles(dir = "", out: string[] = []): Promise<string[]> {
  for await (const e of Deno.readDir(new URL(dir || ".", ROOT))) {
    const path = `${dir}${e.name}`;
    if (e.name.startsWith(".") || SKIP.test(`${path}/`)) continue;
    if (e.isDirectory) await sourceFiles(`${path}/`, out);
    else if (/\.tsx?$/.test(e.name)) out.push(path);
  }
  return out;
}

function normalize(path: string): string {
  const parts: string[] = [];
  for (const p of path.split("/")) {
    if (p === "..") parts.pop();
    else if (p !== "." && p !== "") parts.push(p);
  }
  return parts.join("/");
}

const IMPORT_RE =
  /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^"';]*?\s+from\s+)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

export function importsOf(file: string, src: string): Import[] {
  const out: Import[] = [];
  const code = src.replace(/\/\*[\s\S]*?\*\//g, "");
  for (const m of code.matchAll(IMPORT_RE)) {
    const spec = m[3] ?? m[4];
    const typeOnly = Boolean(m[2]);
    let target: string | null = null;
    if (spec.startsWith("@/")) target = normalize(spec.slice(2));
    else if (spec.startsWith(".")) {
      target = normalize(`${file.split("/").slice(0, -1).join("/")}/${spec}`);
    }
    out.push({ file, spec, target, typeOnly });
  }
  return out;
}

async function allImports(): Promise<Import[]> {
  const files = await sourceFiles();
  const lists = await Promise.all(
    files.map(async (f) => importsOf(f, await Deno.readTextFile(new URL(f, ROOT)))),
  );
  return lists.flat();
}

const imports = await allImports();
const show = (bad: Import[]) => bad.map((i) => `${i.file} → ${i.spec}`).join("\n");

/** services/<domain>/ folders that have a mod.ts (the only way in). */
const domains = new Set<string>();
for await (const e of Deno.readDir(new URL("services/", ROOT))) {
  if (!e.isDirectory) continue;
  try {
    await Deno.stat(new URL(`services/${e.name}/mod.ts`, ROOT));
    domains.add(e.name);
  } catch { /* a folder without mod.ts (config) is entered by its one file */ }
}

Deno.test("domains import no HTTP: no hono, no zod-openapi, nothing from web/, routes/ or UI", () => {
  const bad = imports.filter((i) =>
    i.file.startsWith("services/") &&
    (/^(hono|@hono\/|npm:hono|npm:@hono\/)/.test(i.spec) ||
      /^(web|routes|components|islands)\//.test(i.target ?? ""))
  );
  assert.deepEqual(bad, [], `domain code imports HTTP:\n${show(bad)}`);
});

Deno.test("islands and shared/ import no server code (services/, web/, routes/)", () => {
  const bad = imports.filter((i) =>
    (i.file.startsWith("islands/") || i.file.startsWith("shared/")) &&
    /^(services|web|routes)\//.test(i.target ?? "")
  );
  assert.deepEqual(bad, [], `browser code imports server code:\n${show(bad)}`);
});

Deno.test("the islands bundle carries no server module", async () => {
  const entry = new URL("_build/islands_entry.tsx", ROOT);
  assert.deepEqual(await serverCodeInBundle(entry), []);
});

Deno.test("routes and components hold no SQL: they call domain functions", async () => {
  const bad: string[] = [];
  // Our SQL is lower case; "SELECT" as a tag name is not SQL.
  const sql =
    /["'`]\s*(select\s|insert\s+into\s|update\s+\w+\s+set\s|delete\s+from\s|with\s+\w+\s+as\s*\()/;
  for (const f of await sourceFiles()) {
    if (!/^(routes|components|islands|web)\//.test(f)) continue;
    const src = await Deno.readTextFile(new URL(f, ROOT));
    if (/\b(db|tx|q)\.(query|exec)\s*\(/.test(src) || sql.test(src)) bad.push(f);
  }
  assert.deepEqual(bad, [], `SQL outside services/:\n${bad.join("\n")}`);
});

Deno.test("each services/<domain>/ is entered only through its mod.ts", () => {
  const bad = imports.filter((i) => {
    const m = /^services\/([a-z_]+)\/(.+)$/.exec(i.target ?? "");
    if (!m || !domains.has(m[1]) || m[2] === "mod.ts") return false;
    return !i.file.startsWith(`services/${m[1]}/`);
  });
  assert.deepEqual(bad, [], `imports reaching past a mod.ts:\n${show(bad)}`);
});

Deno.test("IP/CIDR parsing has one owner: only services/ipam/cidr.ts imports ipaddr.js", () => {
  const bad = imports.filter((i) =>
    /^(npm:\/?)?ipaddr\.js(@|\/|$)/.test(i.spec) && i.file !== "services/ipam/cidr.ts"
  );
  assert.deepEqual(bad, [], `ipaddr.js outside services/ipam/cidr.ts:\n${show(bad)}`);
});

Deno.test("the import scanner sees the forms we write", () => {
  const found = importsOf(
    "services/sweeps/x.ts",
    `import { a } from "./a.ts";\nimport type { B } from "@/web/env.ts";\n` +
      `export * from "../jobs/mod.ts";\nconst m = await import("hono");`,
  );
  assert.deepEqual(found.map((i) => [i.target, i.typeOnly]), [
    ["services/sweeps/a.ts", false],
    ["web/env.ts", true],
    ["services/jobs/mod.ts", false],
    [null, false],
  ]);
});

Deno.test("domains depend on each other without cycles", () => {
  const edges = new Map<string, Set<string>>();
  for (const i of imports) {
    const from = /^services\/([a-z_]+)\//.exec(i.file)?.[1];
    const to = /^services\/([a-z_]+)\//.exec(i.target ?? "")?.[1];
    if (!from || !to || from === to || i.file.endsWith("_test.ts")) continue;
    if (!edges.has(from)) edges.set(from, new Set());
    edges.get(from)!.add(to);
  }
  const cycles: string[] = [];
  const walk = (node: string, path: string[]) => {
    if (path.includes(node)) {
      cycles.push([...path.slice(path.indexOf(node)), node].join(" → "));
      return;
    }
    for (const next of edges.get(node) ?? []) walk(next, [...path, node]);
  };
  for (const d of edges.keys()) walk(d, []);
  assert.deepEqual([...new Set(cycles)], [], "domain import cycles");
});
