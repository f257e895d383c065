// SQL of silences: mutes (until a time), maintenance windows (from–to) and daily quiet hours, each
// for a host, a subnet (children included), a tag, or everything. Events are still recorded.
import { notFound } from "@/services/errors.ts";
import { badField, iso, isoOrNull, num } from "./row_values.ts";
import type { Queryable, SqlParam } from "@/services/store/mod.ts";

export const SILENCE_KINDS = ["mute", "maintenance", "quiet"] as const;
export type SilenceKind = typeof SILENCE_KINDS[number];

export interface Silence {
  id: number;
  kind: SilenceKind;
  host_id: number | null;
  subnet_id: number | null;
  tag: string | null;
  starts_at: string | null;
  ends_at: string | null;
  /** Quiet hours as "HH:MM" in time_zone; from > to wraps past midnight. */
  daily_from: string | null;
  daily_to: string | null;
  time_zone: string;
  reason: string;
  created_at: string;
}

/** A silence as the matcher needs it (times as ms, the subnet's prefix resolved). */
export interface ActiveSilence extends Silence {
  subnet_cidr: string | null;
  startsMs: number | null;
  endsMs: number | null;
  fromMin: number | null;
  toMin: number | null;
}

export interface SilenceInput {
  kind: SilenceKind;
  host_id?: number | null;
  subnet_id?: number | null;
  tag?: string | null;
  starts_at?: string | null;
  ends_at?: string | null;
  daily_from?: string | null;
  daily_to?: string | null;
  time_zone?: string;
  reason?: string;
}

const COLUMNS = `x.id, x.kind, x.host_id, x.subnet_id, x.tag, x.starts_at, x.ends_at, x.daily_from,
  x.daily_to, x.time_zone, x.reason, x.created_at`;

const hhmm = (m: unknown) =>
  m == null
    ? null
    : `${String(Math.floor(Number(m) / 60)).padStart(2, "0")}:${
      String(Number(m) % 60).padStart(2, "0")
    }`;

function toSilence(r: Record<string, unknown>): Silence {
  return {
    id: Number(r.id),
    kind: r.kind as SilenceKind,
    host_id: num(r.host_id),
    subnet_id: num(r.subnet_id),
    tag: (r.tag as string | null) ?? null,
    starts_at: isoOrNull(r.starts_at),
    ends_at: isoOrNull(r.ends_at),
    daily_from: hhmm(r.daily_from),
    daily_to: hhmm(r.daily_to),
    time_zone: String(r.time_zone),
    reason: String(r.reason),
    created_at: iso(r.created_at),
  };
}

function minutes(field: string, v: string | null | undefined): number | null {
  if (v == null) return null;
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(v);
  if (!m) throw badField(field, `expected a time HH:MM (00:00 to 23:59), got ${JSON.stringify(v)}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

function instant(field: string, v: string | null | undefined): Date | null {
  if (v == null) return null;
  const t = Date.parse(v);
  if (!Number.isFinite(t)) {
    throw badField(field, `expected an ISO 8601 time, got ${JSON.stringify(v)}`);
  }
  return new Date(t);
}

export function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export async function createSilence(
  q: Queryable,
  input: SilenceInput,
  now: number,
): Promise<Silence> {
  if (!(SILENCE_KINDS as readonly string[]).includes(input.kind)) {
    throw badField("kind", `expected one of ${SILENCE_KINDS.join(", ")}`);
  }
  const starts = instant("starts_at", input.starts_at);
  const ends = instant("ends_at", input.ends_at);
  const from = minutes("daily_from", input.daily_from);
  const to = minutes("daily_to", input.daily_to);
  const tz = input.time_zone ?? "UTC";
  if (!validTimeZone(tz)) throw badField("time_zone", `unknown time zone ${JSON.stringify(tz)}`);
  const scopes = [input.host_id, input.subnet_id, input.tag].filter((v) => v != null).length;
  if (scopes > 1) throw badField("host_id", "give at most one of host_id, subnet_id and tag");
  if (input.kind === "mute") {
    if (!ends) throw badField("ends_at", "a mute needs ends_at (until when)");
    if (scopes === 0) throw badField("host_id", "a mute needs one of host_id, subnet_id or tag");
  }
  if (input.kind === "maintenance") {
    if (!starts || !ends) {
      throw badField("ends_at", "a maintenance window needs starts_at and ends_at");
    }
  }
  if (starts && ends && ends <= starts) {
    throw badField("ends_at", "ends_at must be after starts_at");
  }
  if (ends && ends.getTime() <= now) throw badField("ends_at", "ends_at is already in the past");
  if (input.kind === "quiet") {
    if (from === null || to === null) {
      throw badField("daily_from", "quiet hours need daily_from and daily_to (HH:MM)");
    }
    if (from === to) throw badField("daily_to", "daily_to must differ from daily_from");
  }
  if (input.subnet_id != null) {
    const rows = await q.query(`select 1 from subnet where id = $1`, [input.subnet_id]);
    if (rows.length === 0) throw badField("subnet_id", `no subnet with id ${input.subnet_id}`);
  }
  if (input.host_id != null) {
    const rows = await q.query(`select 1 from host where id = $1`, [input.host_id]);
    if (rows.length === 0) throw badField("host_id", `no host with id ${input.host_id}`);
  }
  const params: SqlParam[] = [
    input.kind,
    input.host_id ?? null,
    input.subnet_id ?? null,
    input.tag ?? null,
    input.kind === "mute" ? new Date(now) : starts,
    ends,
    input.kind === "quiet" ? from : null,
    input.kind === "quiet" ? to : null,
    tz,
    input.reason ?? "",
  ];
  const rows = await q.query(
    `insert into alert_silence as x (kind, host_id, subnet_id, tag, starts_at, ends_at,
       daily_from, daily_to, time_zone, reason)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning ${COLUMNS}`,
    params,
  );
  return toSilence(rows[0]);
}

/** Silences of `kinds` not yet over at `now` (ended ones are kept out of lists). */
export async function listSilences(
  q: Queryable,
  kinds: readonly SilenceKind[],
  now: number,
): Promise<Silence[]> {
  const rows = await q.query(
    `select ${COLUMNS} from alert_silence x
     where x.kind = any($1::text[]) and (x.ends_at is null or x.ends_at > $2)
     order by x.id`,
    [[...kinds], new Date(now)],
  );
  return rows.map(toSilence);
}

export async function deleteSilence(q: Queryable, id: number, kinds: readonly SilenceKind[]) {
  const rows = await q.query(
    `delete from alert_silence where id = $1 and kind = any($2::text[]) returning id`,
    [id, [...kinds]],
  );
  if (rows.length === 0) throw notFound(`${kinds.join(" or ")} ${id}`);
}

/** Silences that may apply at `now` (the matcher decides which events they cover). */
export async function activeSilences(q: Queryable, now: number): Promise<ActiveSilence[]> {
  const rows = await q.query(
    `select ${COLUMNS}, s.cidr::text as subnet_cidr
     from alert_silence x left join subnet s on s.id = x.subnet_id
     where (x.starts_at is null or x.starts_at <= $1) and (x.ends_at is null or x.ends_at > $1)`,
    [new Date(now)],
  );
  return rows.map((r) => {
    const s = toSilence(r);
    return {
      ...s,
      subnet_cidr: (r.subnet_cidr as string | null) ?? null,
      startsMs: s.starts_at ? Date.parse(s.starts_at) : null,
      endsMs: s.ends_at ? Date.parse(s.ends_at) : null,
      fromMin: num(r.daily_from),
      toMin: num(r.daily_to),
    };
  });
}
