// SQL of port scans: run records (port_scan), the ports each scan saw (host_open_port, latest
// observation per port marked current) and port change events in host_event.
import { keysetPage, type Queryable, type SqlParam } from "@/services/store/mod.ts";
import { insertEvents } from "@/services/sweeps/mod.ts";
import type { PortEventKind, PortObservation } from "./port_diff.ts";

export type PortScanStatus = "succeeded" | "failed" | "aborted";
export type PortScanTrigger = "schedule" | "manual";

/** A port scan of one host as the API shows it (snake_case, ISO times). */
export interface PortScan {
  id: number;
  host_id: number | null;
  target: string;
  started_at: string;
  finished_at: string;
  duration_ms: number;
  args: string[];
  status: PortScanStatus;
  error: string | null;
  trigger: PortScanTrigger;
  batch_id: string | null;
  batch_size: number;
  open_ports: number;
  changes: number;
  instance: string | null;
  task_id: string | null;
}

export interface NewPortScan {
  hostId: number | null;
  target: string;
  startedAt: number;
  finishedAt: number;
  args: string[];
  status: PortScanStatus;
  error: string | null;
  trigger: PortScanTrigger;
  batchId: string | null;
  batchSize: number;
  openPorts: number;
  changes: number;
  instance: string | null;
  taskId: string | null;
}

/** A stored port of a host. Service strings are remote banners: verbatim, escape on display. */
export interface PortRow extends PortObservation {
  host_id: number;
  scan_id: number;
  current: boolean;
  /** When the scan that saw it finished. */
  scanned_at: string;
}

/** One scan with the ports it saw (GET /hosts/{id}/ports?history=1). */
export interface PortSnapshot extends PortScan {
  ports: PortRow[];
}

export interface NewPortEvent {
  hostId: number;
  kind: PortEventKind;
  detail: Record<string, unknown>;
}

const SCAN_COLUMNS = `s.id, s.host_id, s.target, s.started_at, s.finished_at, s.args, s.status,
  s.error, s.trigger, s.batch_id::text as batch_id, s.batch_size, s.open_ports, s.changes,
  s.instance, s.task_id::text as task_id`;

const PORT_COLUMNS = `p.host_id, p.scan_id, p.port, p.proto, p.state, p.service, p.product,
  p.version, p.probed, p.current, s.finished_at as scanned_at`;

type ScanRow = Omit<PortScan, "started_at" | "finished_at" | "duration_ms" | "args"> & {
  started_at: Date | string;
  finished_at: Date | string;
  args: string[] | string | null;
};

type PortDbRow = Omit<PortRow, "scanned_at"> & { scanned_at: Date | string };

const iso = (v: Date | string) => new Date(v).toISOString();

/** Postgres text[] as both engines may hand it back (array, or literal on odd paths). */
function textArray(v: string[] | string | null): string[] {
  if (Array.isArray(v)) return v;
  if (typeof v !== "string" || v === "{}") return [];
  return v.slice(1, -1).split(",").map((s) => s.replace(/^"(.*)"$/, "$1").replace(/\\(.)/g, "$1"));
}

function toScan(r: ScanRow): PortScan {
  const started = new Date(r.started_at).getTime();
  const finished = new Date(r.finished_at).getTime();
  return {
    id: Number(r.id),
    host_id: r.host_id === null ? null : Number(r.host_id),
    target: r.target,
    started_at: iso(r.started_at),
    finished_at: iso(r.finished_at),
    duration_ms: Math.max(0, finished - started),
    args: textArray(r.args),
    status: r.status,
    error: r.error,
    trigger: r.trigger,
    batch_id: r.batch_id,
    batch_size: Number(r.batch_size),
    open_ports: Number(r.open_ports),
    changes: Number(r.changes),
    instance: r.instance,
    task_id: r.task_id,
  };
}

function toPort(r: PortDbRow): PortRow {
  return {
    host_id: Number(r.host_id),
    scan_id: Number(r.scan_id),
    port: Number(r.port),
    proto: r.proto,
    state: r.state,
    service: r.service,
    product: r.product,
    version: r.version,
    probed: r.probed,
    current: r.current,
    scanned_at: iso(r.scanned_at),
  };
}

export async function insertPortScan(q: Queryable, s: NewPortScan): Promise<PortScan> {
  const rows = await q.query<ScanRow>(
    `insert into port_scan as s (host_id, target, started_at, finished_at, args, status, error,
       trigger, batch_id, batch_size, open_ports, changes, instance, task_id)
     values ($1, $2, $3, $4, $5::text[], $6, $7, $8, $9::uuid, $10, $11, $12, $13, $14::uuid)
     returning ${SCAN_COLUMNS}`,
    [
      s.hostId,
      s.target,
      new Date(s.startedAt),
      new Date(Math.max(s.finishedAt, s.startedAt)),
      s.args,
      s.status,
      s.error,
      s.trigger,
      s.batchId,
      s.batchSize,
      s.openPorts,
      s.changes,
      s.instance,
      s.taskId,
    ],
  );
  return toScan(rows[0]);
}

/** Whether the host has a succeeded scan (else the next one is its baseline, without events). */
export async function hasBaseline(q: Queryable, hostId: number): Promise<boolean> {
  const rows = await q.query<{ ok: boolean }>(
    `select exists (select 1 from port_scan where host_id = $1 and status = 'succeeded') as ok`,
    [hostId],
  );
  return rows[0]?.ok === true;
}

