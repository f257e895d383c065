// SQL for subnets: reads, and writes that keep the containment tree (parent_id, host.subnet_id) right.
import { AppError, notFound } from "@/services/errors.ts";
import type { Db, Queryable, SqlParam } from "@/services/store/mod.ts";
import { parseCidr } from "./cidr.ts";
import { SUBNET_FIELDS } from "./record_fields.ts";
import { LIMITS, type SubnetInput, type SubnetPatch } from "./input_schemas.ts";
import { escapeLike, iso, isUniqueViolation, lockIpamTree } from "./sql_helpers.ts";

export interface SubnetRecord {
  id: number;
  cidr: string;
  family: 4 | 6;
  name: string | null;
  description: string | null;
  vlan: number | null;
  tags: string[];
  location: string | null;
  parent_id: number | null;
  scan_enabled: boolean;
  scan_interval_s: number;
  /** The site whose scanners sweep it (SITE; default local). */
  site: string;
  created_at: string;
  updated_at: string;
}

export interface SubnetFilter {
  /** Free text in name, description, location and tags, or the start of the cidr. */
  q?: string;
  tag?: string;
  family?: 4 | 6;
  /** Only subnets inside (or equal to) this prefix. */
  within?: string;
  /** Only subnets containing this address or prefix (or equal to it). */
  containing?: string;
  /** Only subnets that contain or lie inside this prefix. */
  overlapping?: string;
  /** Only subnets whose text form starts with this ("198.51.100."). */
  prefix?: string;
  /** Keyset paging: subnets ordered after this cidr. */
  after?: string;
  limit?: number;
}

/**
 * What to do with a subnet's hosts that a new cidr leaves outside: "move_to_parent" gives them to
 * the parent subnet (or no subnet when there is none), "delete" deletes them.
 */
export type OrphanChoice = "move_to_parent" | "delete";
export const ORPHAN_CHOICES: readonly OrphanChoice[] = ["move_to_parent", "delete"];

/** Options of a subnet write. */
export interface SubnetWriteOptions {
  /**
   * Called inside the transaction with the subnet's final cidr when its scanning ends up on;
   * throws to refuse (the scan scope check). Absent: no check.
   */
  checkScan?: (cidr: string) => void;
  /** Sweep interval of a new subnet given none (SCAN_SWEEP_INTERVAL_MINUTES × 60; else 300). */
  defaultIntervalS?: number;
}

/** What to do with what a subnet holds when it is deleted. */
export type DeleteCascade = "orphan" | "hosts" | "all";

export interface DeleteResult {
  deleted_subnets: number;
  deleted_hosts: number;
  /** Child subnets moved up to the deleted subnet's parent. */
  reparented_subnets: number;
  /** Hosts moved to the parent subnet (or left without a subnet). */
  reassigned_hosts: number;
}

const COLUMNS = `id, cidr::text as cidr, family(cidr) as family, name, description, vlan, tags,
  location, parent_id, scan_enabled, scan_interval_s, site, created_at, updated_at`;

type Row = Omit<SubnetRecord, "created_at" | "updated_at"> & {
  created_at: unknown;
  updated_at: unknown;
};

function toRecord(r: Row): SubnetRecord {
  return {
    ...r,
    // Stored text is already canonical; parsing keeps the API independent of engine formatting.
    cidr: parseCidr(r.cidr).cidr,
    family: r.family === 6 ? 6 : 4,
    tags: r.tags ?? [],
    created_at: iso(r.created_at)!,
    updated_at: iso(r.updated_at)!,
  };
}

export async function getSubnet(q: Queryable, id: number): Promise<SubnetRecord | null> {
  const rows = await q.query<Row>(`select ${COLUMNS} from subnet where id = $1`, [id]);
  return rows[0] ? toRecord(rows[0]) : null;
}

export async function requireSubnet(q: Queryable, id: number): Promise<SubnetRecord> {
  const s = await getSubnet(q, id);
  if (!s) throw notFound(`subnet ${id}`);
  return s;
}

export async function getSubnetByCidr(q: Queryable, cidr: string): Promise<SubnetRecord | null> {
  const rows = await q.query<Row>(`select ${COLUMNS} from subnet where cidr = $1::cidr`, [cidr]);
  return rows[0] ? toRecord(rows[0]) : null;
}

