// Storage: the SQL interface, its two engines, migrations and KV.
export { type Db, encodeParams, pingDb, type Queryable, type SqlParam, toPgArray } from "./db.ts";
export {
  openPglite,
  PGlite,
  PGLITE_SHARED_BUFFERS_MB_DEFAULT,
  pgliteDb,
  pgliteParsers,
} from "./pglite_db.ts";
export { openPostgres } from "./postgres_db.ts";
export { openDb } from "./open_db.ts";
export { msSinceDbAnswered, trackLiveness } from "./db_liveness.ts";
export { checkWithin, dbHealth, kvHealth } from "./health_probe.ts";
export { loadMigrations, migrate } from "./migrate.ts";
export { openKv } from "./kv.ts";
export { keysetPage, type Page, wholeList } from "./page.ts";
export type {
  CommitResult,
  StateChange,
  StateEntry,
  StateEntryFound,
  StateKey,
  StateKeyPart,
  StateOp,
  StateStore,
} from "./state_store.ts";
export {
  DEFAULT_STATE_BUCKET,
  EVENT_SUBJECT_PREFIX,
  STATE_BUCKETS,
  STATE_KEY_PREFIXES,
} from "./state_store.ts";
export { kvStateStore, openKvStateStore } from "./kv_state_store.ts";
export { NATS_BUCKETS, natsStateStore } from "./nats_state_store.ts";
export { connectNats, type NatsSettings } from "./nats_connection.ts";
export { NatsCredentialsError } from "./nats_credentials.ts";
export { NatsTlsError, serverAddresses } from "./nats_tls.ts";
export { natsSettingsOf, openStateStore, type StateStoreSettings } from "./open_state.ts";
export {
  dropHistoryBefore,
  type DropResult,
  ensureHistoryPartitions,
  HISTORY_TABLES,
  type HistoryTable,
  type PartitionUnit,
  periodStart,
} from "./history_partitions.ts";
export { enableReadMemo, forgetReads, liveStateChanged, memoRead } from "./read_memo.ts";
