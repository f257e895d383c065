// Running an action on a host as a tracked task: checks, argument array, execution with caps,
// live output in the run row, an audit entry per run, listing and cancelling runs.
import { audit } from "@/services/auth/mod.ts";
import { AppError, notFound } from "@/services/errors.ts";
import type { Db, Queryable, SqlParam } from "@/services/store/mod.ts";
import type { TaskRunner } from "@/services/tasks/mod.ts";
import { execAction } from "./action_exec.ts";
import {
  type Action,
  assertMayRun,
  getAction,
  type PlaceholderValues,
  renderArgs,
  resolveExecutable,
  type Role,
} from "./actions.ts";

export interface ActionEnv {
  db: Db;
  /** The runner of action tasks; its concurrency is the global cap (ACTION_MAX_CONCURRENT). */
  tasks: TaskRunner;
  actionsDir: string;
  /** Working directory of every run (under DATA_DIR). */
  workDir: string;
  maxOutputBytes: number;
  /** PATH given to actions. */
  path: string;
}

export const RUN_STATUSES = [
  "queued",
  "running",
  "succeeded",
  "failed",
  "timed_out",
  "cancelled",
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export interface ActionRun {
  id: number;
  action_id: number | null;
  action_name: string;
  host_id: number | null;
  target: string;
  argv: string[];
  task_id: string | null;
  username: string | null;
  status: RunStatus;
  exit_code: number | null;
  stdout: string;
  stderr: string;
  stdout_truncated: boolean;
  stderr_truncated: boolean;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
}

const iso = (v: unknown) => (v == null ? null : new Date(v as string).toISOString());

function toRun(r: Record<string, unknown>): ActionRun {
  return {
    id: Number(r.id),
    action_id: r.action_id == null ? null : Number(r.action_id),
    action_name: String(r.action_name),
    host_id: r.host_id == null ? null : Number(r.host_id),
    target: String(r.target),
    argv: (r.argv as string[]) ?? [],
    task_id: r.task_id == null ? null : String(r.task_id),
    username: (r.username as string | null) ?? null,
    status: r.status as RunStatus,
    exit_code: r.exit_code == null ? null : Number(r.exit_code),
    stdout: String(r.stdout),
    stderr: String(r.stderr),
    stdout_truncated: Boolean(r.stdout_truncated),
    stderr_truncated: Boolean(r.stderr_truncated),
    created_at: iso(r.created_at)!,
    started_at: iso(r.started_at),
    finished_at: iso(r.finished_at),
    duration_ms: r.duration_ms == null ? null : Number(r.duration_ms),
  };
}

export async function getRun(q: Queryable, id: number): Promise<ActionRun> {
  const rows = await q.query<Record<string, unknown>>(`select * from action_run where id = $1`, [
    id,
  ]);
  if (!rows[0]) throw notFound(`action run ${id}`);
  return toRun(rows[0]);
}

export interface RunFilter {
  actionId?: number;
  hostId?: number;
  username?: string;
  status?: RunStatus;
  before?: number;
  limit: number;
}

/** Newest first, `limit + 1` rows for paging. */
export async function listRuns(q: Queryable, f: RunFilter): Promise<ActionRun[]> {
  const params: SqlParam[] = [f.limit + 1];
  const where: string[] = [];
  if (f.actionId) where.push(`action_id = $${params.push(f.actionId)}`);
  if (f.hostId) where.push(`host_id = $${params.push(f.hostId)}`);
  if (f.username) where.push(`username = $${params.push(f.username)}`);
  if (f.status) where.push(`status = $${params.push(f.status)}`);
  if (f.before) where.push(`id < $${params.push(f.before)}`);
  const rows = await q.query<Record<string, unknown>>(
    `select * from action_run ${where.length ? `where ${where.join(" and ")}` : ""}
     order by id desc limit $1`,
    params,
  );
  return rows.map(toRun);
}

/** The host fields placeholders take, from the host, its server and organization. */
async function placeholderValues(
  q: Queryable,
  hostId: number,
): Promise<PlaceholderValues & { hostId: number }> {
  const rows = await q.query<Record<string, string | null>>(
    `select host(h.ip) as ip, coalesce(h.hostname_override, h.hostname) as hostname,
            s.name as server, o.name as organization
     from host h left join server_host sh on sh.host_id = h.id
       left join server s on s.id = sh.server_id
       left join organization o on o.id = s.organization_id
     where h.id = $1`,
    [hostId],
  );
  if (!rows[0]) throw notFound(`host ${hostId}`);
  const r = rows[0];
  return {
    hostId,
    ip: r.ip,
    hostname: r.hostname,
    server: r.server,
    organization: r.organization,
  };
}

export interface Runner {
  username: string | null;
  role: Role;
  clientIp?: string | null;
}

/**
 * Checks everything a run needs now (permission, executable, arguments: 403/404/422), records the
 * run and queues it. The same action on the same host while one is queued or running returns
 * that run (debounce).
 */
export async function startRun(
  env: ActionEnv,
  req: { actionId: number; hostId: number },
  who: Runner,
): Promise<{ task_id: string; run_id: number; deduped: boolean }> {
  const action = await getAction(env.db, req.actionId);
  assertMayRun(action, who.role);
  const values = await placeholderValues(env.db, req.hostId);
  const argv = renderArgs(action.args, values);
  const program = await resolveExecutable(env.actionsDir, action.executable);
  const ip = values.ip ?? "";
  const [row] = await env.db.query<{ id: number }>(
    `insert into action_run (action_id, action_name, host_id, target, argv, username, status)
     values ($1, $2, $3, $4, $5::text[], $6, 'queued') returning id`,
    [action.id, action.name, req.hostId, ip, argv, who.username],
  );
  const runId = Number(row.id);
  const task = await env.tasks.submit(
    {
      kind: "action_run",
      target: `${action.name} on ${ip}`,
      createdBy: who.username,
      dedupeKey: `action:${action.id}:host:${req.hostId}`,
    },
    (ctx) => execute(env, action, program, argv, runId, ip, who, ctx),
  );
  if (task.deduped) {
    await env.db.query(`delete from action_run where id = $1`, [runId]);
    const existing = await env.db.query<{ id: number }>(
      `select id from action_run where task_id = $1 order by id desc limit 1`,
      [task.id],
    );
    return { task_id: task.id, run_id: Number(existing[0]?.id ?? 0), deduped: true };
  }
  await env.db.query(`update action_run set task_id = $2 where id = $1`, [runId, task.id]);
  return { task_id: task.id, run_id: runId, deduped: false };
}

async function execute(
  env: ActionEnv,
  action: Action,
  program: string,
  argv: string[],
  runId: number,
  ip: string,
  who: Runner,
  ctx: { signal: AbortSignal; progress(f: number, note?: string): Promise<void> },
) {
  await Deno.mkdir(env.workDir, { recursive: true });
  // Re-checked at start: the file may have changed since the request.
  const real = await resolveExecutable(env.actionsDir, action.executable).catch(async (err) => {
    await env.db.query(
      `update action_run set status = 'failed', stderr = $2, finished_at = now() where id = $1`,
      [runId, (err as Error).message],
    );
    throw err;
  });
  if (real !== program) program = real;
  await env.db.query(`update action_run set status = 'running', started_at = now() where id = $1`, [
    runId,
  ]);
  await ctx.progress(0.1, `running ${action.name} on ${ip}`);
  const r = await execAction({
    program,
    args: argv,
    cwd: env.workDir,
    env: { PATH: env.path, LANG: "C.UTF-8" },
    timeoutMs: action.timeout_s * 1000,
    maxOutputBytes: env.maxOutputBytes,
    signal: ctx.signal,
    onOutput: async (o) => {
      // Only while the run is unfinished: on PostgreSQL a late live write (another connection)
      // could otherwise land after the final one and cut the stored output short.
      await env.db.query(
        `update action_run set stdout = $2, stderr = $3 where id = $1 and finished_at is null`,
        [runId, o.stdout, o.stderr],
      );
    },
  });
  const status: RunStatus = r.outcome === "timed_out"
    ? "timed_out"
    : r.outcome === "cancelled"
    ? "cancelled"
    : r.exit_code === 0
    ? "succeeded"
    : "failed";
  await env.db.query(
    `update action_run set status = $2, exit_code = $3, stdout = $4, stderr = $5,
       stdout_truncated = $6, stderr_truncated = $7, finished_at = now(), duration_ms = $8
     where id = $1`,
    [
      runId,
      status,
      r.exit_code,
      r.stdout,
      r.stderr,
      r.stdout_truncated,
      r.stderr_truncated,
      r.duration_ms,
    ],
  );
  await audit(env.db, {
    username: who.username,
    action: "action.run",
    target: ip,
    detail: {
      action_id: action.id,
      action: action.name,
      run_id: runId,
      argv,
      status,
      exit_code: r.exit_code,
      duration_ms: r.duration_ms,
    },
    clientIp: who.clientIp ?? null,
  });
  const result = {
    run_id: runId,
    action: action.name,
    target: ip,
    status,
    exit_code: r.exit_code,
    stdout: r.stdout,
    stderr: r.stderr,
    stdout_truncated: r.stdout_truncated,
    stderr_truncated: r.stderr_truncated,
    duration_ms: r.duration_ms,
  };
  if (status === "timed_out") {
    throw new AppError(
      504,
      "action_timed_out",
      `run ${runId}: timed out after ${action.timeout_s} s; the process group was killed`,
    );
  }
  if (status === "failed") {
    throw new AppError(
      502,
      "action_failed",
      `run ${runId}: exited with code ${r.exit_code ?? r.signal}`,
    );
  }
  return result;
}

/** Cancels a queued or running run; 409 when it has finished already. */
export async function cancelRun(
  env: ActionEnv,
  runId: number,
  by: string | null,
): Promise<ActionRun> {
  const run = await getRun(env.db, runId);
  if (!run.task_id || !(await env.tasks.cancel(run.task_id, by))) {
    throw new AppError(409, "not_running", `action run ${runId} is ${run.status}, not running`);
  }
  await markQueuedRunCancelled(env.db, run.task_id);
  return await getRun(env.db, runId);
}

/** After a task cancel: a run that never started is marked cancelled (no-op otherwise). */
export async function markQueuedRunCancelled(db: Queryable, taskId: string): Promise<void> {
  await db.query(
    `update action_run set status = 'cancelled', finished_at = now()
     where task_id = $1 and status = 'queued'`,
    [taskId],
  );
}
