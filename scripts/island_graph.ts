// What the islands bundle really contains: the code (not type-only) module graph from its entry.
const root = new URL("../", import.meta.url);

/** Server folders whose code must never reach the browser bundle. */
export const SERVER_DIRS = ["services/", "web/", "routes/"];

interface InfoDep {
  code?: { specifier?: string };
}
interface InfoModule {
  specifier: string;
  dependencies?: InfoDep[];
}

/** Repository-relative paths of every local module the entry pulls in as code. */
export async function codeModules(entry: URL): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry.pathname],
    cwd: root.pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`deno info failed: ${new TextDecoder().decode(out.stderr)}`);
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    roots: string[];
    modules: InfoModule[];
  };
  const byId = new Map(info.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const stack = [...info.roots];
  while (stack.length) {
    const s = stack.pop()!;
    if (seen.has(s)) continue;
    seen.add(s);
    for (const d of byId.get(s)?.dependencies ?? []) {
      if (d.code?.specifier) stack.push(d.code.specifier);
    }
  }
  return [...seen]
    .filter((s) => s.startsWith(root.href) && !s.includes("/node_modules/"))
    .map((s) => s.slice(root.href.length))
    .sort();
}

/** Modules of server folders that the bundle would carry; empty when the islands are clean. */
export async function serverCodeInBundle(entry: URL): Promise<string[]> {
  return (await codeModules(entry)).filter((p) => SERVER_DIRS.some((d) => p.startsWith(d)));
}
