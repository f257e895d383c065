// Indicators: named values per host or server (admins attach them, scripts push them), with a
// status from optional thresholds and a short history of changes.
import { conflict, notFound } from "@/services/errors.ts";
import type { Db, Queryable, SqlParam } from "@/services/store/mod.ts";
import { indicatorStatus } from "./indicator_status.ts";
import type { IndicatorStatus, IndicatorValue, Thresholds } from "./inputs.ts";

/** History rows kept per indicator. */
export const INDICATOR_HISTORY_KEEP = 20;

export type IndicatorOwner = { hostId: number } | { serverId: number };

export interface IndicatorChange {
  ts: string;
  value: number | string | null;
  status: IndicatorStatus;
  source: string;
}

export interface Indicator {
  id: number;
  host_id: number | null;
  server_id: number | null;
  name: string;
  value: number | string | null;
  unit: string;
  status: IndicatorStatus;
  source: string;
  thresholds: Thresholds | null;
  created_at: string;
  updated_at: string;
}

const iso = (v: unknown) => new Date(v as string).toISOString();
const json = (v: unknown) => (typeof v === "string" ? JSON.parse(v) : v);

function toIndicator(r: Record<string, unknown>): Indicator {
  return {
    id: Number(r.id),
    host_id: r.host_id == null ? null : Number(r.host_id),
    server_id: r.server_id == null ? null : Number(r.server_id),
    name: String(r.name),
    value: r.value_num != null ? Number(r.value_num) : (r.value_text as string | null) ?? null,
    unit: String(r.unit),
    status: r.status as IndicatorStatus,
    source: String(r.source),
    thresholds: (json(r.thresholds) as Thresholds | null) ?? null,
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
  };
}

function ownerWhere(owner: IndicatorOwner, params: SqlParam[]): string {
  return "hostId" in owner
    ? `host_id = $${params.push(owner.hostId)}`
    : `server_id = $${params.push(owner.serverId)}`;
}

async function assertOwner(q: Queryable, owner: IndicatorOwner): Promise<void> {
  const [table, id] = "hostId" in owner ? ["host", owner.hostId] : ["server", owner.serverId];
  const rows = await q.query(`select 1 from ${table} where id = $1`, [id]);
  if (!rows[0]) throw notFound(`${table} ${id}`);
}

/** The fields a list shows (host drawer, compat API): no ids, no thresholds. */
export function indicatorSummary(i: Indicator) {
  return {
    name: i.name,
    value: i.value,
    unit: i.unit,
    status: i.status,
    source: i.source,
    updated_at: i.updated_at,
  };
}

export async function listIndicators(q: Queryable, owner: IndicatorOwner): Promise<Indicator[]> {
  await assertOwner(q, owner);
  const params: SqlParam[] = [];
  const rows = await q.query<Record<string, unknown>>(
    `select * from indicator where ${ownerWhere(owner, params)} order by name`,
    params,
  );
  return rows.map(toIndicator);
}

export async function getIndicator(
  q: Queryable,
  owner: IndicatorOwner,
  name: string,
): Promise<Indicator> {
  await assertOwner(q, owner);
  const params: SqlParam[] = [];
  const where = ownerWhere(owner, params);
  const rows = await q.query<Record<string, unknown>>(
    `select * from indicator where ${where} and name = $${params.push(name)}`,
    params,
  );
  if (!rows[0]) throw notFound(`indicator "${name}"`);
  return toIndicator(rows[0]);
}

/**
 * Creates or replaces the value of indicator `name` (idempotent: the same value twice adds no
 * history). Thresholds absent keep the stored ones; null clears them.
 */
