// SQL of alert events: who they are about (host, subnet, server, organization), storing them, and
// the paged history behind the events feed.
import type { Queryable, SqlParam } from "@/services/store/mod.ts";
import type { AlertEvent, EventKind, EventRef, EventSubnet } from "./event_shape.ts";
import { summarize } from "./event_shape.ts";

/** What an event is about, as loaded for the payload and for rule filters. */
export interface Subject {
  host: { id: number; ip: string; hostname: string | null; tags: string[] } | null;
  subnet: (EventSubnet & { tags: string[] }) | null;
  server: EventRef | null;
  organization: EventRef | null;
}

export interface NewEvent {
  kind: EventKind;
  ts: number;
  hostId: number | null;
  /** For events without a host (a failing sweep of a subnet). */
  subnetId?: number | null;
  detail: Record<string, unknown>;
  /** For events whose caller knows them (indicators of a server without an address). */
  server?: EventRef | null;
  organization?: EventRef | null;
}

export interface StoredEvent {
  event: AlertEvent;
  subject: Subject;
  serverId: number | null;
}

/** Builds links; an empty base gives site-relative links. */
export const hostUrl = (base: string, id: number) => `${base}/hosts/${id}`;
export const feedUrl = (base: string) => `${base}/events`;

/** Hosts and their subnets by host id (one query), plus inventory links when that exists. */
export async function loadSubjects(
  q: Queryable,
  hostIds: readonly number[],
): Promise<Map<number, Subject>> {
  const out = new Map<number, Subject>();
  if (hostIds.length === 0) return out;
  const rows = await q.query(
    `select h.id, host(h.ip) as ip, coalesce(nullif(h.hostname_override, ''), h.hostname) as name,
       h.tags, s.id as subnet_id, s.cidr::text as cidr, s.name as subnet_name,
       s.tags as subnet_tags
     from host h left join subnet s on s.id = h.subnet_id where h.id = any($1::bigint[])`,
    [[...new Set(hostIds)]],
  );
  for (const r of rows) {
    out.set(Number(r.id), {
      host: {
        id: Number(r.id),
        ip: String(r.ip),
        hostname: (r.name as string | null) ?? null,
        tags: [...(r.tags as string[])],
      },
      subnet: r.subnet_id == null ? null : {
        id: Number(r.subnet_id),
        cidr: String(r.cidr),
        name: (r.subnet_name as string | null) ?? null,
        tags: [...(r.subnet_tags as string[])],
      },
      server: null,
      organization: null,
    });
  }
  for (const [hostId, link] of await inventoryLinks(q, [...out.keys()])) {
    const s = out.get(hostId)!;
    s.server = link.server;
    s.organization = link.organization;
  }
  return out;
}

/**
 * Server and organization of hosts, when the inventory's tables exist (they come with the
 * inventory domain; until then every event has server and organization null).
 */
async function inventoryLinks(
  q: Queryable,
  hostIds: number[],
): Promise<Map<number, { server: EventRef; organization: EventRef | null }>> {
  const out = new Map<number, { server: EventRef; organization: EventRef | null }>();
  if (hostIds.length === 0) return out;
  const [exists] = await q.query<{ ok: boolean }>(
    `select to_regclass('server_host') is not null and to_regclass('server') is not null
       and to_regclass('organization') is not null as ok`,
  );
  if (!exists?.ok) return out;
  const rows = await q.query(
    `select sh.host_id, sv.id as server_id, sv.name as server_name, o.id as org_id,
       o.name as org_name
     from server_host sh join server sv on sv.id = sh.server_id
       left join organization o on o.id = sv.organization_id
     where sh.host_id = any($1::bigint[])`,
    [hostIds],
  );
  for (const r of rows) {
    out.set(Number(r.host_id), {
      server: { id: Number(r.server_id), name: (r.server_name as string | null) ?? null },
      organization: r.org_id == null
        ? null
        : { id: Number(r.org_id), name: (r.org_name as string | null) ?? null },
    });
  }
  return out;
}

export async function loadSubnet(q: Queryable, id: number): Promise<Subject["subnet"]> {
  const rows = await q.query(
    `select id, cidr::text as cidr, name, tags from subnet where id = $1`,
    [id],
  );
  if (rows.length === 0) return null;
  const r = rows[0];
  return {
    id: Number(r.id),
    cidr: String(r.cidr),
    name: (r.name as string | null) ?? null,
    tags: [...(r.tags as string[])],
  };
}

