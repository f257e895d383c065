-- History tables become time-partitioned (native declarative partitioning, RANGE on the time
-- column), so retention drops whole partitions instead of deleting rows, and queries filtered on
-- time read only the partitions they need. Raw tables and the NetFlow minute roll-ups (retention
-- counted in days) get one partition per UTC day; the hourly status roll-up, kept for good, one
-- per UTC month. Every table keeps a default partition, so an insert never fails for a missing
-- partition; ensureHistoryPartitions (services/store/history_partitions.ts) creates them ahead
-- and moves rows that landed in the default into their own partition.

-- The schema-qualified, quoted name of `rel` in the schema of table `parent` (found on the search
-- path), so partitions are made and found next to their table whatever else the path holds.
create function history_relation(parent text, rel text) returns text
language sql stable as $$
  select c.relnamespace::regnamespace::text || '.' || quote_ident(rel)
  from pg_class c where c.oid = to_regclass(quote_ident(parent))
$$;

-- The partition of `parent` holding `instant` ('day' or 'month', UTC bounds), created when
-- missing; rows of its range that wait in the default partition move into it. Returns its name,
-- or null when it existed already. Names: parent_pYYYYMMDD or parent_pYYYYMM.
create function history_partition_create(parent text, col text, unit text, instant timestamptz)
returns text language plpgsql as $$
declare
  -- Timestamp (not timestamptz) arithmetic: a day is 24 h whatever the session's time zone.
  lo_utc timestamp := date_trunc(unit, instant at time zone 'UTC');
  lo timestamptz := lo_utc at time zone 'UTC';
  hi timestamptz := (lo_utc + ('1 ' || unit)::interval) at time zone 'UTC';
  name text := parent || '_p' || to_char(lo_utc, case unit when 'day' then 'YYYYMMDD' else 'YYYYMM' end);
  tbl text := history_relation(parent, parent);
  part text := history_relation(parent, name);
  dflt text := history_relation(parent, parent || '_default');
  waiting boolean;
begin
  if unit not in ('day', 'month') then
    raise exception 'history partition unit must be day or month, not %', unit;
  end if;
  if tbl is null then raise exception 'no table %', parent; end if;
  if to_regclass(part) is not null then return null; end if;
  execute format('select exists (select 1 from %s where %I >= $1 and %I < $2)', dflt, col, col)
    into waiting using lo, hi;
  if not waiting then
    execute format('create table %s partition of %s for values from (%L) to (%L)',
      part, tbl, lo, hi);
    return name;
  end if;
  -- A new range may not overlap rows of the default partition: take the default out, move the
  -- range's rows over, put it back, all in the caller's transaction (inserts wait, none fail).
  execute format('alter table %s detach partition %s', tbl, dflt);
  execute format('create table %s partition of %s for values from (%L) to (%L)',
    part, tbl, lo, hi);
  execute format('insert into %s overriding system value select * from %s where %I >= $1 and %I < $2',
    part, dflt, col, col) using lo, hi;
  execute format('delete from %s where %I >= $1 and %I < $2', dflt, col, col) using lo, hi;
  execute format('alter table %s attach partition %s default', tbl, dflt);
  return name;
end $$;

-- Creates the partitions of the periods from `from_at` up to `ahead` periods later, and of every
-- period since `drain_from` that has rows in the default partition. Returns the names created.
create function history_partitions_ensure(parent text, col text, unit text, from_at timestamptz,
  ahead integer, drain_from timestamptz)
returns setof text language plpgsql as $$
declare
  period timestamptz;
  made text;
