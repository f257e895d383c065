-- The scan scope an admin set in Settings (one row); absent, SCAN_SCOPE or the built-in default
-- applies. Every change is also written to audit_log.
create table scan_scope_setting (
  id smallint primary key check (id = 1),
  cidrs text[] not null,
  updated_at timestamptz not null default now(),
  updated_by text
);
