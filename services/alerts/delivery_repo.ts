// SQL of the durable delivery queue: enqueue before sending, claim under a lease (a compare-and-set
// update, so two workers never hold one row), record each attempt, page the log.
import type { Queryable, SqlParam } from "@/services/store/mod.ts";
import { iso, isoOrNull, num } from "./row_values.ts";
import type { AlertEvent, PayloadKind } from "./event_shape.ts";
import type { TargetKind } from "./payload_formats.ts";
import type { TargetForSend } from "./targets_repo.ts";

export type DeliveryStatus = "queued" | "sending" | "succeeded" | "failed";

export interface Delivery {
  id: number;
  uuid: string;
  event_id: number | null;
  target_id: number;
  rule_id: number | null;
  kind: PayloadKind;
  status: DeliveryStatus;
  attempts: number;
  max_attempts: number;
  next_attempt_at: string;
  last_status: number | null;
  last_error: string | null;
  latency_ms: number | null;
  created_at: string;
  updated_at: string;
  succeeded_at: string | null;
}

/** A claimed row: the payload to send, its target and the lease token that proves the claim. */
export interface ClaimedDelivery extends Delivery {
  payload: AlertEvent;
  lease_token: string;
  target: TargetForSend;
}

export interface NewDelivery {
  eventId: number | null;
  targetId: number;
  ruleId: number | null;
  payload: AlertEvent;
}

const COLUMNS = `d.id, d.uuid::text as uuid, d.event_id, d.target_id, d.rule_id, d.kind, d.status,
  d.attempts, d.max_attempts, d.next_attempt_at, d.last_status, d.last_error, d.latency_ms,
  d.created_at, d.updated_at, d.succeeded_at`;

function toDelivery(r: Record<string, unknown>): Delivery {
  return {
    id: Number(r.id),
    uuid: String(r.uuid),
    event_id: num(r.event_id),
    target_id: Number(r.target_id),
    rule_id: num(r.rule_id),
    kind: r.kind as PayloadKind,
    status: r.status as DeliveryStatus,
    attempts: Number(r.attempts),
    max_attempts: Number(r.max_attempts),
    next_attempt_at: iso(r.next_attempt_at),
    last_status: num(r.last_status),
    last_error: (r.last_error as string | null) ?? null,
    latency_ms: num(r.latency_ms),
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
    succeeded_at: isoOrNull(r.succeeded_at),
  };
}

/** Queues deliveries; one per (event, target) however many rules chose that target. */
export async function enqueue(
  q: Queryable,
  items: readonly NewDelivery[],
  maxAttempts: number,
  now: number,
): Promise<number[]> {
  if (items.length === 0) return [];
  const cols: SqlParam[][] = [[], [], [], [], [], []];
  for (const it of items) {
    cols[0].push(crypto.randomUUID());
    cols[1].push(it.eventId);
    cols[2].push(it.targetId);
    cols[3].push(it.ruleId);
    cols[4].push(it.payload.kind);
    cols[5].push(JSON.stringify(it.payload));
  }
  const at = new Date(now);
  const rows = await q.query(
    `insert into alert_delivery (uuid, event_id, target_id, rule_id, kind, payload, status,
       attempts, max_attempts, next_attempt_at, created_at, updated_at)
     select t.uuid, t.event_id, t.target_id, t.rule_id, t.kind, t.payload, 'queued', 0, $7,
       $8, $8, $8
     from unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::jsonb[])
       as t(uuid, event_id, target_id, rule_id, kind, payload)
     on conflict (event_id, target_id) do nothing
     returning id`,
    [...cols, maxAttempts, at],
  );
  return rows.map((r) => Number(r.id));
}

export interface ClaimOptions {
  now: number;
  leaseMs: number;
  /** Rows to take at most (free worker slots). */
  limit: number;
  /** In-flight rows per target at most, so one slow target cannot take every slot. */
  perTarget: number;
}

const DUE = `((d.status = 'queued' and d.next_attempt_at <= $1)
  or (d.status = 'sending' and d.lease_until <= $1))`;

/**
 * Takes due rows (queued and due, or sending with an expired lease: its worker died). The update
 * re-checks the due condition on each row it locks, so a row two workers both picked goes to the
 * first; the other skips it.
 */
