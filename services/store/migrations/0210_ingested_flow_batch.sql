-- Flow batches that came through NATS from edge collectors (services/cluster/flow_ingest.ts):
-- each message is claimed here in the transaction that stores its flows, so a redelivered or
-- re-sent batch writes nothing twice. Rows older than the flows stream's max age are pruned.
create table ingested_flow_batch (
  msg_id text primary key,
  site text not null,
  collector text not null,
  records int not null,
  ingested_at timestamptz not null default now()
);
create index ingested_flow_batch_at on ingested_flow_batch (ingested_at);
