// Hosts down right now as alerting sees them (an open outage: down since its down event).
import type { Queryable } from "@/services/store/mod.ts";

export interface DownHost {
  host_id: number;
  ip: string;
  hostname: string | null;
  subnet_id: number | null;
  subnet_cidr: string | null;
  /** When the outage began (ISO). */
  since: string;
  misses: number;
}

export async function listDownNow(q: Queryable, limit = 20): Promise<DownHost[]> {
  const rows = await q.query(
    `select w.host_id, host(h.ip) as ip,
       coalesce(nullif(h.hostname_override, ''), h.hostname) as hostname,
       h.subnet_id, s.cidr::text as subnet_cidr, e.ts as since, w.misses
     from alert_host_watch w join host h on h.id = w.host_id
       join alert_event e on e.id = w.down_event_id
       left join subnet s on s.id = h.subnet_id
     order by e.ts, w.host_id limit $1`,
    [limit],
  );
  return rows.map((r) => ({
    host_id: Number(r.host_id),
    ip: String(r.ip),
    hostname: (r.hostname as string | null) ?? null,
    subnet_id: r.subnet_id == null ? null : Number(r.subnet_id),
    subnet_cidr: (r.subnet_cidr as string | null) ?? null,
    since: (r.since as Date).toISOString(),
    misses: Number(r.misses),
  }));
}

export async function countDownNow(q: Queryable): Promise<number> {
  const [r] = await q.query<{ n: number }>(`select count(*)::int as n from alert_host_watch`);
  return Number(r?.n ?? 0);
}
