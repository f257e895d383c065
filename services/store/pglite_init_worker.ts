// Creates a new PGlite data directory (initdb, then every migration) away from the server's own
// memory. Creating one takes ~600 MB of WebAssembly memory, and a worker thread does not give
// everything back when it ends (~100 MB stayed with the process: measured); so the server runs this
// file as a child process (`deno run … pglite_init_worker.ts DIR`) and only a compiled binary,
// which has no separate script to run, falls back to running it as a worker (see openPglite).
import { PGlite } from "@electric-sql/pglite";
import { pgliteDb, pgliteParsers } from "./pglite_db.ts";
import { migrate } from "./migrate.ts";

/** initdb plus migrations for `dir`; the instance is closed again before this resolves. */
export async function createDataDir(dir: string): Promise<void> {
  const pg = new PGlite(dir, { parsers: pgliteParsers });
  await pg.waitReady;
  await migrate(pgliteDb(pg));
  await pg.close();
}

if (import.meta.main) {
  // Child process: the directory is the only argument; the exit code and stderr say how it went.
  try {
    await createDataDir(Deno.args[0]);
  } catch (err) {
    console.error(String((err as Error)?.message ?? err));
    Deno.exit(1);
  }
} else {
  self.onmessage = async (e: MessageEvent<{ dir: string }>) => {
    try {
      await createDataDir(e.data.dir);
      self.postMessage({ ok: true });
    } catch (err) {
      self.postMessage({ ok: false, error: String((err as Error)?.message ?? err) });
    }
  };
}
