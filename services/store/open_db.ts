// Picks the SQL engine from the config: PostgreSQL when DATABASE_URL is set, else PGlite.
import type { Db } from "./db.ts";
import { openPglite } from "./pglite_db.ts";
import { openPostgres } from "./postgres_db.ts";

export async function openDb(cfg: { DATABASE_URL?: string; DATA_DIR: string }): Promise<Db> {
  if (cfg.DATABASE_URL) return openPostgres(cfg.DATABASE_URL);
  return await openPglite(`${cfg.DATA_DIR.replace(/\/$/, "")}/pglite`);
}