/** The payload of an event about `subject` (id filled in once stored). */
export function buildEvent(
  e: NewEvent,
  subject: Subject,
  baseUrl: string,
): AlertEvent {
  const draft: Omit<AlertEvent, "summary"> = {
    id: null,
    kind: e.kind,
    ts: new Date(e.ts).toISOString(),
    subnet: subject.subnet
      ? { id: subject.subnet.id, cidr: subject.subnet.cidr, name: subject.subnet.name }
      : null,
    host: subject.host ? { ...subject.host, url: hostUrl(baseUrl, subject.host.id) } : null,
    server: e.server ?? subject.server,
    organization: e.organization ?? subject.organization,
    detail: e.detail,
    url: subject.host ? hostUrl(baseUrl, subject.host.id) : feedUrl(baseUrl),
    version: 1,
  };
  return { ...draft, summary: summarize(draft) };
}

/** Stores events in one statement and returns them with their ids, in input order. */
export async function insertEvents(
  q: Queryable,
  events: readonly AlertEvent[],
): Promise<AlertEvent[]> {
  if (events.length === 0) return [];
  const cols: SqlParam[][] = [[], [], [], [], [], [], [], []];
  events.forEach((e, i) => {
    cols[0].push(i);
    cols[1].push(e.ts);
    cols[2].push(e.kind);
    cols[3].push(e.host?.id ?? null);
    cols[4].push(e.subnet?.id ?? null);
    cols[5].push(e.server?.id ?? null);
    cols[6].push(e.organization?.id ?? null);
    cols[7].push(JSON.stringify({ ...e, id: undefined }));
  });
  const rows = await q.query<{ id: number; ord: number }>(
    `insert into alert_event (ts, kind, host_id, subnet_id, server_id, organization_id, payload)
     select t.ts, t.kind, t.host_id, t.subnet_id, t.server_id, t.organization_id, t.payload
     from unnest($1::int[], $2::timestamptz[], $3::text[], $4::bigint[], $5::bigint[],
       $6::bigint[], $7::bigint[], $8::jsonb[])
       as t(ord, ts, kind, host_id, subnet_id, server_id, organization_id, payload)
     order by t.ord
     returning id`,
    cols,
  );
  // Identity values follow insertion order, which follows `order by t.ord`.
  const ids = rows.map((r) => Number(r.id)).sort((a, b) => a - b);
  return events.map((e, i) => ({ ...e, id: ids[i] }));
}

export interface HistoryFilter {
  kinds?: EventKind[];
  subnetId?: number;
  /** Subnet filter includes events of hosts in child subnets (by prefix containment). */
  hostId?: number;
  since?: number;
  until?: number;
  /** Keyset cursor: events with an id below this one. */
  beforeId?: number;
  limit: number;
}

/** Newest first; events of a subnet include those of hosts inside it (children too). */
export async function listEvents(q: Queryable, f: HistoryFilter): Promise<AlertEvent[]> {
  const where: string[] = [];
  const params: SqlParam[] = [];
  const p = (v: SqlParam) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (f.kinds?.length) where.push(`e.kind = any(${p(f.kinds)}::text[])`);
  if (f.hostId !== undefined) where.push(`e.host_id = ${p(f.hostId)}`);
  if (f.subnetId !== undefined) {
    const id = p(f.subnetId);
    where.push(`(e.subnet_id = ${id} or e.subnet_id in (select c.id from subnet c, subnet s
      where s.id = ${id} and c.cidr <<= s.cidr))`);
  }
  if (f.since !== undefined) where.push(`e.ts >= ${p(new Date(f.since))}`);
  if (f.until !== undefined) where.push(`e.ts < ${p(new Date(f.until))}`);
  if (f.beforeId !== undefined) where.push(`e.id < ${p(f.beforeId)}`);
  const rows = await q.query<{ id: number; payload: AlertEvent }>(
    `select e.id, e.payload from alert_event e
     ${where.length ? `where ${where.join(" and ")}` : ""}
     order by e.id desc limit ${p(f.limit)}`,
    params,
  );
  return rows.map((r) => ({ ...r.payload, id: Number(r.id) }));
}
