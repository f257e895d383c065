// SQL of alert targets (where deliveries go); the secret is written, never read back out.
import { notFound } from "@/services/errors.ts";
import { badField, iso } from "./row_values.ts";
import type { Queryable } from "@/services/store/mod.ts";
import { randomToken } from "@/services/auth/mod.ts";
import { type AddressPolicy, refusal } from "./target_address.ts";
import { TARGET_KINDS, type TargetKind } from "./payload_formats.ts";

export interface Target {
  id: number;
  name: string;
  kind: TargetKind;
  url: string;
  enabled: boolean;
  has_secret: true;
  created_at: string;
  updated_at: string;
}

/** What the delivery worker needs, secret included (never leaves the domain). */
export interface TargetForSend {
  id: number;
  kind: TargetKind;
  url: string;
  secret: string;
  enabled: boolean;
}

export interface TargetInput {
  name: string;
  kind: TargetKind;
  url: string;
  /** Omitted on create: one is generated and returned once. */
  secret?: string;
  enabled?: boolean;
}

const COLUMNS = `id, name, kind, url, enabled, created_at, updated_at`;
const EMAIL = /^[^\s@,<>"]+@[^\s@,<>"]+\.[^\s@,<>"]+$/;

const toTarget = (r: Record<string, unknown>): Target => ({
  id: Number(r.id),
  name: String(r.name),
  kind: r.kind as TargetKind,
  url: String(r.url),
  enabled: Boolean(r.enabled),
  has_secret: true,
  created_at: iso(r.created_at),
  updated_at: iso(r.updated_at),
});

/**
 * Checks what can be checked before sending: the URL's form, and a literal address against the
 * SSRF policy. Names are resolved (and checked again) at send time.
 */
export function checkTargetUrl(kind: TargetKind, url: string, policy: AddressPolicy): string {
  const text = url.trim();
  if (kind === "email") {
    const list = text.split(",").map((s) => s.trim()).filter(Boolean);
    if (list.length === 0 || list.length > 20 || !list.every((a) => EMAIL.test(a))) {
      throw badField(
        "url",
        `expected 1 to 20 comma-separated e-mail addresses, got ${JSON.stringify(text)}`,
      );
    }
    return list.join(", ");
  }
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw badField(
      "url",
      `expected an http:// or https:// URL, got ${JSON.stringify(text.slice(0, 80))}`,
    );
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") {
    throw badField("url", `scheme ${u.protocol} is not allowed; expected http:// or https://`);
  }
  if (u.username || u.password) {
    throw badField(
      "url",
      "credentials in the URL are not allowed; use the secret or a token in the path",
    );
  }
  const host = u.hostname.replace(/^\[|\]$/g, "");
  if (/^[\d.]+$/.test(host) || host.includes(":")) {
    const why = refusal(host, policy);
    if (why) throw badField("url", why);
  }
  return u.toString();
}

function checkKind(kind: string): TargetKind {
  if (!(TARGET_KINDS as readonly string[]).includes(kind)) {
    throw badField("kind", `expected one of ${TARGET_KINDS.join(", ")}`);
  }
  return kind as TargetKind;
}

/** Chat webhook URLs are credentials themselves: only admins see them whole. */
export function redactTarget(t: Target, admin: boolean): Target {
  if (admin) return t;
  if (t.kind === "email") return { ...t, url: t.url.replace(/[^@,\s]+@/g, "…@") };
  try {
    return { ...t, url: `${new URL(t.url).origin}/…` };
  } catch {
    return { ...t, url: "…" };
  }
}

export async function createTarget(
  q: Queryable,
  input: TargetInput,
  policy: AddressPolicy,
): Promise<{ target: Target; generatedSecret: string | null }> {
  const kind = checkKind(input.kind);
  const url = checkTargetUrl(kind, input.url, policy);
  const generated = input.secret ? null : `whsec_${randomToken(24)}`;
  const rows = await q.query(
    `insert into alert_target (name, kind, url, secret, enabled) values ($1, $2, $3, $4, $5)
     returning ${COLUMNS}`,
    [input.name, kind, url, input.secret ?? generated!, input.enabled ?? true],
  );
  return { target: toTarget(rows[0]), generatedSecret: generated };
}

export async function updateTarget(
  q: Queryable,
  id: number,
  patch: Partial<TargetInput>,
  policy: AddressPolicy,
): Promise<Target> {
  const current = await getTarget(q, id);
  const kind = patch.kind ? checkKind(patch.kind) : current.kind;
  const url = patch.url !== undefined || patch.kind
    ? checkTargetUrl(kind, patch.url ?? current.url, policy)
    : current.url;
  const rows = await q.query(
    `update alert_target set name = $2, kind = $3, url = $4, enabled = $5,
       secret = coalesce($6, secret), updated_at = now()
     where id = $1 returning ${COLUMNS}`,
    [
      id,
      patch.name ?? current.name,
      kind,
      url,
      patch.enabled ?? current.enabled,
      patch.secret ?? null,
    ],
  );
  return toTarget(rows[0]);
}

export async function getTarget(q: Queryable, id: number): Promise<Target> {
  const rows = await q.query(`select ${COLUMNS} from alert_target where id = $1`, [id]);
  if (rows.length === 0) throw notFound(`alert target ${id}`);
  return toTarget(rows[0]);
}

export async function listTargets(q: Queryable): Promise<Target[]> {
  return (await q.query(`select ${COLUMNS} from alert_target order by id`)).map(toTarget);
}

export async function deleteTarget(q: Queryable, id: number): Promise<void> {
  const rows = await q.query(`delete from alert_target where id = $1 returning id`, [id]);
  if (rows.length === 0) throw notFound(`alert target ${id}`);
  await q.query(
    `update alert_rule set target_ids = array_remove(target_ids, $1::bigint), updated_at = now()
     where $1::bigint = any(target_ids)`,
    [id],
  );
}

/** Ids among `ids` that are not targets (a rule must not point nowhere). */
export async function missingTargets(q: Queryable, ids: readonly number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await q.query<{ id: number }>(
    `select id from alert_target where id = any($1::bigint[])`,
    [[...ids]],
  );
  const found = new Set(rows.map((r) => Number(r.id)));
  return ids.filter((id) => !found.has(id));
}
