// Scan results: one row per ad-hoc or scheduled check, read back one by one, listed, exported.
import { stringify } from "csv-stringify/sync";
import { notFound } from "@/services/errors.ts";
import { neutralizeCell } from "@/services/ipam/mod.ts";
import type { Queryable, SqlParam } from "@/services/store/mod.ts";
import type { PortObservation } from "@/services/portscans/mod.ts";

export type ScanKind = "ping" | "sweep" | "port_scan";
export type ScanStatus = "running" | "succeeded" | "failed" | "aborted";

/** A port a stored scan result lists: what a port scan observes, without how the service was named. */
export type OpenPort = Omit<PortObservation, "probed">;

export interface ScanResult {
  id: number;
  kind: ScanKind;
  target: string;
  host_id: number | null;
  source: "adhoc" | "schedule" | "manual";
  started_at: string;
  finished_at: string | null;
  status: ScanStatus;
  summary: Record<string, unknown>;
  open_ports: OpenPort[];
  task_id: string | null;
  username: string | null;
}

export interface NewScanResult {
  kind: ScanKind;
  target: string;
  hostId: number | null;
  source: ScanResult["source"];
  startedAt: number;
  finishedAt: number | null;
  status: ScanStatus;
  summary: Record<string, unknown>;
  openPorts: OpenPort[] | null;
  username: string | null;
  taskId: string | null;
}

const COLUMNS = `r.id, r.kind, r.target, r.host_id, r.source, r.started_at, r.finished_at, r.status,
  r.summary, r.task_id, r.username,
  coalesce(r.open_ports, (
    select coalesce(jsonb_agg(jsonb_build_object('port', p.port, 'proto', p.proto,
      'state', p.state, 'service', p.service, 'product', p.product, 'version', p.version)
      order by p.proto, p.port), '[]'::jsonb)
    from host_open_port p where p.scan_id = r.port_scan_id and p.state = 'open'
  ), '[]'::jsonb) as open_ports`;

const iso = (v: unknown) => (v == null ? null : new Date(v as string).toISOString());
const json = (v: unknown) => (typeof v === "string" ? JSON.parse(v) : v);

function toResult(r: Record<string, unknown>): ScanResult {
  return {
    id: Number(r.id),
    kind: r.kind as ScanKind,
    target: String(r.target),
    host_id: r.host_id == null ? null : Number(r.host_id),
    source: r.source as ScanResult["source"],
    started_at: iso(r.started_at)!,
    finished_at: iso(r.finished_at),
    status: r.status as ScanStatus,
    summary: (json(r.summary) ?? {}) as Record<string, unknown>,
    open_ports: ((json(r.open_ports) ?? []) as OpenPort[]).map((p) => ({
      ...p,
      port: Number(p.port),
    })),
    task_id: r.task_id == null ? null : String(r.task_id),
    username: (r.username as string | null) ?? null,
  };
}

export async function insertScanResult(db: Queryable, n: NewScanResult): Promise<ScanResult> {
  // Ad-hoc rows carry their own ports (never port_scan_id), so the row is the whole answer.
  const [row] = await db.query<Record<string, unknown>>(
    `insert into scan_result (kind, target, host_id, source, started_at, finished_at, status,
       summary, open_ports, task_id, username)
     values ($1, $2, $3, $4, $5, $6, $7, $8::text::jsonb, $9::text::jsonb, $10, $11)
     returning id, kind, target, host_id, source, started_at, finished_at, status, summary,
       task_id, username, coalesce(open_ports, '[]'::jsonb) as open_ports`,
    [
      n.kind,
      n.target,
      n.hostId,
      n.source,
      new Date(n.startedAt),
      n.finishedAt == null ? null : new Date(n.finishedAt),
      n.status,
      JSON.stringify(n.summary),
      n.openPorts == null ? null : JSON.stringify(n.openPorts),
      n.taskId,
      n.username,
    ],
  );
  return toResult(row);
}

export async function finishScanResult(
  db: Queryable,
  id: number,
  f: {
    finishedAt: number;
    status: ScanStatus;
    summary: Record<string, unknown>;
    openPorts?: OpenPort[];
  },
): Promise<ScanResult> {
  await db.query(
    `update scan_result set finished_at = $2, status = $3, summary = $4::text::jsonb,
       open_ports = coalesce($5::text::jsonb, open_ports) where id = $1`,
    [
      id,
      new Date(f.finishedAt),
      f.status,
      JSON.stringify(f.summary),
      f.openPorts ? JSON.stringify(f.openPorts) : null,
    ],
  );
  return await getScanResult(db, id);
}

export async function getScanResult(db: Queryable, id: number): Promise<ScanResult> {
  const rows = await db.query<Record<string, unknown>>(
    `select ${COLUMNS} from scan_result r where r.id = $1`,
    [id],
  );
  if (!rows[0]) throw notFound(`scan result ${id}`);
  return toResult(rows[0]);
}

export interface ScanFilter {
  kind?: ScanKind;
  target?: string;
  hostId?: number;
  source?: ScanResult["source"];
  /** Keyset cursor: the id of the last row of the previous page. */
  before?: number;
  limit: number;
}

/** Newest first; fetches `limit + 1` rows so the caller can tell whether more follow. */
export async function listScanResults(db: Queryable, f: ScanFilter): Promise<ScanResult[]> {
  const params: SqlParam[] = [f.limit + 1];
  const where: string[] = [];
  if (f.kind) where.push(`r.kind = $${params.push(f.kind)}`);
  if (f.target) where.push(`r.target = $${params.push(f.target)}`);
  if (f.hostId) where.push(`r.host_id = $${params.push(f.hostId)}`);
  if (f.source) where.push(`r.source = $${params.push(f.source)}`);
  if (f.before) where.push(`r.id < $${params.push(f.before)}`);
  const rows = await db.query<Record<string, unknown>>(
    `select ${COLUMNS} from scan_result r ${where.length ? `where ${where.join(" and ")}` : ""}
     order by r.id desc limit $1`,
    params,
  );
  return rows.map(toResult);
}

const CSV_HEADER = [
  "scan_id",
  "kind",
  "target",
  "host_id",
  "status",
  "started_at",
  "finished_at",
  "ip",
  "port",
  "proto",
  "state",
  "service",
  "product",
  "version",
];

/**
 * One CSV row per open port (port scans) or per answering address (sweeps, pings); every cell
 * formula-safe (a leading ' before = + - @).
 */
export function scanResultCsv(r: ScanResult): string {
  const base = [
    r.id,
    r.kind,
    r.target,
    r.host_id ?? "",
    r.status,
    r.started_at,
    r.finished_at ?? "",
  ];
  const rows: unknown[][] = [];
  if (r.kind === "port_scan") {
    for (const p of r.open_ports) {
      rows.push([...base, r.target, p.port, p.proto, p.state, p.service, p.product, p.version]);
    }
  } else {
    const alive = r.kind === "sweep"
      ? ((r.summary.alive ?? []) as Array<{ ip: string }>).map((a) => a.ip)
      : r.summary.alive
      ? [r.target]
      : [];
    for (const ip of alive) rows.push([...base, ip, "", "", "up", "", "", ""]);
  }
  return stringify([CSV_HEADER, ...rows.map((row) => row.map((c) => neutralizeCell(String(c))))]);
}
