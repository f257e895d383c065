-- NetFlow / IPFIX: raw flows, per-minute roll-ups for the traffic page, exporters seen, and the
-- collector's template state (so a restart does not lose v9/IPFIX templates).

-- One row per flow record, as the exporter counted it; kept NETFLOW_RETENTION_DAYS.
-- Few indexes on purpose: every index slows the insert path the collector must sustain (no
-- primary key index either: ids are unique by identity, and paging uses (end_at, id)).
create table netflow_flow (
  id bigint generated always as identity,
  exporter inet not null,
  version smallint not null,
  -- v9 source id, IPFIX observation domain, v5 engine type << 8 | engine id.
  source_id bigint not null,
  -- Null when the exporter's template carried no such address.
  src_addr inet,
  dst_addr inet,
  src_port integer not null,
  dst_port integer not null,
  protocol smallint not null,
  -- Not scaled by sampling_interval: multiply for estimated traffic (the roll-ups do).
  bytes bigint not null,
  packets bigint not null,
  start_at timestamptz not null,
  end_at timestamptz not null,
  input_if bigint not null,
  output_if bigint not null,
  tcp_flags integer not null,
  sampling_interval double precision not null default 1
);
-- BRIN: flows arrive in roughly end_at order, so block ranges are tight and the index costs
-- almost nothing to maintain (a btree here takes ~20% of PGlite's insert rate).
create index netflow_flow_end on netflow_flow using brin (end_at);

-- Estimated traffic (sampling applied) per minute of flow end and host pair; kept
-- NETFLOW_ROLLUP_RETENTION_DAYS. Subnets are matched at query time, so IPAM edits apply to history.
create table netflow_pair_minute (
  minute timestamptz not null,
  src_addr inet not null,
  dst_addr inet not null,
  bytes bigint not null,
  packets bigint not null,
  flows bigint not null,
  primary key (minute, src_addr, dst_addr)
);

-- The same per protocol and service port (the lower port of the flow; 0 without ports).
create table netflow_port_minute (
  minute timestamptz not null,
  protocol smallint not null,
  port integer not null,
  bytes bigint not null,
  packets bigint not null,
  flows bigint not null,
  primary key (minute, protocol, port)
);

-- Every exporter that sent flows; counters is the latest snapshot of the collector receiving
-- it (counted since that collector started, see counters_since).
create table netflow_exporter (
  addr inet primary key,
  first_seen_at timestamptz not null,
  last_seen_at timestamptz not null,
  records_stored bigint not null default 0,
  collector text,
  counters jsonb,
  counters_at timestamptz,
  counters_since timestamptz
);

-- exportTemplates() of each collector (keyed by its bind address), saved periodically and on stop.
create table netflow_template_state (
  collector text primary key,
  snapshot jsonb not null,
  updated_at timestamptz not null
);
