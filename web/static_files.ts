// Serves files from static/ and the built islands from _build/, with no directory escapes.
import type { Context } from "hono";

const TYPES: Record<string, string> = {
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  ico: "image/x-icon",
  csv: "text/csv; charset=utf-8",
  json: "application/json",
  txt: "text/plain; charset=utf-8",
  map: "application/json",
  woff2: "font/woff2",
};

export function serveFrom(base: URL, prefix: string) {
  return async (c: Context) => {
    const rel = decodeURIComponent(c.req.path.slice(prefix.length));
    if (!rel || rel.split("/").some((seg) => seg === ".." || seg.startsWith("."))) {
      return c.notFound();
    }
    try {
      const body = await Deno.readFile(new URL(rel, base));
      const ext = rel.split(".").pop() ?? "";
      return c.body(body, 200, {
        "content-type": TYPES[ext] ?? "application/octet-stream",
        "cache-control": "public, max-age=300",
      });
    } catch {
      return c.notFound();
    }
  };
}
