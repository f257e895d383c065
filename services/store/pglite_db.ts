// Embedded PGlite engine: the zero-setup default, data kept in DATA_DIR.
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

/** Opens PGlite at a directory (created if missing) or "memory://". */
export async function openPglite(dataDir: string): Promise<Db> {
  if (dataDir !== "memory://") await Deno.mkdir(dataDir, { recursive: true });
  const pg = new PGlite(dataDir, { parsers });
  await pg.waitReady;
  return pgliteDb(pg);
}

/** A migrated in-memory template copied per test: cloning costs far less than a fresh start. */
export async function clonePglite(template: PGlite): Promise<Db> {
  return pgliteDb(await template.clone());
}

export { parsers as pgliteParsers, PGlite };