/**
 * Subnets in address order (a parent right before its children, so the order is the tree's
 * pre-order walk). `limit` 0 or absent means all.
 */
export async function listSubnets(
  q: Queryable,
  f: SubnetFilter = {},
): Promise<SubnetRecord[]> {
  const where: string[] = [];
  const params: (string | number)[] = [];
  const add = (sql: string, value: string | number) => {
    params.push(value);
    where.push(sql.replaceAll("$?", `$${params.length}`));
  };
  if (f.q) {
    // The prefix matches from its start only: "db" must not find every 2001:db8:: subnet.
    params.push(`${escapeLike(f.q.toLowerCase())}%`);
    const starts = `$${params.length}`;
    add(
      `(cidr::text like ${starts} or name ilike $? or description ilike $? or location ilike $?
        or array_to_string(tags, ' ') ilike $?)`,
      `%${escapeLike(f.q)}%`,
    );
  }
  if (f.tag) add(`tags @> array[$?]::text[]`, f.tag);
  if (f.family) add(`family(cidr) = $?`, f.family);
  if (f.within) add(`cidr <<= $?::cidr`, f.within);
  if (f.containing) add(`cidr >>= $?::inet`, f.containing);
  if (f.overlapping) add(`cidr && $?::cidr`, f.overlapping);
  if (f.prefix) add(`cidr::text like $?`, `${escapeLike(f.prefix.toLowerCase())}%`);
  if (f.after) add(`cidr > $?::cidr`, f.after);
  const limit = f.limit ? ` limit ${Math.trunc(f.limit)}` : "";
  // "order by subnet.cidr", not "cidr": that would be the text alias and sort 10.0.0.0/16 first.
  const rows = await q.query<Row>(
    `select ${COLUMNS} from subnet ${
      where.length ? `where ${where.join(" and ")}` : ""
    } order by subnet.cidr${limit}`,
    params,
  );
  return rows.map(toRecord);
}

/** Most specific subnet strictly containing `cidr`, or null. */
async function parentOf(q: Queryable, cidr: string, excludeId?: number): Promise<number | null> {
  const rows = await q.query<{ id: number | null }>(
    `select parent_subnet_of($1::cidr, $2) as id`,
    [cidr, excludeId ?? -1],
  );
  return rows[0]?.id ?? null;
}

/**
 * Puts subnet `id` into the tree at `cidr`: its parent is the most specific container; it
 * adopts the subnets and hosts inside it that belonged to that same parent. That is exact as
 * long as the tree was right before: anything inside the new prefix whose parent was deeper
 * keeps it, and prefixes either nest or are disjoint.
 */
async function attach(tx: Queryable, id: number, cidr: string): Promise<void> {
  const parentId = await parentOf(tx, cidr, id);
  await tx.query(`update subnet set parent_id = $2 where id = $1`, [id, parentId]);
  await tx.query(
    `update subnet set parent_id = $1
     where cidr << $2::cidr and id <> $1 and parent_id is not distinct from $3::bigint`,
    [id, cidr, parentId],
  );
  await tx.query(
    `update host set subnet_id = $1
     where ip <<= $2::cidr and subnet_id is not distinct from $3::bigint`,
    [id, cidr, parentId],
  );
}

/** Takes subnet `id` out of the tree: its children and hosts go to its parent (or none). */
async function detach(
  tx: Queryable,
  id: number,
  parentId: number | null,
): Promise<{ subnets: number; hosts: number }> {
  const subnets = await tx.query(
    `update subnet set parent_id = $2 where parent_id = $1 returning id`,
    [id, parentId],
  );
  const hosts = await tx.query(
    `update host set subnet_id = $2 where subnet_id = $1 returning id`,
    [id, parentId],
  );
  return { subnets: subnets.length, hosts: hosts.length };
}

function duplicate(cidr: string, id?: number): AppError {
  return new AppError(
    409,
    "duplicate_subnet",
    `subnet ${cidr} already exists${id ? ` (id ${id})` : ""}`,
    id ? { id } : undefined,
  );
}

async function rejectDuplicate(q: Queryable, cidr: string, selfId?: number) {
  const existing = await getSubnetByCidr(q, cidr);
  if (existing && existing.id !== selfId) throw duplicate(cidr, existing.id);
}