begin
  for period in
    select (date_trunc(unit, from_at at time zone 'UTC') + (i || ' ' || unit)::interval) at time zone 'UTC'
    from generate_series(0, ahead) as i
  loop
    made := history_partition_create(parent, col, unit, period);
    if made is not null then return next made; end if;
  end loop;
  for period in execute format(
    'select distinct date_trunc(%L, %I at time zone ''UTC'') at time zone ''UTC'' from %s
     where %I >= $1', unit, col, history_relation(parent, parent || '_default'), col)
    using drain_from
  loop
    made := history_partition_create(parent, col, unit, period);
    if made is not null then return next made; end if;
  end loop;
end $$;

-- Drops the ranged partitions of `parent` that end at or before `cutoff` (read from their
-- bounds, which carry their UTC offset) and returns their names. The default stays.
create function history_partitions_drop_before(parent text, cutoff timestamptz)
returns setof text language plpgsql as $$
declare
  p record;
begin
  for p in
    select c.relname,
      substring(pg_get_expr(c.relpartbound, c.oid) from 'TO \(''([^'']+)''\)')::timestamptz as hi
    from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = to_regclass(quote_ident(parent))
      and pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT'
    order by 2
  loop
    exit when p.hi > cutoff;
    execute format('drop table %s', history_relation(parent, p.relname));
    return next p.relname;
  end loop;
end $$;

-- Rebuilds one table as a partitioned one with the same columns, defaults, identity and checks
-- (LIKE, so columns added by earlier migrations come along), then its indexes and keys by name.
-- Existing rows get their partitions first, then move over with their ids.

-- host_status: per-sweep rows, one partition per day of ts.
alter table host_status rename to host_status_unpartitioned;
drop index host_status_host_ts;
drop index host_status_ts;
create table host_status (like host_status_unpartitioned including all) partition by range (ts);
alter table host_status add foreign key (host_id) references host(id) on delete cascade;
create index host_status_host_ts on host_status (host_id, ts);
create index host_status_ts on host_status (ts);
create table host_status_default partition of host_status default;
select history_partition_create('host_status', 'ts', 'day', d)
from (select distinct date_trunc('day', ts at time zone 'UTC') at time zone 'UTC' as d
      from host_status_unpartitioned) t;
insert into host_status select * from host_status_unpartitioned;
drop table host_status_unpartitioned;

-- host_status_hourly: kept for good, so one partition per month of hour.
alter table host_status_hourly rename to host_status_hourly_unpartitioned;
alter table host_status_hourly_unpartitioned
  rename constraint host_status_hourly_pkey to host_status_hourly_unpartitioned_pkey;
create table host_status_hourly (like host_status_hourly_unpartitioned including all excluding indexes)
  partition by range (hour);
alter table host_status_hourly add primary key (host_id, hour);
alter table host_status_hourly add foreign key (host_id) references host(id) on delete cascade;
create table host_status_hourly_default partition of host_status_hourly default;
select history_partition_create('host_status_hourly', 'hour', 'month', d)
from (select distinct date_trunc('month', hour at time zone 'UTC') at time zone 'UTC' as d
      from host_status_hourly_unpartitioned) t;
insert into host_status_hourly select * from host_status_hourly_unpartitioned;
drop table host_status_hourly_unpartitioned;

-- netflow_flow: one partition per day of end_at (the column retention and paging use). Ids keep
-- their values (cursors page by (end_at, id)); the new identity continues after the largest.
alter table netflow_flow rename to netflow_flow_unpartitioned;
drop index netflow_flow_end;
create table netflow_flow (like netflow_flow_unpartitioned including all) partition by range (end_at);
create index netflow_flow_end on netflow_flow using brin (end_at);
create table netflow_flow_default partition of netflow_flow default;
select history_partition_create('netflow_flow', 'end_at', 'day', d)
from (select distinct date_trunc('day', end_at at time zone 'UTC') at time zone 'UTC' as d
      from netflow_flow_unpartitioned) t;
insert into netflow_flow overriding system value select * from netflow_flow_unpartitioned;
select setval(pg_get_serial_sequence('netflow_flow', 'id'), max(id)) from netflow_flow
having max(id) is not null;
drop table netflow_flow_unpartitioned;

-- netflow_pair_minute and netflow_port_minute: one partition per day of minute.
alter table netflow_pair_minute rename to netflow_pair_minute_unpartitioned;
alter table netflow_pair_minute_unpartitioned
  rename constraint netflow_pair_minute_pkey to netflow_pair_minute_unpartitioned_pkey;
create table netflow_pair_minute (like netflow_pair_minute_unpartitioned including all excluding indexes)
  partition by range (minute);
alter table netflow_pair_minute add primary key (minute, src_addr, dst_addr);
create table netflow_pair_minute_default partition of netflow_pair_minute default;
select history_partition_create('netflow_pair_minute', 'minute', 'day', d)
from (select distinct date_trunc('day', minute at time zone 'UTC') at time zone 'UTC' as d
      from netflow_pair_minute_unpartitioned) t;
insert into netflow_pair_minute select * from netflow_pair_minute_unpartitioned;
drop table netflow_pair_minute_unpartitioned;

alter table netflow_port_minute rename to netflow_port_minute_unpartitioned;
alter table netflow_port_minute_unpartitioned
  rename constraint netflow_port_minute_pkey to netflow_port_minute_unpartitioned_pkey;
create table netflow_port_minute (like netflow_port_minute_unpartitioned including all excluding indexes)
  partition by range (minute);
alter table netflow_port_minute add primary key (minute, protocol, port);
create table netflow_port_minute_default partition of netflow_port_minute default;
select history_partition_create('netflow_port_minute', 'minute', 'day', d)
from (select distinct date_trunc('day', minute at time zone 'UTC') at time zone 'UTC' as d
      from netflow_port_minute_unpartitioned) t;
insert into netflow_port_minute select * from netflow_port_minute_unpartitioned;
drop table netflow_port_minute_unpartitioned;
