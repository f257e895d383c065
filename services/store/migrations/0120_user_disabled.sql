-- A disabled user keeps their row (audit, ownership) but can neither log in nor use a token.
alter table app_user add column disabled_at timestamptz;
