-- A counter of changes to the set of inventoried addresses (a host added, deleted or readdressed),
-- so a process can keep a big subnet's sorted addresses and fold and check in one tiny query that
-- they are still right, whichever process changed them. Bumped once per transaction at commit
-- (a deferred trigger), so the row is locked only while committing: no transaction waits on it
-- while it still takes other locks, and none can deadlock on it.
create table host_set_version (
  id int primary key default 1 check (id = 1),
  version bigint not null
);
insert into host_set_version (id, version) values (1, 1);

create function bump_host_set_version() returns trigger language plpgsql as $$
begin
  -- Once per transaction: later rows of the same transaction find the mark set.
  if current_setting('pingfold.host_set_bumped', true) is distinct from txid_current()::text then
    update host_set_version set version = version + 1 where id = 1;
    perform set_config('pingfold.host_set_bumped', txid_current()::text, true);
  end if;
  return null;
end $$;

create constraint trigger host_set_changed after insert or delete or update of ip on host
  deferrable initially deferred for each row execute function bump_host_set_version();

create function bump_host_set_version_now() returns trigger language plpgsql as $$
begin
  update host_set_version set version = version + 1 where id = 1;
  return null;
end $$;

create trigger host_set_truncated after truncate on host
  for each statement execute function bump_host_set_version_now();
