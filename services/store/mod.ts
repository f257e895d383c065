// Storage: the SQL interface, its two engines, migrations and KV.
export { type Db, encodeParams, pingDb, type Queryable, type SqlParam, toPgArray } from "./db.ts";
export { clonePglite, openPglite, PGlite, pgliteDb, pgliteParsers } from "./pglite_db.ts";
export { openPostgres } from "./postgres_db.ts";
export { openDb } from "./open_db.ts";
export { loadMigrations, migrate } from "./migrate.ts";
export { openKv } from "./kv.ts";
export { keysetPage, type Page, wholeList } from "./page.ts";
