// Applies the numbered .sql migrations once each, in order, inside one transaction.
import type { Db } from "./db.ts";

const MIGRATIONS_DIR = new URL("./migrations/", import.meta.url);
// Any constant works; it only has to be the same for every Pingfold process.
const MIGRATION_LOCK_KEY = 7_468_736;

export interface Migration {
  version: string;
  sql: string;
}

export async function loadMigrations(dir: URL = MIGRATIONS_DIR): Promise<Migration[]> {
  const list: Migration[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile || !/^\d{4}_[a-z0-9_]+\.sql$/.test(entry.name)) continue;
    list.push({
      version: entry.name.replace(/\.sql$/, ""),
      sql: await Deno.readTextFile(new URL(entry.name, dir)),
    });
  }
  return list.sort((a, b) => a.version.localeCompare(b.version));
}

/** Returns the versions applied by this call. Safe when two processes start at once. */
export async function migrate(db: Db, migrations?: Migration[]): Promise<string[]> {
  const all = migrations ?? await loadMigrations();
  return await db.tx(async (tx) => {
    await tx.query("select pg_advisory_xact_lock($1)", [MIGRATION_LOCK_KEY]);
    await tx.exec(`create table if not exists schema_migrations (
      version text primary key, applied_at timestamptz not null default now())`);
    const done = new Set(
      (await tx.query<{ version: string }>("select version from schema_migrations")).map((r) =>
        r.version
      ),
    );
    const applied: string[] = [];
    for (const m of all) {
      if (done.has(m.version)) continue;
      await tx.exec(m.sql);
      await tx.query("insert into schema_migrations (version) values ($1)", [m.version]);
      applied.push(m.version);
    }
    return applied;
  });
}
