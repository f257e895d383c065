-- Live discovery: per-sweep status history, its hourly roll-up, state flips, and the run log.

-- One row per host per sweep, append-only; rows older than HISTORY_RAW_DAYS become hourly rows.
create table host_status (
  host_id bigint not null references host(id) on delete cascade,
  ts timestamptz not null,
  is_up boolean not null,
  latency_ms double precision,
  method text not null
);
create index host_status_host_ts on host_status (host_id, ts);
create index host_status_ts on host_status (ts);

-- One row per host per hour once raw rows age out; latency_samples weights avg_latency_ms merges.
create table host_status_hourly (
  host_id bigint not null references host(id) on delete cascade,
  hour timestamptz not null,
  samples integer not null check (samples > 0),
  up_samples integer not null check (up_samples between 0 and samples),
  up_ratio double precision not null,
  latency_samples integer not null default 0,
  min_latency_ms double precision,
  avg_latency_ms double precision,
  max_latency_ms double precision,
  primary key (host_id, hour)
);

-- Only what changed: up, down, discovered, hostname_changed (detail says from/to and how).
create table host_event (
  id bigint generated always as identity primary key,
  host_id bigint not null references host(id) on delete cascade,
  ts timestamptz not null,
  kind text not null check (kind in ('up', 'down', 'discovered', 'hostname_changed')),
  detail jsonb not null default '{}'::jsonb
);
create index host_event_host_ts on host_event (host_id, ts desc, id desc);
create index host_event_ts on host_event (ts desc);

-- Every sweep of a subnet or ping of a host, scheduled or manual, for the scanner health page.
create table scan_run (
  id bigint generated always as identity primary key,
  kind text not null check (kind in ('subnet', 'host')),
  trigger text not null check (trigger in ('schedule', 'manual')),
  subnet_id bigint references subnet(id) on delete set null,
  host_id bigint references host(id) on delete set null,
  target text not null,
  started_at timestamptz not null,
  finished_at timestamptz not null,
  duration_ms integer not null,
  method text,
  targets integer not null default 0,
  hosts_up integer not null default 0,
  hosts_down integer not null default 0,
  hosts_new integer not null default 0,
  flips integer not null default 0,
  errors jsonb not null default '[]'::jsonb,
  notes jsonb not null default '[]'::jsonb,
  status text not null check (status in ('succeeded', 'failed', 'aborted')),
  instance text,
  task_id uuid
);
create index scan_run_started on scan_run (started_at desc, id desc);
create index scan_run_subnet on scan_run (subnet_id, started_at desc);
