// SQL of alert rules: which events (kinds and filters) go to which targets, with down_after and
// flap damping per rule.
import { notFound } from "@/services/errors.ts";
import { badField, iso, num } from "./row_values.ts";
import type { Queryable } from "@/services/store/mod.ts";
import { EVENT_KINDS, type EventKind, isEventKind } from "./event_shape.ts";
import { missingTargets } from "./targets_repo.ts";

export interface Rule {
  id: number;
  name: string;
  enabled: boolean;
  events: EventKind[];
  subnet_id: number | null;
  tag: string | null;
  host_id: number | null;
  server_id: number | null;
  down_after: number;
  flap_window_s: number;
  target_ids: number[];
  created_at: string;
  updated_at: string;
}

/** A rule as the matcher needs it: the subnet filter's prefix resolved. */
export interface ActiveRule extends Rule {
  subnet_cidr: string | null;
}

export interface RuleInput {
  name: string;
  enabled?: boolean;
  events: EventKind[];
  subnet_id?: number | null;
  tag?: string | null;
  host_id?: number | null;
  server_id?: number | null;
  down_after?: number;
  flap_window_s?: number;
  target_ids: number[];
}

export const DEFAULT_DOWN_AFTER = 2;
export const DEFAULT_FLAP_WINDOW_S = 900;

const COLUMNS = `r.id, r.name, r.enabled, r.events, r.subnet_id, r.tag, r.host_id, r.server_id,
  r.down_after, r.flap_window_s, r.target_ids, r.created_at, r.updated_at`;

const toRule = (r: Record<string, unknown>): Rule => ({
  id: Number(r.id),
  name: String(r.name),
  enabled: Boolean(r.enabled),
  events: [...(r.events as string[])] as EventKind[],
  subnet_id: num(r.subnet_id),
  tag: (r.tag as string | null) ?? null,
  host_id: num(r.host_id),
  server_id: num(r.server_id),
  down_after: Number(r.down_after),
  flap_window_s: Number(r.flap_window_s),
  target_ids: (r.target_ids as unknown[]).map(Number),
  created_at: iso(r.created_at),
  updated_at: iso(r.updated_at),
});

async function checkRefs(q: Queryable, r: RuleInput): Promise<void> {
  const unknown = r.events.find((k) => !isEventKind(k));
  if (unknown !== undefined || r.events.length === 0) {
    throw badField("events", `expected one or more of ${EVENT_KINDS.join(", ")}`);
  }
  const missing = await missingTargets(q, r.target_ids);
  if (missing.length > 0) {
    throw badField("target_ids", `no alert target with id ${missing.join(", ")}`);
  }
  if (r.subnet_id != null) {
    const rows = await q.query(`select 1 from subnet where id = $1`, [r.subnet_id]);
    if (rows.length === 0) throw badField("subnet_id", `no subnet with id ${r.subnet_id}`);
  }
  if (r.host_id != null) {
    const rows = await q.query(`select 1 from host where id = $1`, [r.host_id]);
    if (rows.length === 0) throw badField("host_id", `no host with id ${r.host_id}`);
  }
}

function params(r: RuleInput): unknown[] {
  return [
    r.name,
    r.enabled ?? true,
    [...new Set(r.events)],
    r.subnet_id ?? null,
    r.tag ?? null,
    r.host_id ?? null,
    r.server_id ?? null,
    r.down_after ?? DEFAULT_DOWN_AFTER,
    r.flap_window_s ?? DEFAULT_FLAP_WINDOW_S,
    [...new Set(r.target_ids)],
  ];
}

export async function createRule(q: Queryable, input: RuleInput): Promise<Rule> {
  await checkRefs(q, input);
  const rows = await q.query(
    `insert into alert_rule as r (name, enabled, events, subnet_id, tag, host_id, server_id,
       down_after, flap_window_s, target_ids)
     values ($1, $2, $3::text[], $4, $5, $6, $7, $8, $9, $10::bigint[]) returning ${COLUMNS}`,
    params(input) as never,
  );
  return toRule(rows[0]);
}

export async function updateRule(
  q: Queryable,
  id: number,
  patch: Partial<RuleInput>,
): Promise<Rule> {
  const current = await getRule(q, id);
  const next: RuleInput = { ...current, ...patch };
  await checkRefs(q, next);
  const rows = await q.query(
    `update alert_rule as r set name = $2, enabled = $3, events = $4::text[], subnet_id = $5,
       tag = $6, host_id = $7, server_id = $8, down_after = $9, flap_window_s = $10,
       target_ids = $11::bigint[], updated_at = now()
     where id = $1 returning ${COLUMNS}`,
    [id, ...params(next)] as never,
  );
  return toRule(rows[0]);
}

export async function getRule(q: Queryable, id: number): Promise<Rule> {
  const rows = await q.query(`select ${COLUMNS} from alert_rule r where r.id = $1`, [id]);
  if (rows.length === 0) throw notFound(`alert rule ${id}`);
  return toRule(rows[0]);
}

export async function listRules(q: Queryable): Promise<Rule[]> {
  return (await q.query(`select ${COLUMNS} from alert_rule r order by r.id`)).map(toRule);
}

export async function deleteRule(q: Queryable, id: number): Promise<void> {
  const rows = await q.query(`delete from alert_rule where id = $1 returning id`, [id]);
  if (rows.length === 0) throw notFound(`alert rule ${id}`);
}

/** Enabled rules for events of `kinds`, with their subnet filter's prefix. */
export async function activeRules(q: Queryable, kinds: readonly string[]): Promise<ActiveRule[]> {
  const rows = await q.query(
    `select ${COLUMNS}, s.cidr::text as subnet_cidr
     from alert_rule r left join subnet s on s.id = r.subnet_id
     where r.enabled and r.events && $1::text[] order by r.id`,
    [[...kinds]],
  );
  return rows.map((r) => ({ ...toRule(r), subnet_cidr: (r.subnet_cidr as string | null) ?? null }));
}
