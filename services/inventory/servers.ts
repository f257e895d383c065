// Servers: a named machine of an organization with one or more linked hosts (addresses).
import { AppError, conflict, notFound } from "@/services/errors.ts";
import { createHost, getHostByIp, HostInputSchema, parseIp } from "@/services/ipam/mod.ts";
import type { Db, Queryable, SqlParam } from "@/services/store/mod.ts";
import type { ServerInput, ServerPatch } from "./inputs.ts";
import { requireOrganization } from "./organizations.ts";

export interface ServerAddress {
  host_id: number;
  ip: string;
  hostname: string | null;
}

export interface Server {
  id: number;
  name: string;
  organization_id: number | null;
  organization_name: string | null;
  role: string;
  os: string;
  location: string;
  rack: string;
  serial: string;
  notes: string;
  tags: string[];
  addresses: ServerAddress[];
  created_at: string;
  updated_at: string;
}

const COLUMNS = `s.id, s.name, s.organization_id, o.name as organization_name, s.role, s.os,
  s.location, s.rack, s.serial, s.notes, s.tags, s.created_at, s.updated_at,
  coalesce((select jsonb_agg(jsonb_build_object('host_id', h.id, 'ip', host(h.ip),
      'hostname', coalesce(h.hostname_override, h.hostname)) order by h.ip)
    from server_host sh join host h on h.id = sh.host_id where sh.server_id = s.id),
    '[]'::jsonb) as addresses`;
const FROM = `server s left join organization o on o.id = s.organization_id`;

const iso = (v: unknown) => new Date(v as string).toISOString();

function toServer(r: Record<string, unknown>): Server {
  const addrs =
    (typeof r.addresses === "string" ? JSON.parse(r.addresses) : r.addresses) as ServerAddress[];
  return {
    id: Number(r.id),
    name: String(r.name),
    organization_id: r.organization_id == null ? null : Number(r.organization_id),
    organization_name: (r.organization_name as string | null) ?? null,
    role: String(r.role),
    os: String(r.os),
    location: String(r.location),
    rack: String(r.rack),
    serial: String(r.serial),
    notes: String(r.notes),
    tags: (r.tags as string[]) ?? [],
    addresses: addrs.map((a) => ({ ...a, host_id: Number(a.host_id) })),
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
  };
}

export async function getServer(q: Queryable, id: number): Promise<Server | null> {
  const rows = await q.query<Record<string, unknown>>(
    `select ${COLUMNS} from ${FROM} where s.id = $1`,
    [id],
  );
  return rows[0] ? toServer(rows[0]) : null;
}

export async function requireServer(q: Queryable, id: number): Promise<Server> {
  const s = await getServer(q, id);
  if (!s) throw notFound(`server ${id}`);
  return s;
}

export interface ServerFilter {
  organizationId?: number;
  q?: string;
  tag?: string;
  after?: number;
  limit?: number;
}

export async function listServers(q: Queryable, f: ServerFilter = {}): Promise<Server[]> {
  const params: SqlParam[] = [];
  const where: string[] = [];
  if (f.organizationId) where.push(`s.organization_id = $${params.push(f.organizationId)}`);
  if (f.q) {
    const i = params.push(`%${f.q.toLowerCase()}%`);
    where.push(`(lower(s.name) like $${i} or lower(s.role) like $${i} or lower(s.os) like $${i}
      or lower(s.location) like $${i} or lower(s.serial) like $${i})`);
  }
  if (f.tag) where.push(`$${params.push(f.tag)} = any(s.tags)`);
  if (f.after) where.push(`s.id > $${params.push(f.after)}`);
  const limit = f.limit ? `limit $${params.push(f.limit + 1)}` : "";
  const rows = await q.query<Record<string, unknown>>(
    `select ${COLUMNS} from ${FROM} ${where.length ? `where ${where.join(" and ")}` : ""}
     order by s.id ${limit}`,
    params,
  );
  return rows.map(toServer);
}

/** The server (and its organization) a host belongs to, or null. */
export async function serverOfHost(
  q: Queryable,
  hostId: number,
): Promise<Server | null> {
  const rows = await q.query<{ server_id: number }>(
    `select server_id from server_host where host_id = $1`,
    [hostId],
  );
  return rows[0] ? await getServer(q, Number(rows[0].server_id)) : null;
}

async function assertNameFree(
  q: Queryable,
  name: string,
  organizationId: number | null,
  selfId = 0,
) {
  const same = await q.query<{ id: number; name: string }>(
    `select id, name from server where lower(name) = lower($1)
       and coalesce(organization_id, 0) = coalesce($2::bigint, 0) and id <> $3`,
    [name, organizationId, selfId],
  );
  if (same[0]) {
    throw conflict(
      `server "${same[0].name}" (id ${same[0].id}) already has this name in ` +
        (organizationId ? `organization ${organizationId}` : "servers without an organization"),
      { field: "name", existing: { id: Number(same[0].id), name: same[0].name } },
    );
  }
}

