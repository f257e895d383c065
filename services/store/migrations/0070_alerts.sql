-- Alerts: events worth telling, rules that select them, targets that receive them, silences
-- (mutes, maintenance windows, quiet hours) and the durable delivery queue.

-- Every event, whether or not anything was sent: the events feed and its history API.
create table alert_event (
  id bigint generated always as identity primary key,
  ts timestamptz not null,
  kind text not null check (kind in ('host_down', 'host_up', 'host_new', 'port_opened',
    'port_closed', 'service_changed', 'indicator_status', 'scan_failing', 'exporter_silent')),
  host_id bigint references host(id) on delete set null,
  subnet_id bigint references subnet(id) on delete set null,
  -- Inventory links, filled when the inventory knows them (no foreign key: another domain).
  server_id bigint,
  organization_id bigint,
  -- The stable JSON shape sent to receivers (docs/alerts.md), frozen at recording time.
  payload jsonb not null
);
create index alert_event_ts on alert_event (ts desc, id desc);
create index alert_event_host on alert_event (host_id, ts desc, id desc);
create index alert_event_kind on alert_event (kind, ts desc, id desc);

create table alert_target (
  id bigint generated always as identity primary key,
  name text not null,
  kind text not null check (kind in ('webhook', 'slack', 'discord', 'teams', 'ntfy', 'email')),
  -- http(s) URL for web kinds, an e-mail address for email.
  url text not null,
  -- Signs every request (HMAC-SHA256); never returned by the API.
  secret text not null,
  enabled boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table alert_rule (
  id bigint generated always as identity primary key,
  name text not null,
  enabled boolean not null default true,
  events text[] not null,
  subnet_id bigint references subnet(id) on delete cascade,
  tag text,
  host_id bigint references host(id) on delete cascade,
  server_id bigint,
  down_after integer not null default 2 check (down_after between 1 and 100),
  -- At most one down/up pair per host per this many seconds (0 = no damping).
  flap_window_s integer not null default 900 check (flap_window_s between 0 and 604800),
  target_ids bigint[] not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- Mutes (until a time), maintenance windows (from–to) and daily quiet hours, each for a host,
-- a subnet (with its children), a tag, or everything.
create table alert_silence (
  id bigint generated always as identity primary key,
  kind text not null check (kind in ('mute', 'maintenance', 'quiet')),
  host_id bigint references host(id) on delete cascade,
  subnet_id bigint references subnet(id) on delete cascade,
  tag text,
  starts_at timestamptz,
  ends_at timestamptz,
  -- Quiet hours: minutes after local midnight in time_zone; from > to wraps past midnight.
  daily_from integer check (daily_from between 0 and 1439),
  daily_to integer check (daily_to between 0 and 1439),
  time_zone text not null default 'UTC',
  reason text not null default '',
  created_at timestamptz not null default now()
);

-- Consecutive misses of hosts that went down (a row exists only while down), for down_after.
create table alert_host_watch (
  host_id bigint primary key references host(id) on delete cascade,
  down_event_id bigint not null references alert_event(id) on delete cascade,
  misses integer not null default 1
);

-- What each rule decided for each event: sent, or why not (flapping, muted, maintenance…).
create table alert_match (
  event_id bigint not null references alert_event(id) on delete cascade,
  rule_id bigint not null references alert_rule(id) on delete cascade,
  host_id bigint,
  kind text not null,
  ts timestamptz not null,
  outcome text not null,
  primary key (event_id, rule_id)
);
create index alert_match_rule_host on alert_match (rule_id, host_id, ts desc);

-- Conditions checked on a timer (failing scans, silent exporters): reported once per episode.
create table alert_condition (
  key text primary key,
  active_since timestamptz not null
);

-- The durable queue: a row exists before anything is sent, and a success is recorded once.
create table alert_delivery (
  id bigint generated always as identity primary key,
  -- The idempotency key (X-Pingfold-Delivery), the same on every retry.
  uuid uuid not null unique,
  event_id bigint references alert_event(id) on delete set null,
  target_id bigint not null references alert_target(id) on delete cascade,
  rule_id bigint references alert_rule(id) on delete set null,
  kind text not null,
  payload jsonb not null,
  status text not null check (status in ('queued', 'sending', 'succeeded', 'failed')),
  attempts integer not null default 0,
  max_attempts integer not null,
  next_attempt_at timestamptz not null,
  lease_until timestamptz,
  lease_token uuid,
  last_status integer,
  last_error text,
  latency_ms integer,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  succeeded_at timestamptz,
  unique (event_id, target_id)
);
create index alert_delivery_due on alert_delivery (next_attempt_at, id)
  where status in ('queued', 'sending');
create index alert_delivery_target on alert_delivery (target_id, id desc);
create index alert_delivery_target_due on alert_delivery (target_id, next_attempt_at, id)
  where status in ('queued', 'sending');
create index alert_delivery_recent on alert_delivery (id desc);
