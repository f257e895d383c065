-- A CSV kept between the import preview and its confirmation, so the confirm form posts only
-- this row's unguessable id instead of the whole file again. Owned by the user who uploaded
-- it (gone with them); expired rows are deleted whenever a new file is kept.
create table import_upload (
  id text primary key,
  user_id bigint not null references app_user(id) on delete cascade,
  kind text not null check (kind in ('hosts', 'subnets')),
  -- The preview's choices (allow_orphan, on_existing), for a preview rendered later.
  options jsonb not null default '{}',
  csv text not null,
  bytes bigint not null,
  created_at timestamptz not null,
  expires_at timestamptz not null
);
create index import_upload_user on import_upload (user_id, created_at);
create index import_upload_expires on import_upload (expires_at);
