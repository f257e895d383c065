-- Long work started from the UI or API (sweeps, port scans, roll-ups) tracked as tasks.
create table task (
  id uuid primary key,
  kind text not null,
  status text not null check (status in ('queued', 'running', 'succeeded', 'failed')),
  progress real not null default 0,
  note text,
  target text,
  dedupe_key text,
  result jsonb,
  error text,
  created_by text,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz
);
create index task_created on task (created_at desc);
create index task_open_dedupe on task (dedupe_key) where status in ('queued', 'running');
