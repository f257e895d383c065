// One host's story as a single timeline, newest first and keyset-paged: when it was first seen,
// IPAM edits (audit log lines about /hosts/{id}), up/down and port/service changes (host_event),
// indicator changes and the actions run against it. Each source keeps its own words; the
// timeline only merges them in time order.
import { requireHost } from "@/services/ipam/mod.ts";
import { AppError } from "@/services/errors.ts";
import type { Queryable } from "@/services/store/mod.ts";

export type TimelineSource = "first_seen" | "audit" | "event" | "indicator" | "action";

export interface TimelineItem {
  /** ISO 8601 UTC. */
  ts: string;
  source: TimelineSource;
  /** Event kind, indicator status, action run status or "edit". */
  kind: string;
  /** One line a person reads. */
  summary: string;
  /** Who did it, when a person did. */
  username: string | null;
  /** The source row's id (host id for first_seen). */
  ref_id: number;
  detail: unknown;
}

export interface TimelinePage {
  items: TimelineItem[];
  next_cursor: string | null;
}

export const TIMELINE_LIMIT_MAX = 200;

function parseCursor(cursor: string): [Date, string, number] {
  const m = /^(\d{1,16})\.([a-z_]{1,12})\.(\d{1,19})$/.exec(cursor);
  if (!m) {
    throw new AppError(
      422,
      "invalid_cursor",
      "cursor is not one this API returned: pass next_cursor from the previous page",
    );
  }
  return [new Date(Number(m[1])), m[2], Number(m[3])];
}

/** Throws AppError 404 when the host does not exist, 422 on a cursor not from a previous page. */
export async function hostTimeline(
  db: Queryable,
  hostId: number,
  opts: { limit?: number; cursor?: string } = {},
): Promise<TimelinePage> {
  const host = await requireHost(db, hostId);
  const limit = Math.max(1, Math.min(TIMELINE_LIMIT_MAX, Math.trunc(opts.limit ?? 50)));
  const after = opts.cursor ? parseCursor(opts.cursor) : null;
  // Audit actions are "<METHOD> <path>"; the host's own paths name it by id.
  const pathRe = `^[A-Z]+ /(api/v1/)?hosts/${hostId}(/|$)`;
  const rows = await db.query<{
    ts: Date;
    source: TimelineSource;
    kind: string;
    summary: string | null;
    username: string | null;
    ref_id: number;
    detail: unknown;
  }>(
    `with items as (
       select coalesce(h.first_seen_at, h.created_at) as ts, 'first_seen'::text as source,
         case when h.discovered then 'discovered' else 'added' end as kind,
         null::text as summary, null::text as username, h.id as ref_id, null::jsonb as detail
       from host h where h.id = $1
       union all
       select a.ts, 'audit', 'edit', a.detail->>'summary', a.username, a.id, a.detail
       from audit_log a where a.action ~ $2
       union all
       select e.ts, 'event', e.kind, null, null, e.id, e.detail
       from host_event e where e.host_id = $1
       union all
       select ih.ts, 'indicator', ih.status,
         i.name || ' ' || coalesce(ih.value_num::text, ih.value_text, '') ||
           case when i.unit <> '' then ' ' || i.unit else '' end,
         null, ih.id,
         jsonb_build_object('name', i.name, 'source', ih.source)
       from indicator_history ih join indicator i on i.id = ih.indicator_id
       where i.host_id = $1
       union all
       select r.created_at, 'action', r.status, r.action_name, r.username, r.id,
         jsonb_build_object('exit_code', r.exit_code, 'duration_ms', r.duration_ms)
       from action_run r where r.host_id = $1
     )
     select * from items
     where $3::timestamptz is null or (ts, source, ref_id) < ($3::timestamptz, $4::text, $5::bigint)
     order by ts desc, source desc, ref_id desc limit $6`,
    [hostId, pathRe, after?.[0] ?? null, after?.[1] ?? "", after?.[2] ?? 0, limit + 1],
  );
  const items = rows.slice(0, limit).map((r) => {
    const ts = new Date(r.ts);
    return {
      ts: ts.toISOString(),
      source: r.source,
      kind: r.kind,
      summary: r.summary ?? describe(r.source, r.kind, r.detail, host.ip),
      username: r.username,
      ref_id: Number(r.ref_id),
      detail: r.detail ?? null,
    };
  });
  const last = rows.length > limit ? items.at(-1)! : null;
  return {
    items,
    next_cursor: last ? `${Date.parse(last.ts)}.${last.source}.${last.ref_id}` : null,
  };
}

const EVENT_WORDS: Record<string, string> = {
  up: "came up",
  down: "went down",
  discovered: "was discovered by a sweep",
  hostname_changed: "changed its name",
  port_opened: "opened a port",
  port_closed: "closed a port",
  service_changed: "changed a service",
};

function describe(source: TimelineSource, kind: string, detail: unknown, ip: string): string {
  const d = (detail ?? {}) as Record<string, unknown>;
  if (source === "first_seen") {
    return kind === "discovered" ? `first seen at ${ip}` : `added to IPAM as ${ip}`;
  }
  if (source === "event") {
    const port = d.port != null ? ` ${d.port}/${d.proto ?? "tcp"}` : "";
    const names = kind === "hostname_changed" && typeof d.to === "string" ? ` to ${d.to}` : "";
    return `${EVENT_WORDS[kind] ?? kind}${port}${names}`;
  }
  return kind;
}