export async function createServer(db: Db, input: ServerInput): Promise<Server> {
  const id = await db.tx(async (tx) => {
    await tx.query(`lock table server in share row exclusive mode`);
    if (input.organization_id) await requireOrganization(tx, input.organization_id);
    await assertNameFree(tx, input.name, input.organization_id);
    const [{ id }] = await tx.query<{ id: number }>(
      `insert into server (name, organization_id, role, os, location, rack, serial, notes, tags)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9::text[]) returning id`,
      [
        input.name,
        input.organization_id,
        input.role,
        input.os,
        input.location,
        input.rack,
        input.serial,
        input.notes,
        input.tags,
      ],
    );
    return Number(id);
  });
  try {
    for (const ip of input.addresses ?? []) await linkAddress(db, id, ip);
  } catch (err) {
    await db.query(`delete from server where id = $1`, [id]); // nothing half-created
    throw err;
  }
  return (await getServer(db, id))!;
}

export async function updateServer(db: Db, id: number, patch: ServerPatch): Promise<Server> {
  await db.tx(async (tx) => {
    await tx.query(`lock table server in share row exclusive mode`);
    const old = await requireServer(tx, id);
    const next = { ...old, ...patch };
    if (patch.organization_id) await requireOrganization(tx, patch.organization_id);
    await assertNameFree(tx, next.name, next.organization_id, id);
    await tx.query(
      `update server set name = $2, organization_id = $3, role = $4, os = $5, location = $6,
         rack = $7, serial = $8, notes = $9, tags = $10::text[], updated_at = now() where id = $1`,
      [
        id,
        next.name,
        next.organization_id,
        next.role,
        next.os,
        next.location,
        next.rack,
        next.serial,
        next.notes,
        next.tags,
      ],
    );
  });
  if (patch.addresses) {
    const wanted = new Set<string>();
    for (const a of patch.addresses) wanted.add(parseIp(a).ip);
    const current = await requireServer(db, id);
    for (const a of current.addresses) {
      if (!wanted.has(a.ip)) await unlinkHost(db, id, a.host_id);
    }
    for (const ip of wanted) {
      if (!current.addresses.some((a) => a.ip === ip)) await linkAddress(db, id, ip);
    }
  }
  return await requireServer(db, id);
}

export async function deleteServer(db: Db, id: number): Promise<void> {
  await requireServer(db, id);
  await db.query(`delete from server where id = $1`, [id]);
}

/** Links an existing host; 404 unknown host, 409 when it belongs to another server. */
export async function linkHost(db: Db, serverId: number, hostId: number): Promise<Server> {
  await requireServer(db, serverId);
  const host = await db.query<{ id: number }>(`select id from host where id = $1`, [hostId]);
  if (!host[0]) throw notFound(`host ${hostId}`);
  const owner = await db.query<{ server_id: number; name: string }>(
    `select sh.server_id, s.name from server_host sh join server s on s.id = sh.server_id
     where sh.host_id = $1`,
    [hostId],
  );
  if (owner[0]) {
    if (Number(owner[0].server_id) === serverId) return await requireServer(db, serverId);
    throw conflict(
      `host ${hostId} already belongs to server "${owner[0].name}" (id ${owner[0].server_id}); ` +
        `unlink it there first`,
      { existing: { id: Number(owner[0].server_id), name: owner[0].name } },
    );
  }
  await db.query(
    `insert into server_host (server_id, host_id) values ($1, $2) on conflict do nothing`,
    [serverId, hostId],
  );
  return await requireServer(db, serverId);
}

/** Links an address: its host when one exists, else a new host (outside subnets if need be). */
export async function linkAddress(db: Db, serverId: number, address: string): Promise<Server> {
  const { ip } = parseIp(address);
  const host = await getHostByIp(db, ip) ??
    await createHost(db, HostInputSchema.parse({ ip }), { allowOrphan: true });
  return await linkHost(db, serverId, host.id);
}

export async function unlinkHost(db: Db, serverId: number, hostId: number): Promise<Server> {
  await requireServer(db, serverId);
  const rows = await db.query(
    `delete from server_host where server_id = $1 and host_id = $2 returning host_id`,
    [serverId, hostId],
  );
  if (rows.length === 0) {
    throw new AppError(404, "not_found", `host ${hostId} is not linked to server ${serverId}`);
  }
  return await requireServer(db, serverId);
}

export interface HostPlacement {
  server_id: number;
  server: string;
  organization_id: number | null;
  organization: string | null;
}

/** Server and organization of each host that has one. */
export async function placementsOf(
  q: Queryable,
  hostIds: readonly number[],
): Promise<Map<number, HostPlacement>> {
  const out = new Map<number, HostPlacement>();
  if (hostIds.length === 0) return out;
  const rows = await q.query<Record<string, unknown>>(
    `select sh.host_id, s.id as server_id, s.name as server, o.id as organization_id,
            o.name as organization
     from server_host sh join server s on s.id = sh.server_id
       left join organization o on o.id = s.organization_id
     where sh.host_id = any($1::bigint[])`,
    [[...hostIds]],
  );
  for (const r of rows) {
    out.set(Number(r.host_id), {
      server_id: Number(r.server_id),
      server: String(r.server),
      organization_id: r.organization_id == null ? null : Number(r.organization_id),
      organization: (r.organization as string | null) ?? null,
    });
  }
  return out;
}
