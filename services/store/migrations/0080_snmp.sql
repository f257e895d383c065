-- SNMP names: per-host and per-subnet read settings (secrets write-only at the API), the last poll
-- of each host, and where a host's `hostname` came from so an SNMP name never beats a DNS one.

-- Where host.hostname came from: 'ptr' (reverse DNS), 'snmp' (sysName), null (typed or imported).
alter table host add column hostname_source text check (hostname_source in ('ptr', 'snmp'));

-- Any write of hostname that does not say its source (an API edit, a CSV import) is a person's,
-- so it is marked as typed; SNMP then never overwrites it.
create function host_hostname_source_reset() returns trigger language plpgsql as $$
begin
  if new.hostname is distinct from old.hostname
     and new.hostname_source is not distinct from old.hostname_source then
    new.hostname_source := null;
  end if;
  return new;
end
$$;
create trigger host_hostname_source_reset before update of hostname on host
  for each row execute function host_hostname_source_reset();

-- One row per host (overrides its subnet's) or per subnet (default for the hosts inside it).
create table snmp_settings (
  id bigint generated always as identity primary key,
  host_id bigint unique references host(id) on delete cascade,
  subnet_id bigint unique references subnet(id) on delete cascade,
  -- false on a host: never poll it, whatever its subnet says.
  enabled boolean not null default true,
  version text not null check (version in ('v2c', 'v3')),
  port integer not null default 161 check (port between 1 and 65535),
  community text,
  v3_user text,
  auth_protocol text check (auth_protocol in ('md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512')),
  auth_key text,
  priv_protocol text check (priv_protocol in ('aes', 'aes256b', 'aes256r')),
  priv_key text,
  updated_at timestamptz not null default now(),
  check ((host_id is null) <> (subnet_id is null)),
  check (version <> 'v2c' or community is not null),
  check (version <> 'v3' or v3_user is not null),
  check (auth_protocol is null or auth_key is not null),
  check (priv_protocol is null or (priv_key is not null and auth_protocol is not null))
);

-- The latest SNMP read of each host, whatever its outcome.
create table snmp_poll (
  host_id bigint primary key references host(id) on delete cascade,
  polled_at timestamptz not null,
  status text not null check (status in ('ok', 'timeout', 'auth_failed', 'error')),
  error text,
  sys_name text,
  sys_descr text,
  -- 'host' or 'subnet': which settings row was used.
  settings_from text not null check (settings_from in ('host', 'subnet')),
  duration_ms integer not null,
  last_ok_at timestamptz
);
