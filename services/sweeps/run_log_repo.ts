// The scan run log: one row per sweep or ping (start, duration, method, counts, errors).
import { keysetPage, type Queryable, type SqlParam } from "@/services/store/mod.ts";

export type RunKind = "subnet" | "host";
export type RunTrigger = "schedule" | "manual";
export type RunStatus = "succeeded" | "failed" | "aborted";

export interface NewRun {
  kind: RunKind;
  trigger: RunTrigger;
  subnetId: number | null;
  hostId: number | null;
  /** The CIDR or address swept, kept readable after the subnet or host is deleted. */
  target: string;
  startedAt: number;
  finishedAt: number;
  method: string | null;
  targets: number;
  hostsUp: number;
  hostsDown: number;
  hostsNew: number;
  flips: number;
  errors: string[];
  notes: string[];
  status: RunStatus;
  instance: string | null;
  taskId: string | null;
}

/** A run as the API and the scanner page show it (snake_case, ISO times). */
export interface ScanRun {
  id: number;
  kind: RunKind;
  trigger: RunTrigger;
  subnet_id: number | null;
  host_id: number | null;
  target: string;
  started_at: string;
  finished_at: string;
  duration_ms: number;
  method: string | null;
  targets: number;
  hosts_up: number;
  hosts_down: number;
  hosts_new: number;
  flips: number;
  errors: string[];
  notes: string[];
  status: RunStatus;
  instance: string | null;
  task_id: string | null;
}

const COLUMNS =
  `id, kind, trigger, subnet_id, host_id, target, started_at, finished_at, duration_ms,
  method, targets, hosts_up, hosts_down, hosts_new, flips, errors, notes, status, instance,
  task_id::text as task_id`;

type Row = Omit<ScanRun, "started_at" | "finished_at" | "errors" | "notes"> & {
  started_at: Date;
  finished_at: Date;
  errors: unknown;
  notes: unknown;
};

const json = (v: unknown): string[] => (typeof v === "string" ? JSON.parse(v) : v) as string[];

function toRun(r: Row): ScanRun {
  return {
    ...r,
    started_at: new Date(r.started_at).toISOString(),
    finished_at: new Date(r.finished_at).toISOString(),
    errors: json(r.errors) ?? [],
    notes: json(r.notes) ?? [],
  };
}

/** Bounds what one run may store: a broken sweep must not write megabytes of the same error. */
function capped(lines: string[]): string[] {
  const out = lines.slice(0, 20).map((l) => l.slice(0, 500));
  if (lines.length > 20) out.push(`…and ${lines.length - 20} more`);
  return out;
}

export async function insertRun(q: Queryable, run: NewRun): Promise<ScanRun> {
  const rows = await q.query<Row>(
    `insert into scan_run (kind, trigger, subnet_id, host_id, target, started_at, finished_at,
       duration_ms, method, targets, hosts_up, hosts_down, hosts_new, flips, errors, notes, status,
       instance, task_id)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15::jsonb, $16::jsonb,
       $17, $18, $19::uuid)
     returning ${COLUMNS}`,
    [
      run.kind,
      run.trigger,
      run.subnetId,
      run.hostId,
      run.target,
      new Date(run.startedAt),
      new Date(run.finishedAt),
      Math.max(0, Math.round(run.finishedAt - run.startedAt)),
      run.method,
      run.targets,
      run.hostsUp,
      run.hostsDown,
      run.hostsNew,
      run.flips,
      JSON.stringify(capped(run.errors)),
      JSON.stringify(capped(run.notes)),
      run.status,
      run.instance,
      run.taskId,
    ],
  );
  return toRun(rows[0]);
}

export interface RunFilter {
  subnetId?: number;
  hostId?: number;
  kind?: RunKind;
  status?: RunStatus;
  /** Keyset paging: runs with a smaller id than this. */
  beforeId?: number;
  limit: number;
}

/** Newest first; `next_cursor` is the id to pass as `beforeId` for the next page. */
export async function listRuns(
  q: Queryable,
  f: RunFilter,
): Promise<{ items: ScanRun[]; next_cursor: string | null }> {
  const params: SqlParam[] = [f.limit + 1];
  const where: string[] = [];
  if (f.subnetId !== undefined) where.push(`subnet_id = $${params.push(f.subnetId)}`);
  if (f.hostId !== undefined) where.push(`host_id = $${params.push(f.hostId)}`);
  if (f.kind) where.push(`kind = $${params.push(f.kind)}`);
  if (f.status) where.push(`status = $${params.push(f.status)}`);
  if (f.beforeId !== undefined) where.push(`id < $${params.push(f.beforeId)}`);
  const rows = await q.query<Row>(
    `select ${COLUMNS} from scan_run ${where.length ? `where ${where.join(" and ")}` : ""}
     order by id desc limit $1`,
    params,
  );
  return keysetPage(rows.map(toRun), f.limit, (last) => String(last.id));
}

/** The latest run of each subnet (scanner health page). */
export async function latestRunPerSubnet(q: Queryable): Promise<Map<number, ScanRun>> {
  const rows = await q.query<Row>(
    `select distinct on (subnet_id) ${COLUMNS} from scan_run
     where kind = 'subnet' and subnet_id is not null
     order by subnet_id, id desc`,
  );
  return new Map(rows.map((r) => [r.subnet_id!, toRun(r)]));
}
