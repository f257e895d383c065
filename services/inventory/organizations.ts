// Organizations (companies, customers, departments): CRUD with case-insensitive unique names.
import { conflict, notFound } from "@/services/errors.ts";
import type { Db, Queryable, SqlParam } from "@/services/store/mod.ts";
import type { OrganizationInput, OrganizationPatch } from "./inputs.ts";

export interface Contact {
  name: string;
  email: string;
  phone: string;
}

export interface Organization {
  id: number;
  name: string;
  code: string | null;
  contacts: Contact[];
  notes: string;
  tags: string[];
  server_count: number;
  created_at: string;
  updated_at: string;
}

const COLUMNS = `o.id, o.name, o.code, o.contacts, o.notes, o.tags, o.created_at, o.updated_at,
  (select count(*) from server s where s.organization_id = o.id)::int as server_count`;

const iso = (v: unknown) => new Date(v as string).toISOString();

function toOrg(r: Record<string, unknown>): Organization {
  return {
    id: Number(r.id),
    name: String(r.name),
    code: (r.code as string | null) ?? null,
    contacts: (typeof r.contacts === "string" ? JSON.parse(r.contacts) : r.contacts) as Contact[],
    notes: String(r.notes ?? ""),
    tags: (r.tags as string[]) ?? [],
    server_count: Number(r.server_count ?? 0),
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
  };
}

export async function getOrganization(q: Queryable, id: number): Promise<Organization | null> {
  const rows = await q.query<Record<string, unknown>>(
    `select ${COLUMNS} from organization o where o.id = $1`,
    [id],
  );
  return rows[0] ? toOrg(rows[0]) : null;
}

export async function requireOrganization(q: Queryable, id: number): Promise<Organization> {
  const o = await getOrganization(q, id);
  if (!o) throw notFound(`organization ${id}`);
  return o;
}

export async function getOrganizationByName(
  q: Queryable,
  name: string,
): Promise<Organization | null> {
  const rows = await q.query<Record<string, unknown>>(
    `select ${COLUMNS} from organization o where lower(o.name) = lower($1)`,
    [name.trim()],
  );
  return rows[0] ? toOrg(rows[0]) : null;
}

export interface OrganizationFilter {
  q?: string;
  tag?: string;
  /** Keyset: organizations after this id. */
  after?: number;
  limit?: number;
}

/** In name order (then id); `limit + 1` rows when a limit is given, so callers can page. */
export async function listOrganizations(
  q: Queryable,
  f: OrganizationFilter = {},
): Promise<Organization[]> {
  const params: SqlParam[] = [];
  const where: string[] = [];
  if (f.q) {
    const i = params.push(`%${f.q.toLowerCase()}%`);
    where.push(`(lower(o.name) like $${i} or lower(coalesce(o.code, '')) like $${i}
      or lower(o.notes) like $${i})`);
  }
  if (f.tag) where.push(`$${params.push(f.tag)} = any(o.tags)`);
  if (f.after) where.push(`o.id > $${params.push(f.after)}`);
  const limit = f.limit ? `limit $${params.push(f.limit + 1)}` : "";
  const rows = await q.query<Record<string, unknown>>(
    `select ${COLUMNS} from organization o ${where.length ? `where ${where.join(" and ")}` : ""}
     order by o.id ${limit}`,
    params,
  );
  return rows.map(toOrg);
}

async function assertFree(
  q: Queryable,
  name: string | undefined,
  code: string | null | undefined,
  selfId?: number,
) {
  if (name !== undefined) {
    const same = await q.query<{ id: number; name: string }>(
      `select id, name from organization where lower(name) = lower($1) and id <> $2`,
      [name, selfId ?? 0],
    );
    if (same[0]) {
      throw conflict(
        `organization "${same[0].name}" (id ${same[0].id}) already has this name`,
        { field: "name", existing: { id: Number(same[0].id), name: same[0].name } },
      );
    }
  }
  if (code) {
    const same = await q.query<{ id: number; name: string }>(
      `select id, name from organization where lower(code) = lower($1) and id <> $2`,
      [code, selfId ?? 0],
    );
    if (same[0]) {
      throw conflict(
        `organization "${same[0].name}" (id ${same[0].id}) already has code "${code}"`,
        { field: "code", existing: { id: Number(same[0].id), name: same[0].name } },
      );
    }
  }
}

export async function createOrganization(db: Db, input: OrganizationInput): Promise<Organization> {
  return await db.tx(async (tx) => {
    await tx.query(`lock table organization in share row exclusive mode`);
    await assertFree(tx, input.name, input.code);
    const [{ id }] = await tx.query<{ id: number }>(
      `insert into organization (name, code, contacts, notes, tags)
       values ($1, $2, $3::text::jsonb, $4, $5::text[]) returning id`,
      [input.name, input.code ?? null, JSON.stringify(input.contacts), input.notes, input.tags],
    );
    return (await getOrganization(tx, Number(id)))!;
  });
}

export async function updateOrganization(
  db: Db,
  id: number,
  patch: OrganizationPatch,
): Promise<Organization> {
  return await db.tx(async (tx) => {
    await tx.query(`lock table organization in share row exclusive mode`);
    const old = await requireOrganization(tx, id);
    await assertFree(tx, patch.name, patch.code, id);
    const next = { ...old, ...patch };
    await tx.query(
      `update organization set name = $2, code = $3, contacts = $4::text::jsonb, notes = $5,
         tags = $6::text[], updated_at = now() where id = $1`,
      [id, next.name, next.code ?? null, JSON.stringify(next.contacts), next.notes, next.tags],
    );
    return (await getOrganization(tx, id))!;
  });
}

/** Refuses (409) while servers reference it, unless `detach` (the servers keep no organization). */
export async function deleteOrganization(
  db: Db,
  id: number,
  opts: { detach?: boolean } = {},
): Promise<{ id: number; detached_servers: number }> {
  return await db.tx(async (tx) => {
    const org = await requireOrganization(tx, id);
    let detached = 0;
    if (org.server_count > 0) {
      if (!opts.detach) {
        throw conflict(
          `organization "${org.name}" (id ${id}) still has ${org.server_count} server(s); ` +
            `move them, or delete with detach=true to keep them without an organization`,
          { servers: org.server_count },
        );
      }
      const clash = await tx.query<{ id: number; name: string }>(
        `select s.id, s.name from server s join server t on lower(t.name) = lower(s.name)
         where s.organization_id = $1 and t.organization_id is null limit 1`,
        [id],
      );
      if (clash[0]) {
        throw conflict(
          `server "${clash[0].name}" (id ${clash[0].id}) would clash with a server of the same ` +
            `name that has no organization; rename one first`,
          { existing: { id: Number(clash[0].id), name: clash[0].name } },
        );
      }
      const rows = await tx.query(
        `update server set organization_id = null, updated_at = now()
         where organization_id = $1 returning id`,
        [id],
      );
      detached = rows.length;
    }
    await tx.query(`delete from organization where id = $1`, [id]);
    return { id, detached_servers: detached };
  });
}
