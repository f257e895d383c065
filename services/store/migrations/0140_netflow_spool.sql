-- The NetFlow spool's restart point: the last receive batch (by sequence) whose records are all
-- stored, written in the same transaction as those records. After a crash the collector deletes
-- the spool files up to it and replays the rest, so a spooled record is stored exactly once.
create table netflow_spool_state (
  collector text primary key,
  stored_seq bigint not null,
  updated_at timestamptz not null
);
