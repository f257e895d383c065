// Test fixtures: subnet and host rows straight in SQL (these tests are about SNMP, not IPAM).
import type { Queryable } from "@/services/store/mod.ts";

export async function createSubnet(db: Queryable, s: { cidr: string }) {
  const [row] = await db.query<{ id: number }>(
    `insert into subnet (cidr) values ($1) returning id`,
    [s.cidr],
  );
  return row;
}
export async function createHost(db: Queryable, h: { ip: string }) {
  const [row] = await db.query<{ id: number }>(
    `insert into host (ip, subnet_id) values ($1,
       (select id from subnet where cidr >>= $1::inet order by masklen(cidr) desc limit 1))
     returning id`,
    [h.ip],
  );
  return row;
}
