// SQL for hosts: reads with filters and keyset paging, and writes that derive the host's subnet.
import { AppError, notFound } from "@/services/errors.ts";
import type { Db, Queryable, SqlParam } from "@/services/store/mod.ts";
import { tryParseIp } from "./cidr.ts";
import type { HostInput, HostPatch } from "./input_schemas.ts";
import { escapeLike, iso, isUniqueViolation, lockIpamTree } from "./sql_helpers.ts";

export interface HostRecord {
  id: number;
  ip: string;
  family: 4 | 6;
  subnet_id: number | null;
  hostname: string | null;
  hostname_override: string | null;
  description: string | null;
  tags: string[];
  notes: string | null;
  mac: string | null;
  vendor: string | null;
  first_seen_at: string | null;
  last_seen_at: string | null;
  created_at: string;
  updated_at: string;
  discovered: boolean;
}

/** A host to create: the validated input plus the fields only the API (not CSV) carries. */
export type NewHost = HostInput & { hostname_override?: string | null };
export type HostChanges = HostPatch & { hostname_override?: string | null };

export interface HostFilter {
  subnet_id?: number;
  /** Only hosts inside this prefix (canonical cidr). */
  within?: string;
  tag?: string;
  /** Free text in hostnames, description, notes, mac and tags, or the start of the address. */
  q?: string;
  discovered?: boolean;
  /** Exact address. */
  ip?: string;
  /** Address text or MAC starting with this (quick search on "198.51.100." or "00:00:5e"). */
  prefix?: string;
  /** Exact MAC (normalized lowercase colon form). */
  mac?: string;
  /** Keyset paging: hosts with an address after this one. */
  after?: string;
  limit?: number;
}

export interface WriteOptions {
  /** Allow an address outside every subnet (it then has no subnet). */
  allowOrphan?: boolean;
}

const COLUMNS = `id, host(ip) as ip, family(ip) as family, subnet_id, hostname, hostname_override,
  description, tags, notes, mac, vendor, first_seen_at, last_seen_at, created_at, updated_at,
  discovered`;

type Row = Omit<HostRecord, "first_seen_at" | "last_seen_at" | "created_at" | "updated_at"> & {
  first_seen_at: unknown;
  last_seen_at: unknown;
  created_at: unknown;
  updated_at: unknown;
};

function toRecord(r: Row): HostRecord {
  return {
    ...r,
    // IPv6 text is re-canonicalized so KV keys and API output agree on one spelling.
    ip: r.family === 6 ? (tryParseIp(r.ip)?.ip ?? r.ip) : r.ip,
    family: r.family === 6 ? 6 : 4,
    tags: r.tags ?? [],
    first_seen_at: iso(r.first_seen_at),
    last_seen_at: iso(r.last_seen_at),
    created_at: iso(r.created_at)!,
    updated_at: iso(r.updated_at)!,
  };
}

export async function getHost(q: Queryable, id: number): Promise<HostRecord | null> {
  const rows = await q.query<Row>(`select ${COLUMNS} from host where id = $1`, [id]);
  return rows[0] ? toRecord(rows[0]) : null;
}

export async function requireHost(q: Queryable, id: number): Promise<HostRecord> {
  const h = await getHost(q, id);
  if (!h) throw notFound(`host ${id}`);
  return h;
}

export async function getHostByIp(q: Queryable, ip: string): Promise<HostRecord | null> {
  const rows = await q.query<Row>(`select ${COLUMNS} from host where ip = $1::inet`, [ip]);
  return rows[0] ? toRecord(rows[0]) : null;
}

