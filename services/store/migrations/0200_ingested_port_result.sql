-- Port scan results that came through NATS (services/cluster/port_ingest.ts): each is claimed here
-- before its hosts are stored, so a redelivered result writes nothing twice.
create table ingested_port_result (
  result_id text primary key,
  site text not null,
  hosts int not null,
  ingested_at timestamptz not null default now()
);
