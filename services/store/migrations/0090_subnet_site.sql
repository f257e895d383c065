-- Scale-out: a subnet belongs to a site, and only that site's scanners sweep it. Results that
-- arrive through NATS are recorded by id, so a redelivered result is never written twice.
alter table subnet add column site text not null default 'local'
  check (site ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$');
create index subnet_site_idx on subnet (site) where scan_enabled;

create table ingested_result (
  result_id text primary key,
  site text not null,
  subnet_id bigint,
  ingested_at timestamptz not null default now()
);
