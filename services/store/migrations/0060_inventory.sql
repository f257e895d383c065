-- Inventory and operations: organizations → servers → hosts, indicators, actions and their runs,
-- and one scan result row per ad-hoc or scheduled check.

create table organization (
  id bigint generated always as identity primary key,
  name text not null,
  code text,
  -- [{name, email, phone}]
  contacts jsonb not null default '[]'::jsonb,
  notes text not null default '',
  tags text[] not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index organization_name_ci on organization (lower(name));
create unique index organization_code_ci on organization (lower(code)) where code is not null;

create table server (
  id bigint generated always as identity primary key,
  name text not null,
  -- Deleting an organization with servers is refused unless asked to detach them (set null).
  organization_id bigint references organization(id) on delete restrict,
  role text not null default '',
  os text not null default '',
  location text not null default '',
  rack text not null default '',
  serial text not null default '',
  notes text not null default '',
  tags text[] not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
-- Names are unique within an organization (and among servers without one), case-insensitively.
create unique index server_name_ci on server (coalesce(organization_id, 0), lower(name));
create index server_organization on server (organization_id);

-- A server's addresses; an address belongs to at most one server.
create table server_host (
  server_id bigint not null references server(id) on delete cascade,
  host_id bigint not null references host(id) on delete cascade,
  primary key (server_id, host_id)
);
create unique index server_host_host on server_host (host_id);

create table indicator (
  id bigint generated always as identity primary key,
  host_id bigint references host(id) on delete cascade,
  server_id bigint references server(id) on delete cascade,
  name text not null,
  value_num double precision,
  value_text text,
  unit text not null default '',
  status text not null check (status in ('ok', 'warning', 'critical', 'unknown')),
  source text not null default '',
  -- {warning_above, critical_above, warning_below, critical_below}: numeric value → status.
  thresholds jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((host_id is null) <> (server_id is null))
);
create unique index indicator_host_name on indicator (host_id, name) where host_id is not null;
create unique index indicator_server_name on indicator (server_id, name) where server_id is not null;
create index indicator_status on indicator (status);

-- The last changes of each indicator (pruned to a short tail on write).
create table indicator_history (
  id bigint generated always as identity primary key,
  indicator_id bigint not null references indicator(id) on delete cascade,
  ts timestamptz not null default now(),
  value_num double precision,
  value_text text,
  status text not null,
  source text not null default ''
);
create index indicator_history_ind on indicator_history (indicator_id, ts desc, id desc);

create table action (
  id bigint generated always as identity primary key,
  name text not null,
  description text not null default '',
  -- Relative to ACTIONS_DIR; checked again (real path, regular executable file) before each run.
  executable text not null,
  -- Fixed arguments; placeholders {ip} {hostname} {server} {organization} only.
  args text[] not null default '{}',
  timeout_s integer not null default 60 check (timeout_s between 1 and 3600),
  editors_may_run boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index action_name_ci on action (lower(name));

create table action_run (
  id bigint generated always as identity primary key,
  -- Kept when the action or host is deleted, readable through the copied names.
  action_id bigint references action(id) on delete set null,
  action_name text not null,
  host_id bigint references host(id) on delete set null,
  target text not null,
  argv text[] not null,
  task_id uuid,
  username text,
  status text not null
    check (status in ('queued', 'running', 'succeeded', 'failed', 'timed_out', 'cancelled')),
  exit_code integer,
  stdout text not null default '',
  stderr text not null default '',
  stdout_truncated boolean not null default false,
  stderr_truncated boolean not null default false,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz,
  duration_ms integer
);
create index action_run_created on action_run (created_at desc, id desc);
create index action_run_host on action_run (host_id, created_at desc);
create index action_run_task on action_run (task_id);

create table scan_result (
  id bigint generated always as identity primary key,
  kind text not null check (kind in ('ping', 'sweep', 'port_scan')),
  target text not null,
  host_id bigint references host(id) on delete set null,
  -- adhoc: started from /api/v1/scans or the CLI; schedule/manual: copied from the discovery runs.
  source text not null check (source in ('adhoc', 'schedule', 'manual')),
  started_at timestamptz not null,
  finished_at timestamptz,
  status text not null check (status in ('running', 'succeeded', 'failed', 'aborted')),
  summary jsonb not null default '{}'::jsonb,
  -- [{port, proto, state, service, product, version}]; null for rows of discovery's port scans,
  -- whose ports are read from host_open_port through port_scan_id.
  open_ports jsonb,
  task_id uuid,
  username text,
  port_scan_id bigint references port_scan(id) on delete cascade,
  scan_run_id bigint references scan_run(id) on delete cascade
);
create index scan_result_started on scan_result (started_at desc, id desc);
create index scan_result_host on scan_result (host_id, started_at desc);
create index scan_result_target on scan_result (target, started_at desc);

-- Scheduled and per-host checks of discovery write their own run rows; each becomes a scan result
-- here too, so "every check writes one result row" holds without touching discovery's code.
create function scan_result_from_port_scan() returns trigger language plpgsql as $$
begin
  insert into scan_result (kind, target, host_id, source, started_at, finished_at, status,
                           summary, task_id, port_scan_id)
  values ('port_scan', new.target, new.host_id, new.trigger, new.started_at, new.finished_at,
          new.status,
          jsonb_build_object('open_ports', new.open_ports, 'changes', new.changes,
                             'args', to_jsonb(new.args), 'error', new.error),
          new.task_id, new.id);
  return new;
end $$;
create trigger port_scan_result after insert on port_scan
  for each row execute function scan_result_from_port_scan();

create function scan_result_from_scan_run() returns trigger language plpgsql as $$
begin
  insert into scan_result (kind, target, host_id, source, started_at, finished_at, status,
                           summary, task_id, scan_run_id)
  values (case when new.kind = 'host' then 'ping' else 'sweep' end, new.target, new.host_id,
          new.trigger, new.started_at, new.finished_at, new.status,
          jsonb_build_object('method', new.method, 'targets', new.targets,
                             'hosts_up', new.hosts_up, 'hosts_down', new.hosts_down,
                             'hosts_new', new.hosts_new, 'errors', new.errors),
          new.task_id, new.id);
  return new;
end $$;
create trigger scan_run_result after insert on scan_run
  for each row execute function scan_result_from_scan_run();
