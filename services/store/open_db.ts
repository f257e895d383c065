// Picks the SQL engine from the config: PostgreSQL when DATABASE_URL is set, else PGlite.
import type { Db } from "./db.ts";
import { openPglite } from "./pglite_db.ts";
import { openPostgres } from "./postgres_db.ts";
import { trackLiveness } from "./db_liveness.ts";

export async function openDb(
  cfg: { DATABASE_URL?: string; DATA_DIR: string; PGLITE_SHARED_BUFFERS_MB?: number },
): Promise<Db> {
  // Tracked, so GET /health knows the database answers without queueing behind the load.
  if (cfg.DATABASE_URL) return trackLiveness(openPostgres(cfg.DATABASE_URL));
  return trackLiveness(
    await openPglite(`${cfg.DATA_DIR.replace(/\/$/, "")}/pglite`, {
      sharedBuffersMb: cfg.PGLITE_SHARED_BUFFERS_MB,
    }),
  );
}
