// Runs long work in the background as tracked tasks: queued → running → succeeded | failed.
import type { Db } from "@/services/store/mod.ts";
import { AppError } from "@/services/errors.ts";
import { log } from "@/services/logger.ts";

export type TaskStatus = "queued" | "running" | "succeeded" | "failed";

export interface Task {
  id: string;
  kind: string;
  status: TaskStatus;
  progress: number;
  note: string | null;
  target: string | null;
  result: unknown;
  error: string | null;
  created_by: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface TaskContext {
  id: string;
  /** Reports progress from 0 to 1 with an optional human note ("124/254 hosts"). */
  progress(fraction: number, note?: string): Promise<void>;
  /** Aborted when someone cancels the task (POST /api/v1/tasks/{id}/cancel). */
  signal: AbortSignal;
}

export type TaskWork = (ctx: TaskContext) => Promise<unknown>;

export interface SubmitOptions {
  kind: string;
  target?: string;
  createdBy?: string | null;
  /** While a task with this key is queued or running, submitting again returns it. */
  dedupeKey?: string;
}

const iso = (v: unknown) => (v == null ? null : new Date(v as string).toISOString());

function toTask(r: Record<string, unknown>): Task {
  return {
    id: String(r.id),
    kind: String(r.kind),
    status: r.status as TaskStatus,
    progress: Number(r.progress),
    note: (r.note as string | null) ?? null,
    target: (r.target as string | null) ?? null,
    result: r.result ?? null,
    error: (r.error as string | null) ?? null,
    created_by: (r.created_by as string | null) ?? null,
    created_at: iso(r.created_at)!,
    started_at: iso(r.started_at),
    finished_at: iso(r.finished_at),
  };
}

export interface TaskRunner {
  submit(opts: SubmitOptions, work: TaskWork): Promise<{ id: string; deduped: boolean }>;
  get(id: string): Promise<Task>;
  list(opts?: { kind?: string; status?: TaskStatus; limit?: number }): Promise<Task[]>;
  /**
   * Cancels a queued or running task of this process: a queued one never starts, a running one
   * sees its signal aborted and ends failed with "cancelled". False when it is not open here.
   */
  cancel(id: string, by?: string | null): Promise<boolean>;
  /** Resolves when every task submitted so far has finished (tests, shutdown). */
  drain(): Promise<void>;
}

/** Open tasks of this process by id, shared by every runner so any one of them can cancel. */
const openTasks = new Map<string, OpenTask>();

interface OpenTask {
  abort: AbortController;
  queued: boolean;
  by?: string | null;
}

export function createTaskRunner(db: Db, opts: { maxConcurrent?: number } = {}): TaskRunner {
  const maxConcurrent = opts.maxConcurrent ?? 4;
  const queue: Array<() => Promise<void>> = [];
  const inFlight = new Set<Promise<void>>();
  let running = 0;

  const pump = () => {
    while (running < maxConcurrent && queue.length) {
      const job = queue.shift()!;
      running++;
      // A task's outcome is written to SQL; when that write fails (the database went away), the
      // failure is logged here instead of becoming an unhandled rejection that ends the process.
      const p = job().catch((e) => {
        log.warn("could not record a task's outcome", { error: String(e) });
      }).finally(() => {
        running--;
        inFlight.delete(p);
        pump();
      });
      inFlight.add(p);
    }
  };

  const execute = async (id: string, work: TaskWork) => {
    const open = openTasks.get(id);
    if (!open || open.abort.signal.aborted) {
      openTasks.delete(id);
      return; // cancelled while queued: already marked failed
    }
    open.queued = false;
    await db.query("update task set status = 'running', started_at = now() where id = $1", [id]);
    const ctx: TaskContext = {
      id,
      signal: open.abort.signal,
      progress: async (fraction, note) => {
        const p = Math.max(0, Math.min(1, fraction));
        await db.query("update task set progress = $2, note = $3 where id = $1", [
          id,
          p,
          note ?? null,
        ]);
      },
    };
    try {
      const result = await work(ctx);
      if (open.abort.signal.aborted) throw new AppError(409, "cancelled", cancelledText(open));
      await db.query(
        `update task set status = 'succeeded', progress = 1, result = $2::jsonb, finished_at = now()
         where id = $1`,
        [id, JSON.stringify(result ?? null)],
      );
    } catch (e) {
      const message = open.abort.signal.aborted
        ? cancelledText(open)
        : e instanceof AppError
        ? e.message
        : `${(e as Error)?.message ?? e}`;
      if (!(e instanceof AppError)) log.error("task failed", { id, error: String(e) });
      // An AppError's details (an import's first bad lines...) stay readable as the result.
      const details = !open.abort.signal.aborted && e instanceof AppError ? e.details : undefined;
      await db.query(
        `update task set status = 'failed', error = $2, result = $3::jsonb, finished_at = now()
         where id = $1`,
        [id, message.slice(0, 2000), details === undefined ? null : JSON.stringify(details)],
      );
    } finally {
      openTasks.delete(id);
    }
  };

  return {
    async submit(o, work) {
      if (o.dedupeKey) {
        const open = await db.query<{ id: string }>(
          `select id from task where dedupe_key = $1 and status in ('queued', 'running')
           order by created_at desc limit 1`,
          [o.dedupeKey],
        );
        if (open[0]) return { id: String(open[0].id), deduped: true };
      }
      const id = crypto.randomUUID();
      await db.query(
        `insert into task (id, kind, status, target, dedupe_key, created_by)
         values ($1, $2, 'queued', $3, $4, $5)`,
        [id, o.kind, o.target ?? null, o.dedupeKey ?? null, o.createdBy ?? null],
      );
      openTasks.set(id, { abort: new AbortController(), queued: true });
      queue.push(() => execute(id, work));
      pump();
      return { id, deduped: false };
    },
    async get(id) {
      if (!/^[0-9a-f-]{36}$/i.test(id)) throw new AppError(404, "not_found", "task not found");
      const rows = await db.query<Record<string, unknown>>("select * from task where id = $1", [
        id,
      ]);
      if (!rows[0]) throw new AppError(404, "not_found", "task not found");
      return toTask(rows[0]);
    },
    async list(q = {}) {
      const limit = Math.min(1000, Math.max(1, q.limit ?? 100));
      const rows = await db.query<Record<string, unknown>>(
        `select * from task where ($1::text is null or kind = $1) and ($2::text is null or status = $2)
         order by created_at desc limit $3`,
        [q.kind ?? null, q.status ?? null, limit],
      );
      return rows.map(toTask);
    },
    async cancel(id, by) {
      const open = openTasks.get(id);
      if (!open || open.abort.signal.aborted) return false;
      open.by = by ?? null;
      open.abort.abort();
      if (open.queued) {
        await db.query(
          `update task set status = 'failed', error = $2, finished_at = now()
           where id = $1 and status = 'queued'`,
          [id, cancelledText(open)],
        );
      }
      return true;
    },
    async drain() {
      while (inFlight.size || queue.length) await Promise.all([...inFlight]);
    },
  };
}

function cancelledText(open: { by?: string | null }): string {
  return open.by ? `cancelled by ${open.by}` : "cancelled";
}

/** Tasks that were running when the process stopped can never finish: say so. */
export async function failInterruptedTasks(db: Db): Promise<number> {
  const rows = await db.query(
    `update task set status = 'failed', error = 'interrupted by a restart', finished_at = now()
     where status in ('queued', 'running') returning id`,
  );
  return rows.length;
}
