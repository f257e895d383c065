// SQL for poll outcomes: the last reading per host, and naming a host from its sysName when no
// stronger name exists (one guarded UPDATE, so a concurrent DNS or typed name is never replaced).
import type { Db, Queryable } from "@/services/store/mod.ts";
import type { SnmpReading, SnmpStatus } from "./reader.ts";
import { hostnameFromSysName } from "./text.ts";

export interface PollRecord {
  host_id: number;
  polled_at: string;
  status: SnmpStatus;
  error: string | null;
  sys_name: string | null;
  sys_descr: string | null;
  settings_from: "host" | "subnet";
  duration_ms: number;
  last_ok_at: string | null;
}

const COLUMNS = `host_id, polled_at, status, error, sys_name, sys_descr, settings_from, duration_ms,
  last_ok_at`;

const iso = (v: unknown) => (v == null ? null : new Date(v as string).toISOString());
const view = (r: PollRecord): PollRecord => ({
  ...r,
  polled_at: iso(r.polled_at)!,
  last_ok_at: iso(r.last_ok_at),
});

export async function getPoll(db: Queryable, hostId: number): Promise<PollRecord | null> {
  const rows = await db.query<PollRecord>(
    `select ${COLUMNS} from snmp_poll where host_id = $1`,
    [hostId],
  );
  return rows[0] ? view(rows[0]) : null;
}

/** Hosts among `hostIds` whose last poll is older than `before` (or that were never polled). */
export async function notPolledSince(
  db: Queryable,
  hostIds: number[],
  before: Date,
): Promise<Set<number>> {
  if (hostIds.length === 0) return new Set();
  const rows = await db.query<{ id: number }>(
    `select h.id from host h left join snmp_poll p on p.host_id = h.id
     where h.id = any($1::bigint[]) and (p.polled_at is null or p.polled_at < $2)`,
    [hostIds, before],
  );
  return new Set(rows.map((r) => Number(r.id)));
}

export interface RecordOutcome {
  poll: PollRecord;
  /** Set when the host's hostname was changed to the SNMP name. */
  renamed: { from: string | null; to: string } | null;
}

/**
 * Stores a reading and, when it carries a sysName and the host has no DNS or typed name, makes the
 * derived name the host's hostname (source "snmp") with a hostname_changed event.
 */
export async function recordReading(
  db: Db,
  hostId: number,
  reading: SnmpReading,
  from: "host" | "subnet",
  at: Date,
): Promise<RecordOutcome> {
  return await db.tx(async (tx) => {
    const ok = reading.status === "ok";
    const [poll] = await tx.query<PollRecord>(
      `insert into snmp_poll (host_id, polled_at, status, error, sys_name, sys_descr,
         settings_from, duration_ms, last_ok_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, case when $9 then $2::timestamptz end)
       on conflict (host_id) do update set polled_at = excluded.polled_at,
         status = excluded.status, error = excluded.error,
         -- A failed poll keeps the last names read, so one timeout does not blank the page.
         sys_name = case when $9 then excluded.sys_name else snmp_poll.sys_name end,
         sys_descr = case when $9 then excluded.sys_descr else snmp_poll.sys_descr end,
         settings_from = excluded.settings_from, duration_ms = excluded.duration_ms,
         last_ok_at = coalesce(excluded.last_ok_at, snmp_poll.last_ok_at)
       returning ${COLUMNS}`,
      [
        hostId,
        at,
        reading.status,
        reading.error,
        reading.sys_name,
        reading.sys_descr,
        from,
        reading.duration_ms,
        ok,
      ],
    );
    const name = ok ? hostnameFromSysName(reading.sys_name) : null;
    let renamed: RecordOutcome["renamed"] = null;
    if (name) {
      const rows = await tx.query<{ old: string | null }>(
        `update host h set hostname = $2, hostname_source = 'snmp', updated_at = now()
         from (select id, hostname as old from host where id = $1 for update) o
         where h.id = o.id and (h.hostname is null or h.hostname_source = 'snmp')
           and h.hostname is distinct from $2
         returning o.old`,
        [hostId, name],
      );
      if (rows.length > 0) {
        renamed = { from: rows[0].old, to: name };
        await tx.query(
          `insert into host_event (host_id, ts, kind, detail)
           values ($1, $2, 'hostname_changed', $3::jsonb)`,
          [hostId, at, JSON.stringify({ from: rows[0].old, to: name, source: "snmp" })],
        );
      }
    }
    return { poll: view(poll), renamed };
  });
}
