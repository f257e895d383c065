// Serves files from static/ and the built islands from _build/: Hono's serveStatic does the URL
// checks, and every file is then confined to its folder by its real path.
import type { Context, MiddlewareHandler } from "hono";
import { serveStatic } from "hono/serve-static";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { AppError } from "@/services/errors.ts";

/** Types Hono's table lacks or words differently from what the pages expect. */
const MIMES: Record<string, string> = {
  csv: "text/csv; charset=utf-8",
  map: "application/json",
};

/** The real path of `file` when it is a regular file inside `root` (itself a real path). */
export async function containedFile(root: string, file: string): Promise<string | null> {
  let real: string;
  try {
    real = await Deno.realPath(file);
  } catch {
    return null;
  }
  if (!real.startsWith(root.endsWith("/") ? root : `${root}/`)) return null;
  try {
    // Only regular files: a FIFO would block the open, a device would stream without end.
    return (await Deno.stat(real)).isFile ? real : null;
  } catch {
    return null;
  }
}

/** Serves `base` (a file: URL of a folder) under `prefix`; anything else there is a 404. */
export function serveFrom(base: URL, prefix: string): MiddlewareHandler {
  const folder = fileURLToPath(base);
  let rootReal: Promise<string | null> | undefined;
  const root = () =>
    rootReal ??= Deno.realPath(folder).catch(() => {
      rootReal = undefined; // _build/ may appear later (deno task build)
      return null;
    });
  const serve = serveStatic({
    root: folder,
    rewriteRequestPath: (p) => p.slice(prefix.length - 1),
    mimes: MIMES,
    join,
    isDir: () => false,
    async getContent(path) {
      const r = await root();
      const real = r && await containedFile(r, path);
      if (!real) return null;
      try {
        return (await Deno.open(real, { read: true })).readable;
      } catch {
        return null;
      }
    },
    onFound: (_path, c) => {
      c.header("cache-control", "public, max-age=300");
    },
  });
  return async (c: Context) => {
    const raw = new URL(c.req.url).pathname;
    try {
      decodeURIComponent(raw);
    } catch {
      throw new AppError(400, "bad_path", "malformed percent-escape in the path");
    }
    let missed = false;
    const res = await serve(c, () => {
      missed = true;
      return Promise.resolve();
    });
    if (missed || !res) return c.notFound();
    return res;
  };
}
