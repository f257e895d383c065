import assert from "node:assert/strict";
import { join } from "node:path";
import { openPglite } from "./pglite_db.ts";

// One test (initdb costs ~15 s): a new data directory, given relative to this process's working
// directory, is created by the initdb child where this process means it, and migrated.
Deno.test("a new PGlite data directory is created and migrated by a child process", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pf-pglite-init-" });
  const before = Deno.cwd();
  try {
    Deno.chdir(dir);
    const db = await openPglite("data/pglite");
    try {
      const rows = await db.query<{ version: string }>("select version from schema_migrations");
      assert.ok(rows.some((r) => r.version === "0001_core"));
    } finally {
      await db.close();
    }
    assert.ok((await Deno.stat(join(dir, "data", "pglite", "PG_VERSION"))).isFile);
    // Opened again, the directory is used as it is.
    const again = await openPglite(join(dir, "data", "pglite"));
    await again.close();
  } finally {
    Deno.chdir(before);
    await Deno.remove(dir, { recursive: true });
  }
});
