// Every setting the code reads is in the README's configuration table, and every row of that
// table is a setting the code reads: the table cannot fall behind or promise what is ignored.
import assert from "node:assert/strict";
import { ConfigSchema } from "@/services/config/config.ts";

const ROOT = new URL("../../", import.meta.url);
/** Variables production code may read that are the system's, not Pingfold settings. */
const SYSTEM = new Set(["PATH", "HOME"]);

function readmeSettings(): Set<string> {
  const readme = Deno.readTextFileSync(new URL("README.md", ROOT));
  const section = readme.slice(readme.indexOf("## Configuration"));
  const table = section.slice(0, section.indexOf("\n## "));
  return new Set([...table.matchAll(/^\| `([A-Z][A-Z0-9_]+)`/gm)].map((m) => m[1]));
}

/** Names read straight from the environment outside services/config (tests and benches aside). */
async function envReadsInCode(): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const walk = async (dir: URL) => {
    for await (const e of Deno.readDir(dir)) {
      const url = new URL(e.name + (e.isDirectory ? "/" : ""), dir);
      if (e.isDirectory) {
        if (
          !["node_modules", "_build", "tests", "bench", "data", "test-results"].includes(e.name)
        ) {
          await walk(url);
        }
        continue;
      }
      if (!/\.tsx?$/.test(e.name) || /_test\.tsx?$/.test(e.name)) continue;
      const text = await Deno.readTextFile(url);
      for (const m of text.matchAll(/Deno\.env\.get\(\s*["']([A-Z0-9_]+)["']/g)) {
        found.set(m[1], url.pathname.slice(ROOT.pathname.length));
      }
    }
  };
  await walk(ROOT);
  return found;
}

Deno.test("every setting in the config schema is in the README's configuration table", () => {
  const documented = readmeSettings();
  const missing = Object.keys(ConfigSchema.shape).filter((k) => !documented.has(k));
  assert.deepEqual(missing, [], `add these to README.md → Configuration: ${missing.join(", ")}`);
});

Deno.test("every variable read from the environment in code is a documented setting", async () => {
  const documented = readmeSettings();
  const stray = [...await envReadsInCode()].filter(([k]) => !SYSTEM.has(k) && !documented.has(k));
  assert.deepEqual(stray, [], "read it through services/config/config.ts and document it");
});

Deno.test("every row of the README's configuration table is a setting the code reads", () => {
  const known = new Set(Object.keys(ConfigSchema.shape));
  const stale = [...readmeSettings()].filter((k) => !known.has(k));
  assert.deepEqual(stale, [], `README documents settings nothing reads: ${stale.join(", ")}`);
});

Deno.test("the settings tables in docs/ name only real settings", async () => {
  const known = new Set(Object.keys(ConfigSchema.shape));
  const stale: string[] = [];
  for await (const e of Deno.readDir(new URL("docs/", ROOT))) {
    if (!e.name.endsWith(".md")) continue;
    const text = await Deno.readTextFile(new URL(`docs/${e.name}`, ROOT));
    for (const m of text.matchAll(/^\| `([A-Z][A-Z0-9_]{2,})`\s*\|\s*`?[^|]*\|/gm)) {
      if (!known.has(m[1])) stale.push(`docs/${e.name}: ${m[1]}`);
    }
  }
  assert.deepEqual(stale, []);
});
