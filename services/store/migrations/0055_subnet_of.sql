-- One owner for "the most specific subnet of an address" (and of a prefix), used by IPAM,
-- discovery and NetFlow queries alike. Stable SQL functions: the body uses the GiST index on
-- subnet.cidr, and resolves `subnet` through the caller's search_path.
create function subnet_of(addr inet) returns bigint
language sql stable
as $$
  select id from subnet where cidr >>= addr order by masklen(cidr) desc limit 1
$$;

-- The most specific subnet strictly containing `net`, other than subnet `self_id` itself.
create function parent_subnet_of(net cidr, self_id bigint) returns bigint
language sql stable
as $$
  select id from subnet where cidr >> net and id <> self_id order by masklen(cidr) desc limit 1
$$;
