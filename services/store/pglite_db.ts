// Embedded PGlite engine: the zero-setup default, data kept in DATA_DIR.
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite, type PGliteInterface, types } from "@electric-sql/pglite";
import { type Db, encodeParams, type Queryable, type SqlParam } from "./db.ts";

const parsers = {
  [types.INT8]: (v: string) => Number(v),
  [types.NUMERIC]: (v: string) => v,
};

function wrap(conn: Pick<PGliteInterface, "query" | "exec">): Queryable {
  return {
    async query<T>(sql: string, params: readonly SqlParam[] = []) {
      const res = await conn.query<T>(sql, encodeParams(params));
      return res.rows;
    },
    async exec(sql: string) {
      await conn.exec(sql);
    },
    async copyCsv(table, columns, csv) {
      await conn.query(
        `copy ${table} (${columns.join(", ")}) from '/dev/blob' with (format csv)`,
        [],
        { blob: new Blob(typeof csv === "string" ? [csv] : csv as BlobPart[]) },
      );
    },
  };
}

export function pgliteDb(pg: PGliteInterface): Db {
  return {
    engine: "pglite",
    ...wrap(pg),
    tx: (fn) => pg.transaction((t) => fn(wrap(t))),
    close: () => pg.close(),
  };
}

export interface PgliteOptions {
  /**
   * Postgres' page cache, allocated inside PGlite's WebAssembly heap. Postgres' default (128 MB)
   * is touched as pages are read and never given back, so it alone took idle RSS from ~175 MB to
   * ~300 MB (measured). The data files stay in the OS page cache anyway, so a small pool costs
   * little: 16 MB holds the hot indexes of tens of thousands of hosts.
   */
  sharedBuffersMb?: number;
}

export const PGLITE_SHARED_BUFFERS_MB_DEFAULT = 16;

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

const INIT_SCRIPT = new URL("./pglite_init_worker.ts", import.meta.url);

/**
 * The environment of the initdb child: what Deno itself needs to find its caches, nothing of the
 * server's settings or secrets.
 */
function initChildEnv(): Record<string, string> {
  const env: Record<string, string> = { LANG: "C.UTF-8" };
  for (const name of ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME", "TMPDIR"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/**
 * Runs initdb for a new data directory in a child process, so none of its memory stays with the
 * server (a worker thread kept ~100 MB of it: fresh data dir idled at ~340 MB against ~240 MB).
 */
async function initInChild(dataDir: string): Promise<void> {
  const root = new URL("../../", import.meta.url);
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-sys",
      fileURLToPath(INIT_SCRIPT),
      // The child runs in the project folder (where deno.json is): a relative DATA_DIR is ours.
      resolve(dataDir),
    ],
    cwd: fileURLToPath(root),
    clearEnv: true,
    env: initChildEnv(),
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) {
    const why = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-5).join(" ");
    throw new Error(`creating the PGlite database failed (exit ${out.code}): ${why}`);
  }
}

/** The same in a worker, for a compiled binary: its memory is mostly freed when the worker ends. */
async function initInWorker(dataDir: string): Promise<void> {
  const worker = new Worker(INIT_SCRIPT.href, { type: "module" });
  try {
    const answer = await new Promise<{ ok: boolean; error?: string }>((resolve, reject) => {
      worker.onmessage = (e) => resolve(e.data);
      worker.onerror = (e) => {
        e.preventDefault();
        reject(new Error(e.message));
      };
      worker.postMessage({ dir: dataDir });
    });
    if (!answer.ok) throw new Error(`creating the PGlite database failed: ${answer.error}`);
  } finally {
    worker.terminate();
  }
}

/** Opens PGlite at a directory (created if missing) or "memory://". */
export async function openPglite(dataDir: string, opts: PgliteOptions = {}): Promise<Db> {
  if (dataDir !== "memory://") {
    await Deno.mkdir(dataDir, { recursive: true });
    if (!(await exists(`${dataDir}/PG_VERSION`))) {
      // A compiled binary has no script file to run as a child (its modules live inside it).
      if (Deno.build.standalone || INIT_SCRIPT.protocol !== "file:") await initInWorker(dataDir);
      else await initInChild(dataDir);
    }
  }
  const sharedBuffers = opts.sharedBuffersMb ?? PGLITE_SHARED_BUFFERS_MB_DEFAULT;
  const pg = new PGlite(dataDir, {
    parsers,
    startParams: [...PGlite.defaultStartParams, "-c", `shared_buffers=${sharedBuffers}MB`],
  });
  await pg.waitReady;
  return pgliteDb(pg);
}

export { parsers as pgliteParsers, PGlite };
