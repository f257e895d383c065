// Conditions checked on a timer, each reported once per episode: a subnet whose last sweeps all
// failed (scan_failing) and a NetFlow exporter that stopped sending (exporter_silent).
import type { Db, Queryable } from "@/services/store/mod.ts";
import type { NewEvent } from "./event_repo.ts";

export interface ConditionSettings {
  /** Consecutive failed sweeps of a subnet that make it "failing". */
  scanFailingAfter: number;
  /** Minutes without flows after which an exporter is "silent". */
  exporterSilentMinutes: number;
}

/** Exporters silent for longer than this are history, not news. */
const FORGET_MS = 7 * 86_400_000;

async function failingSweeps(q: Queryable, s: ConditionSettings, now: number) {
  return await q.query(
    `select subnet_id, min(target) as target, count(*)::int as n,
       count(*) filter (where status = 'failed')::int as failed,
       max(finished_at) as last_at,
       (array_agg(errors order by finished_at desc, id desc))[1] as last_errors
     from (select id, subnet_id, target, status, finished_at, errors,
             row_number() over (partition by subnet_id order by finished_at desc, id desc) as rn
           from scan_run where kind = 'subnet' and subnet_id is not null and finished_at > $2) r
     where rn <= $1 group by subnet_id`,
    [s.scanFailingAfter, new Date(now - FORGET_MS)],
  );
}

async function exporters(q: Queryable, now: number) {
  const [exists] = await q.query<{ ok: boolean }>(
    `select to_regclass('netflow_exporter') is not null as ok`,
  );
  if (!exists?.ok) return [];
  return await q.query(
    `select host(addr) as addr, last_seen_at from netflow_exporter where last_seen_at > $1`,
    [new Date(now - FORGET_MS)],
  );
}

/**
 * Returns the events of conditions that became true since the last check. alert_condition holds
 * the active ones (an insert that conflicts means another instance reported it already); a
 * condition that clears is removed, so its next episode is reported again.
 */
export async function checkConditions(
  db: Db,
  s: ConditionSettings,
  now: number,
  record: (tx: Queryable, events: NewEvent[]) => Promise<unknown>,
): Promise<number> {
  const current = new Map<string, NewEvent>();
  for (const r of await failingSweeps(db, s, now)) {
    if (Number(r.n) < s.scanFailingAfter || Number(r.failed) < s.scanFailingAfter) continue;
    const errors = Array.isArray(r.last_errors) ? r.last_errors : [];
    current.set(`scan_failing:subnet:${r.subnet_id}`, {
      kind: "scan_failing",
      ts: now,
      hostId: null,
      subnetId: Number(r.subnet_id),
      detail: {
        scan: "sweep",
        target: String(r.target),
        failures: Number(r.failed),
        last_error: String(errors[0] ?? "").slice(0, 500) || null,
      },
    });
  }
  const silentMs = s.exporterSilentMinutes * 60_000;
  for (const r of await exporters(db, now)) {
    const key = `exporter_silent:${r.addr}`;
    const last = (r.last_seen_at as Date).getTime();
    if (now - last < silentMs) continue;
    current.set(key, {
      kind: "exporter_silent",
      ts: now,
      hostId: null,
      detail: {
        exporter: String(r.addr),
        last_seen_at: new Date(last).toISOString(),
        silent_for_s: Math.round((now - last) / 1000),
      },
    });
  }

  return await db.tx(async (tx) => {
    const active = await tx.query<{ key: string }>(`select key from alert_condition`);
    const over = active.map((r) => r.key).filter((k) => !current.has(k));
    if (over.length > 0) {
      await tx.query(`delete from alert_condition where key = any($1::text[])`, [over]);
    }
    const fresh: NewEvent[] = [];
    for (const [key, event] of current) {
      const rows = await tx.query(
        `insert into alert_condition (key, active_since) values ($1, $2)
         on conflict (key) do nothing returning key`,
        [key, new Date(now)],
      );
      if (rows.length > 0) fresh.push(event);
    }
    if (fresh.length > 0) await record(tx, fresh);
    return fresh.length;
  });
}