/** The latest observation of every port of a host, open ones first, then by protocol and port. */
export async function currentPorts(q: Queryable, hostId: number): Promise<PortRow[]> {
  const rows = await q.query<PortDbRow>(
    `select ${PORT_COLUMNS} from host_open_port p join port_scan s on s.id = p.scan_id
     where p.host_id = $1 and p.current
     order by (p.state <> 'open'), p.proto, p.port`,
    [hostId],
  );
  return rows.map(toPort);
}

/** Clears `current` on the given ports of a host (the new scan covered them). */
export async function retirePorts(
  q: Queryable,
  hostId: number,
  ports: ReadonlyArray<{ port: number; proto: string }>,
): Promise<void> {
  if (ports.length === 0) return;
  await q.query(
    `update host_open_port p set current = false
     from unnest($2::text[], $3::int[]) as r(proto, port)
     where p.host_id = $1 and p.current and p.proto = r.proto and p.port = r.port`,
    [hostId, ports.map((p) => p.proto), ports.map((p) => p.port)],
  );
}

/** Stores what one scan saw of a host as current rows, in one statement. */
export async function insertPorts(
  q: Queryable,
  hostId: number,
  scanId: number,
  ports: readonly PortObservation[],
): Promise<void> {
  if (ports.length === 0) return;
  await q.query(
    `insert into host_open_port (host_id, scan_id, port, proto, state, service, product, version,
       probed, current)
     select $1, $2, u.port, u.proto, u.state, u.service, u.product, u.version, u.probed, true
     from unnest($3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
       $9::bool[]) as u(port, proto, state, service, product, version, probed)`,
    [
      hostId,
      scanId,
      ports.map((p) => p.port),
      ports.map((p) => p.proto),
      ports.map((p) => p.state),
      ports.map((p) => p.service),
      ports.map((p) => p.product),
      ports.map((p) => p.version),
      ports.map((p) => p.probed),
    ],
  );
}

/** Appends port change events to host_event (the up/down flips' table) in one statement. */
export async function insertPortEvents(
  q: Queryable,
  ts: Date,
  events: readonly NewPortEvent[],
): Promise<void> {
  await insertEvents(q, ts, events);
}

/** The host's newest scan of any status, or null. */
export async function latestPortScan(q: Queryable, hostId: number): Promise<PortScan | null> {
  const rows = await q.query<ScanRow>(
    `select ${SCAN_COLUMNS} from port_scan s where s.host_id = $1
     order by s.started_at desc, s.id desc limit 1`,
    [hostId],
  );
  return rows[0] ? toScan(rows[0]) : null;
}

/** When each host was last port-scanned (any outcome), ms since the epoch; unscanned: absent. */
export async function lastPortScanTimes(
  q: Queryable,
  hostIds: readonly number[],
): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  if (hostIds.length === 0) return out;
  const rows = await q.query<{ host_id: number; at: Date | string }>(
    `select s.host_id, max(s.started_at) as at from port_scan s
     where s.host_id = any($1::bigint[]) group by s.host_id`,
    [[...hostIds]],
  );
  for (const r of rows) out.set(Number(r.host_id), new Date(r.at).getTime());
  return out;
}

export interface PortScanFilter {
  limit: number;
  /** Keyset paging: scans with a smaller id (the previous page's next_cursor). */
  beforeId?: number;
  hostId?: number;
  status?: PortScanStatus;
  trigger?: PortScanTrigger;
}

/** Port scans newest first (the port-scan run log). */
export async function listPortScans(
  q: Queryable,
  f: PortScanFilter,
): Promise<{ items: PortScan[]; next_cursor: string | null }> {
  const params: SqlParam[] = [f.limit + 1];
  const where: string[] = [];
  if (f.beforeId !== undefined) where.push(`s.id < $${params.push(f.beforeId)}`);
  if (f.hostId !== undefined) where.push(`s.host_id = $${params.push(f.hostId)}`);
  if (f.status !== undefined) where.push(`s.status = $${params.push(f.status)}`);
  if (f.trigger !== undefined) where.push(`s.trigger = $${params.push(f.trigger)}`);
  const rows = await q.query<ScanRow>(
    `select ${SCAN_COLUMNS} from port_scan s
     ${where.length ? `where ${where.join(" and ")}` : ""}
     order by s.id desc limit $1`,
    params,
  );
  return keysetPage(rows.map(toScan), f.limit, (last) => String(last.id));
}

/** A host's scans newest first, each with the ports it saw (the snapshot history). */
export async function portSnapshots(
  q: Queryable,
  hostId: number,
  opts: { limit: number; beforeId?: number },
): Promise<{ items: PortSnapshot[]; next_cursor: string | null }> {
  const page = await listPortScans(q, { limit: opts.limit, beforeId: opts.beforeId, hostId });
  if (page.items.length === 0) return { items: [], next_cursor: page.next_cursor };
  const rows = await q.query<PortDbRow>(
    `select ${PORT_COLUMNS} from host_open_port p join port_scan s on s.id = p.scan_id
     where p.host_id = $1 and p.scan_id = any($2::bigint[])
     order by p.scan_id desc, (p.state <> 'open'), p.proto, p.port`,
    [hostId, page.items.map((s) => s.id)],
  );
  const byScan = new Map<number, PortRow[]>();
  for (const r of rows.map(toPort)) {
    const list = byScan.get(r.scan_id) ?? [];
    list.push(r);
    byScan.set(r.scan_id, list);
  }
  return {
    items: page.items.map((s) => ({ ...s, ports: byScan.get(s.id) ?? [] })),
    next_cursor: page.next_cursor,
  };
}