export async function createSubnet(
  db: Db,
  input: SubnetInput,
  opts: SubnetWriteOptions = {},
): Promise<SubnetRecord> {
  if (input.scan_enabled) opts.checkScan?.(input.cidr);
  try {
    return await db.tx(async (tx) => {
      await lockIpamTree(tx);
      await rejectDuplicate(tx, input.cidr);
      const [{ id }] = await tx.query<{ id: number }>(
        `insert into subnet (cidr, name, description, vlan, tags, location, scan_enabled,
           scan_interval_s, site)
         values ($1::cidr, $2, $3, $4, $5::text[], $6, $7, $8, $9) returning id`,
        [
          input.cidr,
          input.name ?? null,
          input.description ?? null,
          input.vlan ?? null,
          input.tags ?? [],
          input.location ?? null,
          input.scan_enabled ?? false,
          input.scan_interval_s ?? opts.defaultIntervalS ?? LIMITS.scanIntervalDefault,
          input.site ?? "local",
        ],
      );
      await attach(tx, id, input.cidr);
      return (await getSubnet(tx, id))!;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicate(input.cidr);
    throw err;
  }
}

/**
 * Applies a partial update; a new cidr moves the subnet in the tree (children and hosts follow).
 * Hosts of the subnet that the new cidr leaves outside are never dropped silently: without
 * `orphans` that is a 409 `hosts_outside_cidr` with their count; with it they move to the parent
 * or are deleted.
 */
export async function updateSubnet(
  db: Db,
  id: number,
  patch: SubnetPatch,
  opts: SubnetWriteOptions & { orphans?: OrphanChoice } = {},
): Promise<SubnetRecord> {
  try {
    return await db.tx(async (tx) => {
      await lockIpamTree(tx);
      const current = await requireSubnet(tx, id);
      if (patch.scan_enabled ?? current.scan_enabled) opts.checkScan?.(patch.cidr ?? current.cidr);
      const sets: string[] = [];
      const params: SqlParam[] = [id];
      for (const key of SUBNET_FIELDS) {
        if (patch[key] === undefined) continue;
        params.push(patch[key]);
        sets.push(`${key} = $${params.length}${key === "tags" ? "::text[]" : ""}`);
      }
      // Site is not a CSV column (SUBNET_FIELDS), so it is set apart from them.
      if (patch.site !== undefined) {
        params.push(patch.site);
        sets.push(`site = $${params.length}`);
      }
      const moving = patch.cidr !== undefined && patch.cidr !== current.cidr;
      if (moving) {
        await rejectDuplicate(tx, patch.cidr!, id);
        await settleOutsideHosts(tx, current, patch.cidr!, opts.orphans);
        await detach(tx, id, current.parent_id);
        params.push(patch.cidr!);
        sets.push(`cidr = $${params.length}::cidr`);
      }
      sets.push("updated_at = now()");
      await tx.query(
        `update subnet set ${sets.join(", ")} where id = $1`,
        params,
      );
      if (moving) await attach(tx, id, patch.cidr!);
      return (await getSubnet(tx, id))!;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicate(patch.cidr ?? "");
    throw err;
  }
}

/** Refuses (409), or deletes, the subnet's hosts that `cidr` leaves outside; moving is detach's. */
async function settleOutsideHosts(
  tx: Queryable,
  s: SubnetRecord,
  cidr: string,
  orphans: OrphanChoice | undefined,
): Promise<void> {
  const [{ n }] = await tx.query<{ n: number }>(
    `select count(*)::int as n from host where subnet_id = $1 and not (ip <<= $2::cidr)`,
    [s.id, cidr],
  );
  if (n === 0) return;
  if (!orphans) {
    throw new AppError(
      409,
      "hosts_outside_cidr",
      `changing subnet ${s.cidr} to ${cidr} would leave ${n} of its host(s) outside it; say what ` +
        `to do with them: orphans=move_to_parent (they go to the parent subnet, or to no subnet ` +
        `when there is none) or orphans=delete (they are deleted)`,
      { hosts: n, choices: [...ORPHAN_CHOICES] },
    );
  }
  if (orphans === "delete") {
    await tx.query(`delete from host where subnet_id = $1 and not (ip <<= $2::cidr)`, [s.id, cidr]);
  }
}

/** What deleting would touch: direct children and the hosts assigned to the subnet. */
export async function subnetContents(
  q: Queryable,
  id: number,
): Promise<{ children: number; hosts: number }> {
  const [r] = await q.query<{ children: number; hosts: number }>(
    `select (select count(*) from subnet where parent_id = $1)::int as children,
            (select count(*) from host where subnet_id = $1)::int as hosts`,
    [id],
  );
  return r;
}

/**
 * Deletes a subnet. With children or hosts it needs `cascade`:
 * - "orphan": children move up to the parent; hosts go to the parent or have no subnet;
 * - "hosts": hosts assigned to this subnet are deleted; children move up;
 * - "all": every subnet and host inside the prefix is deleted with it.
 * @throws AppError 404, or 409 `subnet_not_empty` naming the counts and the choices.
 */
export async function deleteSubnet(
  db: Db,
  id: number,
  cascade?: DeleteCascade,
): Promise<DeleteResult> {
  return await db.tx(async (tx) => {
    await lockIpamTree(tx);
    const s = await requireSubnet(tx, id);
    const { children, hosts } = await subnetContents(tx, id);
    if ((children > 0 || hosts > 0) && !cascade) {
      throw new AppError(
        409,
        "subnet_not_empty",
        `subnet ${s.cidr} has ${children} child subnet(s) and ${hosts} host(s); choose ` +
          `cascade=orphan (keep them, move up to the parent), cascade=hosts (delete its hosts) ` +
          `or cascade=all (delete everything inside ${s.cidr})`,
        { children, hosts, choices: ["orphan", "hosts", "all"] },
      );
    }
    const result: DeleteResult = {
      deleted_subnets: 1,
      deleted_hosts: 0,
      reparented_subnets: 0,
      reassigned_hosts: 0,
    };
    if (cascade === "all") {
      result.deleted_hosts = (await tx.query(
        `delete from host where ip <<= $1::cidr returning id`,
        [s.cidr],
      )).length;
      result.deleted_subnets += (await tx.query(
        `delete from subnet where cidr << $1::cidr returning id`,
        [s.cidr],
      )).length;
    } else {
      if (cascade === "hosts") {
        result.deleted_hosts = (await tx.query(
          `delete from host where subnet_id = $1 returning id`,
          [id],
        )).length;
      }
      const moved = await detach(tx, id, s.parent_id);
      result.reparented_subnets = moved.subnets;
      result.reassigned_hosts = moved.hosts;
    }
    await tx.query(`delete from subnet where id = $1`, [id]);
    return result;
  });
}

/** Used (hosts in the prefix, child subnets included) and alive counts per subnet. */
export async function subnetUsage(
  q: Queryable,
  upIps: readonly string[],
  ids?: readonly number[],
): Promise<Map<number, { used: number; alive: number }>> {
  const rows = await q.query<{ id: number; used: number; alive: number }>(
    `with up as (select distinct u as ip from unnest($1::inet[]) as u)
     select s.id, count(h.id)::int as used, count(up.ip)::int as alive
     from subnet s
     left join host h on h.ip <<= s.cidr
     left join up on up.ip = h.ip
     ${ids ? "where s.id = any($2::bigint[])" : ""}
     group by s.id`,
    ids ? [[...upIps], [...ids]] : [[...upIps]],
  );
  return new Map(rows.map((r) => [r.id, { used: r.used, alive: r.alive }]));
}

/**
 * Recomputes every subnet's parent and the subnet of every host inside `cidrs` from scratch
 * (after a bulk import, where row-by-row attach would be slow).
 */
export async function rederiveTree(tx: Queryable, cidrs: readonly string[]): Promise<void> {
  await tx.query(
    `update subnet s set parent_id = p.pid
     from (select c.id, parent_subnet_of(c.cidr, c.id) as pid from subnet c) p
     where p.id = s.id and s.parent_id is distinct from p.pid`,
  );
  if (cidrs.length === 0) return;
  await tx.query(
    `update host h set subnet_id = d.sid
     from (select h2.id, subnet_of(h2.ip) as sid
           from host h2
           where exists (select 1 from unnest($1::cidr[]) as n(c) where h2.ip <<= n.c)) d
     where d.id = h.id and h.subnet_id is distinct from d.sid`,
    [[...cidrs]],
  );
}
