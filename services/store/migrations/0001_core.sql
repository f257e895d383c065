-- Users, API tokens and the audit log.
create table app_user (
  id bigint generated always as identity primary key,
  username text not null unique check (username ~ '^[a-zA-Z0-9_.-]{1,64}$'),
  password_hash text not null,
  role text not null check (role in ('admin', 'editor', 'viewer')),
  must_change_password boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table api_token (
  id bigint generated always as identity primary key,
  user_id bigint not null references app_user(id) on delete cascade,
  name text not null,
  token_hash text not null unique,
  prefix text not null,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);

create table audit_log (
  id bigint generated always as identity primary key,
  ts timestamptz not null default now(),
  username text,
  action text not null,
  target text,
  detail jsonb,
  client_ip text
);
create index audit_log_ts on audit_log (ts desc);
