-- Results arrive in chunks (format 2): each chunk is claimed here in the transaction that writes
-- it, so a redelivered or replayed chunk writes nothing. Once a result's last chunk is in, its row
-- goes to ingested_result (with the run) and its chunk rows are deleted: this table holds only
-- results still arriving, and ingested_result answers for finished ones.
create table ingested_chunk (
  result_id text not null,
  chunk int not null,
  site text not null,
  subnet_id bigint,
  hosts_up int not null default 0,
  hosts_down int not null default 0,
  hosts_new int not null default 0,
  flips int not null default 0,
  ingested_at timestamptz not null default now(),
  primary key (result_id, chunk)
);
