-- Port scans: one run record per host per nmap run, the ports each saw, and port change events.

-- One row per host per scan, written when the scan ends (it is also the port-scan run log).
create table port_scan (
  id bigint generated always as identity primary key,
  -- Kept when the host is deleted (set null), so the run log stays readable through `target`.
  host_id bigint references host(id) on delete set null,
  target text not null,
  started_at timestamptz not null,
  finished_at timestamptz not null,
  -- The nmap options used (targets and output options excluded).
  args text[] not null default '{}',
  status text not null check (status in ('succeeded', 'failed', 'aborted')),
  error text,
  trigger text not null check (trigger in ('schedule', 'manual')),
  -- Hosts scanned by the same nmap process share a batch id.
  batch_id uuid,
  batch_size integer not null default 1,
  open_ports integer not null default 0,
  changes integer not null default 0,
  instance text,
  task_id uuid
);
create index port_scan_host_started on port_scan (host_id, started_at desc, id desc);
create index port_scan_started on port_scan (started_at desc, id desc);

-- Every port a scan reported for a host. `current` marks the latest observation of each
-- (host, port, proto): a scan resets it only for the ports it covered.
create table host_open_port (
  host_id bigint not null references host(id) on delete cascade,
  scan_id bigint not null references port_scan(id) on delete cascade,
  port integer not null check (port between 0 and 65535),
  proto text not null check (proto in ('tcp', 'udp', 'sctp', 'ip')),
  state text not null,
  -- Banners from the network: stored verbatim, escaped wherever shown.
  service text not null default '',
  product text not null default '',
  version text not null default '',
  -- The service came from version detection (-sV), not from nmap's port-number table.
  probed boolean not null default false,
  current boolean not null default true,
  primary key (scan_id, host_id, proto, port)
);
create index host_open_port_current on host_open_port (host_id, proto, port) where current;
create index host_open_port_current_service on host_open_port (service, host_id)
  where current and state = 'open';
create index host_open_port_host on host_open_port (host_id, scan_id);

-- Port changes are host events like up/down flips. The check keeps discovery's kinds (0020).
alter table host_event drop constraint host_event_kind_check;
alter table host_event add constraint host_event_kind_check check (kind in (
  'up', 'down', 'discovered', 'hostname_changed',
  'port_opened', 'port_closed', 'service_changed'
));