/** Hosts in address order; `limit` absent means all. */
export async function listHosts(q: Queryable, f: HostFilter = {}): Promise<HostRecord[]> {
  const where: string[] = [];
  const params: SqlParam[] = [];
  const add = (sql: string, value: SqlParam) => {
    params.push(value);
    where.push(sql.replaceAll("$?", `$${params.length}`));
  };
  if (f.subnet_id !== undefined) add(`subnet_id = $?`, f.subnet_id);
  if (f.within) add(`ip <<= $?::cidr`, f.within);
  if (f.tag) add(`tags @> array[$?]::text[]`, f.tag);
  if (f.discovered !== undefined) add(`discovered = $?`, f.discovered);
  if (f.ip) add(`ip = $?::inet`, f.ip);
  if (f.mac) add(`mac = $?`, f.mac);
  if (f.prefix) {
    add(`(host(ip) like $? or mac like $?)`, `${escapeLike(f.prefix.toLowerCase())}%`);
  }
  if (f.q) {
    // Addresses match from their start only: "db" must not find every 2001:db8:: host.
    params.push(`${escapeLike(f.q.toLowerCase())}%`);
    const starts = `$${params.length}`;
    add(
      `(host(ip) like ${starts} or hostname ilike $? or hostname_override ilike $?
        or description ilike $? or notes ilike $? or mac ilike $?
        or array_to_string(tags, ' ') ilike $?)`,
      `%${escapeLike(f.q)}%`,
    );
  }
  if (f.after) add(`ip > $?::inet`, f.after);
  const limit = f.limit ? ` limit ${Math.trunc(f.limit)}` : "";
  // "order by host.ip": plain "ip" would be the text alias (10.0.0.10 before 10.0.0.9).
  const rows = await q.query<Row>(
    `select ${COLUMNS} from host ${
      where.length ? `where ${where.join(" and ")}` : ""
    } order by host.ip${limit}`,
    params,
  );
  return rows.map(toRecord);
}

/**
 * Every host address inside `cidr` in address order, with IPv4 addresses also as numbers (so a
 * 20,000-host fold needs no text parsing); IPv6 values are parsed here.
 */
export async function addressValuesIn(
  q: Queryable,
  cidr: string,
): Promise<Array<{ ip: string; value: bigint }>> {
  const rows = await q.query<{ ip: string; n: number | null }>(
    `select host(ip) as ip,
            case when family(ip) = 4 then (ip - '0.0.0.0'::inet)::float8 end as n
     from host where ip <<= $1::cidr order by host.ip`,
    [cidr],
  );
  return rows.map((r) => {
    if (r.n !== null) return { ip: r.ip, value: BigInt(r.n) };
    const p = tryParseIp(r.ip)!;
    return { ip: p.ip, value: p.value };
  });
}

/** The hosts at these addresses (any order in, address order out); a window of a subnet page. */
export async function listHostsByIp(q: Queryable, ips: readonly string[]): Promise<HostRecord[]> {
  const rows = await q.query<Row>(
    `select ${COLUMNS} from host where ip = any($1::inet[]) order by host.ip`,
    [ips as string[]],
  );
  return rows.map(toRecord);
}

/** Most specific subnet containing `ip`, or null. */
export async function subnetFor(q: Queryable, ip: string): Promise<number | null> {
  const rows = await q.query<{ id: number | null }>(`select subnet_of($1::inet) as id`, [ip]);
  return rows[0]?.id ?? null;
}

function duplicate(ip: string, id?: number): AppError {
  return new AppError(
    409,
    "duplicate_host",
    `host ${ip} already exists${id ? ` (id ${id})` : ""}`,
    id ? { id } : undefined,
  );
}

function orphan(ip: string): AppError {
  return new AppError(
    422,
    "no_subnet",
    `${ip} is not inside any subnet; create a subnet that contains it first, ` +
      `or allow it without one (allow_orphan=true in the API)`,
  );
}