export async function claim(q: Queryable, o: ClaimOptions): Promise<ClaimedDelivery[]> {
  if (o.limit <= 0) return [];
  const now = new Date(o.now);
  // Candidates first: the oldest due rows of each target (at most perTarget each, so a target
  // with a long backlog cannot crowd the others out), minus what each already has in flight.
  const busy = new Map(
    (await q.query<{ target_id: number; n: number }>(
      `select target_id, count(*)::int as n from alert_delivery
       where status = 'sending' and lease_until > $1 group by target_id`,
      [now],
    )).map((r) => [Number(r.target_id), Number(r.n)]),
  );
  const candidates = await q.query<{ id: number; target_id: number; at: Date }>(
    `select c.id, t.id as target_id, c.next_attempt_at as at from alert_target t
     cross join lateral (
       select d.id, d.next_attempt_at from alert_delivery d
       where d.target_id = t.id and ${DUE} order by d.next_attempt_at, d.id limit $2
     ) c`,
    [now, o.perTarget],
  );
  candidates.sort((a, b) => a.at.getTime() - b.at.getTime() || Number(a.id) - Number(b.id));
  const taken = new Map<number, number>();
  const picked: number[] = [];
  for (const c of candidates) {
    if (picked.length >= o.limit) break;
    const t = Number(c.target_id);
    const n = (busy.get(t) ?? 0) + (taken.get(t) ?? 0);
    if (n >= o.perTarget) continue;
    taken.set(t, (taken.get(t) ?? 0) + 1);
    picked.push(Number(c.id));
  }
  if (picked.length === 0) return [];
  const token = crypto.randomUUID();
  const rows = await q.query(
    `update alert_delivery d set status = 'sending', lease_until = $2, lease_token = $3,
       attempts = d.attempts + 1, updated_at = $1
     from alert_target t
     where d.id = any($4::bigint[]) and t.id = d.target_id and ${DUE}
     returning ${COLUMNS}, d.payload, d.lease_token::text as lease_token, t.kind as t_kind,
       t.url as t_url, t.secret as t_secret, t.enabled as t_enabled`,
    [now, new Date(o.now + o.leaseMs), token, picked],
  );
  return rows.map((r) => ({
    ...toDelivery(r),
    payload: r.payload as AlertEvent,
    lease_token: String(r.lease_token),
    target: {
      id: Number(r.target_id),
      kind: r.t_kind as TargetKind,
      url: String(r.t_url),
      secret: String(r.t_secret),
      enabled: Boolean(r.t_enabled),
    },
  }));
}

export interface AttemptOutcome {
  ok: boolean;
  status: number | null;
  error: string | null;
  latencyMs: number;
  /** When failed: null = give up now; else retry at this time. */
  retryAt: number | null;
}

/**
 * Records one attempt, only while the lease is still ours. Returns false when it was not (the
 * lease expired and another worker took the row): nothing is overwritten then.
 */
export async function recordAttempt(
  q: Queryable,
  d: ClaimedDelivery,
  o: AttemptOutcome,
  now: number,
): Promise<boolean> {
  const at = new Date(now);
  const status: DeliveryStatus = o.ok ? "succeeded" : o.retryAt === null ? "failed" : "queued";
  const rows = await q.query(
    `update alert_delivery set status = $3, lease_until = null, lease_token = null,
       last_status = $4, last_error = $5, latency_ms = $6, updated_at = $7,
       next_attempt_at = coalesce($8, next_attempt_at),
       succeeded_at = case when $3 = 'succeeded' then $7 else succeeded_at end
     where id = $1 and lease_token = $2::uuid and status = 'sending' returning id`,
    [
      d.id,
      d.lease_token,
      status,
      o.status,
      o.error?.slice(0, 1000) ?? null,
      o.latencyMs,
      at,
      o.retryAt === null ? null : new Date(o.retryAt),
    ],
  );
  return rows.length === 1;
}

export interface DeliveryFilter {
  targetId?: number;
  status?: DeliveryStatus;
  eventId?: number;
  kind?: string;
  beforeId?: number;
  limit: number;
}

export async function listDeliveries(q: Queryable, f: DeliveryFilter): Promise<Delivery[]> {
  const where: string[] = [];
  const params: SqlParam[] = [];
  const p = (v: SqlParam) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (f.targetId !== undefined) where.push(`d.target_id = ${p(f.targetId)}`);
  if (f.status !== undefined) where.push(`d.status = ${p(f.status)}`);
  if (f.eventId !== undefined) where.push(`d.event_id = ${p(f.eventId)}`);
  if (f.kind !== undefined) where.push(`d.kind = ${p(f.kind)}`);
  if (f.beforeId !== undefined) where.push(`d.id < ${p(f.beforeId)}`);
  const rows = await q.query(
    `select ${COLUMNS} from alert_delivery d
     ${where.length ? `where ${where.join(" and ")}` : ""}
     order by d.id desc limit ${p(f.limit)}`,
    params,
  );
  return rows.map(toDelivery);
}

export async function getDelivery(q: Queryable, id: number): Promise<Delivery | null> {
  const rows = await q.query(`select ${COLUMNS} from alert_delivery d where d.id = $1`, [id]);
  return rows.length ? toDelivery(rows[0]) : null;
}

/** Per target: totals and the latest attempt, for the delivery log summary. */
export async function targetHealth(q: Queryable): Promise<
  Map<number, { queued: number; failed: number; succeeded: number; last: Delivery | null }>
> {
  const rows = await q.query(
    `select target_id,
       count(*) filter (where status in ('queued', 'sending'))::int as queued,
       count(*) filter (where status = 'failed')::int as failed,
       count(*) filter (where status = 'succeeded')::int as succeeded,
       max(id) as last_id
     from alert_delivery group by target_id`,
  );
  const out = new Map();
  for (const r of rows) {
    out.set(Number(r.target_id), {
      queued: Number(r.queued),
      failed: Number(r.failed),
      succeeded: Number(r.succeeded),
      last: await getDelivery(q, Number(r.last_id)),
    });
  }
  return out;
}
