-- IPAM: subnets (a tree by containment) and the hosts that are used, alive or annotated.
create table subnet (
  id bigint generated always as identity primary key,
  cidr cidr not null unique,
  name text,
  description text,
  vlan integer check (vlan between 1 and 4094),
  tags text[] not null default '{}',
  location text,
  -- The most specific other subnet containing this one; kept up to date by the IPAM service.
  parent_id bigint references subnet(id) on delete set null,
  scan_enabled boolean not null default false,
  scan_interval_s integer not null default 300 check (scan_interval_s between 30 and 604800),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- /0 is never a managed subnet (and would make every address "inside").
  check (masklen(cidr) > 0)
);
-- Containment queries (>>=, <<=) on prefixes and addresses use GiST (works on PGlite too).
create index subnet_cidr_gist on subnet using gist (cidr inet_ops);
create index subnet_parent_id on subnet (parent_id);

create table host (
  id bigint generated always as identity primary key,
  ip inet not null unique,
  -- The most specific subnet containing ip; null only for hosts created with allow_orphan.
  subnet_id bigint references subnet(id) on delete set null,
  hostname text,
  hostname_override text,
  description text,
  tags text[] not null default '{}',
  notes text,
  mac text,
  vendor text,
  first_seen_at timestamptz,
  last_seen_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  discovered boolean not null default false,
  -- A host is one address, never a prefix: 10.0.0.1/24 and 10.0.0.1 must not both exist.
  check (masklen(ip) = case family(ip) when 4 then 32 else 128 end)
);
create index host_ip_gist on host using gist (ip inet_ops);
create index host_subnet_id on host (subnet_id, ip);
create index host_mac on host (mac) where mac is not null;
create index host_tags on host using gin (tags);
create index subnet_tags on subnet using gin (tags);