export async function upsertIndicator(
  db: Db,
  owner: IndicatorOwner,
  name: string,
  input: IndicatorValue,
  opts: { onlyCreate?: boolean } = {},
): Promise<{ indicator: Indicator; created: boolean }> {
  return await db.tx(async (tx) => {
    await assertOwner(tx, owner);
    const params: SqlParam[] = [];
    const where = ownerWhere(owner, params);
    const found = await tx.query<Record<string, unknown>>(
      `select * from indicator where ${where} and name = $${params.push(name)} for update`,
      params,
    );
    const old = found[0] ? toIndicator(found[0]) : null;
    if (old && opts.onlyCreate) {
      throw conflict(`indicator "${name}" (id ${old.id}) already exists here; PUT replaces it`, {
        existing: { id: old.id, name },
      });
    }
    const thresholds = input.thresholds === undefined ? old?.thresholds ?? null : input.thresholds;
    const status = indicatorStatus(input.value, thresholds, input.status);
    const num = typeof input.value === "number" ? input.value : null;
    const text = typeof input.value === "string" ? input.value : null;
    let id: number;
    if (old) {
      id = old.id;
      await tx.query(
        `update indicator set value_num = $2, value_text = $3, unit = $4, status = $5,
           source = $6, thresholds = $7::text::jsonb, updated_at = now() where id = $1`,
        [
          id,
          num,
          text,
          input.unit,
          status,
          input.source,
          thresholds ? JSON.stringify(thresholds) : null,
        ],
      );
    } else {
      const [row] = await tx.query<{ id: number }>(
        `insert into indicator (host_id, server_id, name, value_num, value_text, unit, status,
           source, thresholds)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9::text::jsonb) returning id`,
        [
          "hostId" in owner ? owner.hostId : null,
          "serverId" in owner ? owner.serverId : null,
          name,
          num,
          text,
          input.unit,
          status,
          input.source,
          thresholds ? JSON.stringify(thresholds) : null,
        ],
      );
      id = Number(row.id);
    }
    if (!old || old.value !== input.value || old.status !== status) {
      await tx.query(
        `insert into indicator_history (indicator_id, value_num, value_text, status, source)
         values ($1, $2, $3, $4, $5)`,
        [id, num, text, status, input.source],
      );
      await tx.query(
        `delete from indicator_history where indicator_id = $1 and id not in (
           select id from indicator_history where indicator_id = $1
           order by ts desc, id desc limit $2)`,
        [id, INDICATOR_HISTORY_KEEP],
      );
    }
    const [row] = await tx.query<Record<string, unknown>>(`select * from indicator where id = $1`, [
      id,
    ]);
    return { indicator: toIndicator(row), created: !old };
  });
}

export async function deleteIndicator(
  db: Db,
  owner: IndicatorOwner,
  name: string,
): Promise<void> {
  const ind = await getIndicator(db, owner, name);
  await db.query(`delete from indicator where id = $1`, [ind.id]);
}

/** The last changes of one indicator, newest first. */
export async function indicatorHistory(
  q: Queryable,
  owner: IndicatorOwner,
  name: string,
): Promise<IndicatorChange[]> {
  const ind = await getIndicator(q, owner, name);
  const rows = await q.query<Record<string, unknown>>(
    `select ts, value_num, value_text, status, source from indicator_history
     where indicator_id = $1 order by ts desc, id desc`,
    [ind.id],
  );
  return rows.map((r) => ({
    ts: iso(r.ts),
    value: r.value_num != null ? Number(r.value_num) : (r.value_text as string | null) ?? null,
    status: r.status as IndicatorStatus,
    source: String(r.source),
  }));
}

/** Host ids whose own indicators include one with `status` (and `name` when given). */
export async function hostIdsWithIndicator(
  q: Queryable,
  f: { status?: IndicatorStatus; name?: string },
): Promise<number[]> {
  const params: SqlParam[] = [];
  const where = ["host_id is not null"];
  if (f.status) where.push(`status = $${params.push(f.status)}`);
  if (f.name) where.push(`name = $${params.push(f.name)}`);
  const rows = await q.query<{ host_id: number }>(
    `select distinct host_id from indicator where ${where.join(" and ")}`,
    params,
  );
  return rows.map((r) => Number(r.host_id));
}

/** Counts of indicators per status (dashboard, stats). */
export async function indicatorCounts(q: Queryable): Promise<Record<IndicatorStatus, number>> {
  const rows = await q.query<{ status: IndicatorStatus; n: number }>(
    `select status, count(*)::int as n from indicator group by status`,
  );
  const out: Record<IndicatorStatus, number> = { ok: 0, warning: 0, critical: 0, unknown: 0 };
  for (const r of rows) out[r.status] = Number(r.n);
  return out;
}

export interface IndicatorRow extends Indicator {
  /** The host's address or the server's name, for lists across owners. */
  owner: string;
}

/** Indicators across hosts and servers, worst first (dashboard filter). */
export async function listIndicatorRows(
  q: Queryable,
  f: { status?: IndicatorStatus; name?: string; limit: number },
): Promise<IndicatorRow[]> {
  const params: SqlParam[] = [f.limit];
  const where: string[] = [];
  if (f.status) where.push(`i.status = $${params.push(f.status)}`);
  if (f.name) where.push(`i.name = $${params.push(f.name)}`);
  const rows = await q.query<Record<string, unknown>>(
    `select i.*, coalesce(host(h.ip), s.name) as owner from indicator i
       left join host h on h.id = i.host_id left join server s on s.id = i.server_id
     ${where.length ? `where ${where.join(" and ")}` : ""}
     order by case i.status when 'critical' then 0 when 'warning' then 1 when 'unknown' then 2
       else 3 end, i.updated_at desc, i.id limit $1`,
    params,
  );
  return rows.map((r) => ({ ...toIndicator(r), owner: String(r.owner ?? "") }));
}
