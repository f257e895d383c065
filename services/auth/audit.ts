// The audit log: who did what to which object, from where; append-only, newest first.
import type { Queryable } from "@/services/store/mod.ts";

export interface AuditInput {
  /** Who acted; the attempted name for a failed login; null for the system itself. */
  username: string | null;
  /** Dotted verb, e.g. "login.failed", "user.create", "token.revoke". */
  action: string;
  target?: string | null;
  /** Extra facts as JSON; never secrets (passwords, tokens). */
  detail?: unknown;
  clientIp?: string | null;
}

export interface AuditEntry {
  id: number;
  /** ISO 8601 UTC. */
  ts: string;
  username: string | null;
  action: string;
  target: string | null;
  detail: unknown;
  client_ip: string | null;
}

export const MAX_AUDIT_PAGE = 1000;

export async function audit(db: Queryable, entry: AuditInput): Promise<void> {
  await db.query(
    `insert into audit_log (username, action, target, detail, client_ip)
     values ($1, $2, $3, $4::text::jsonb, $5)`,
    [
      entry.username,
      entry.action,
      entry.target ?? null,
      // Passed as text and cast, so both engines store the same JSON (no double encoding).
      entry.detail === undefined ? null : JSON.stringify(entry.detail),
      entry.clientIp ?? null,
    ],
  );
}

/** Newest first; limit is clamped to 1..1000 (default 100). */
export async function listAudit(
  db: Queryable,
  opts: { limit?: number; offset?: number; username?: string; action?: string } = {},
): Promise<AuditEntry[]> {
  const limit = Math.min(MAX_AUDIT_PAGE, Math.max(1, Math.trunc(opts.limit ?? 100)));
  const offset = Math.max(0, Math.trunc(opts.offset ?? 0));
  const rows = await db.query<Record<string, unknown>>(
    `select id, ts, username, action, target, detail, client_ip from audit_log
     where ($3::text is null or username = $3) and ($4::text is null or action = $4)
     order by ts desc, id desc limit $1 offset $2`,
    [limit, offset, opts.username ?? null, opts.action ?? null],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    ts: new Date(r.ts as string).toISOString(),
    username: (r.username as string | null) ?? null,
    action: String(r.action),
    target: (r.target as string | null) ?? null,
    detail: r.detail ?? null,
    client_ip: (r.client_ip as string | null) ?? null,
  }));
}