export async function createHost(
  db: Db,
  input: NewHost,
  opts: WriteOptions & { discovered?: boolean } = {},
): Promise<HostRecord> {
  try {
    return await db.tx(async (tx) => {
      await lockIpamTree(tx);
      const existing = await getHostByIp(tx, input.ip);
      if (existing) throw duplicate(input.ip, existing.id);
      const subnetId = await subnetFor(tx, input.ip);
      if (subnetId === null && !opts.allowOrphan) throw orphan(input.ip);
      const [{ id }] = await tx.query<{ id: number }>(
        `insert into host (ip, subnet_id, hostname, hostname_override, description, tags, notes,
           mac, discovered)
         values ($1::inet, $2, $3, $4, $5, $6::text[], $7, $8, $9) returning id`,
        [
          input.ip,
          subnetId,
          input.hostname ?? null,
          input.hostname_override ?? null,
          input.description ?? null,
          input.tags ?? [],
          input.notes ?? null,
          input.mac ?? null,
          opts.discovered ?? false,
        ],
      );
      return (await getHost(tx, id))!;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicate(input.ip);
    throw err;
  }
}

const PATCHABLE = [
  "hostname",
  "hostname_override",
  "description",
  "tags",
  "notes",
  "mac",
] as const;

/** Partial update; a new ip re-derives the subnet (and must lie in one unless allowOrphan). */
export async function updateHost(
  db: Db,
  id: number,
  patch: HostChanges,
  opts: WriteOptions = {},
): Promise<HostRecord> {
  try {
    return await db.tx(async (tx) => {
      await lockIpamTree(tx);
      const current = await requireHost(tx, id);
      const sets: string[] = [];
      const params: SqlParam[] = [id];
      for (const key of PATCHABLE) {
        const value = patch[key];
        if (value === undefined) continue;
        params.push(value);
        sets.push(`${key} = $${params.length}${key === "tags" ? "::text[]" : ""}`);
      }
      if (patch.ip !== undefined && patch.ip !== current.ip) {
        const other = await getHostByIp(tx, patch.ip);
        if (other) throw duplicate(patch.ip, other.id);
        const subnetId = await subnetFor(tx, patch.ip);
        if (subnetId === null && !opts.allowOrphan) throw orphan(patch.ip);
        params.push(patch.ip, subnetId);
        sets.push(`ip = $${params.length - 1}::inet`, `subnet_id = $${params.length}`);
      }
      sets.push("updated_at = now()");
      await tx.query(`update host set ${sets.join(", ")} where id = $1`, params);
      return (await getHost(tx, id))!;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicate(patch.ip ?? "");
    throw err;
  }
}

/** Deletes a host and returns its address, so callers can drop its live state too. */
export async function deleteHost(db: Db, id: number): Promise<{ ip: string }> {
  const rows = await db.query<{ ip: string }>(
    `delete from host where id = $1 returning host(ip) as ip`,
    [id],
  );
  if (rows.length === 0) throw notFound(`host ${id}`);
  return rows[0];
}

/** Addresses used inside a prefix, in address order (for next-free and gap checks). */
export async function usedIpsIn(
  q: Queryable,
  cidr: string,
  range?: { first: string; last: string },
): Promise<string[]> {
  const params: SqlParam[] = [cidr];
  let extra = "";
  if (range) {
    params.push(range.first, range.last);
    extra = ` and ip >= $2::inet and ip <= $3::inet`;
  }
  const rows = await q.query<{ ip: string }>(
    `select host(ip) as ip from host where ip <<= $1::cidr${extra} order by host.ip`,
    params,
  );
  return rows.map((r) => (r.ip.includes(":") ? (tryParseIp(r.ip)?.ip ?? r.ip) : r.ip));
}

/** How many hosts exist and how many of them are in `upIps` (discovery's up set). */
export async function hostTotals(
  q: Queryable,
  upIps: readonly string[],
): Promise<{ hosts: number; alive: number }> {
  const [row] = await q.query<{ hosts: number; alive: number }>(
    `select count(h.id)::int as hosts, count(u.ip)::int as alive
     from host h
     left join (select distinct x as ip from unnest($1::inet[]) as x) u on u.ip = h.ip`,
    [[...upIps]],
  );
  return row;
}
