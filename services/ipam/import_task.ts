// Runs a batched CSV import as a tracked background task (progress in the task row) and writes
// one audit entry with what it imported.
import { audit } from "@/services/auth/mod.ts";
import type { Db } from "@/services/store/mod.ts";
import type { TaskRunner } from "@/services/tasks/mod.ts";
import { type BatchImportOptions, IMPORT_BATCH_ROWS, importLargeCsv } from "./batch_import.ts";
import type { ImportKind, ImportOptions, ImportReport } from "./import_service.ts";

export const IMPORT_TASK_KIND = "ipam_import";

export interface ImportTaskEnv {
  db: Db;
  tasks: TaskRunner;
}

export interface ImportActor {
  username: string | null;
  clientIp?: string | null;
  /** Where the import came from, for the audit entry: "ui", "api" or "cli". */
  via: string;
}

/**
 * Queues the import of a file above the preview cap and returns its task id at once; GET
 * /api/v1/tasks/{id} then shows `progress` and `note` ("imported 40,000 of 200,000 rows")
 * and, when done, the ImportReport as `result` (for a failure, `error` and the error's
 * details — e.g. the first rows with errors — as `result`).
 */
export async function submitImportTask(
  env: ImportTaskEnv,
  kind: ImportKind,
  text: string,
  opts: ImportOptions,
  actor: ImportActor,
): Promise<{ task_id: string; batch_size: number }> {
  const batchSize = IMPORT_BATCH_ROWS;
  const task = await env.tasks.submit(
    { kind: IMPORT_TASK_KIND, target: kind, createdBy: actor.username },
    (ctx) =>
      runAudited(env.db, kind, text, {
        ...opts,
        dryRun: false,
        batchSize,
        signal: ctx.signal,
        onProgress: (p) => ctx.progress(p.fraction, p.note),
      }, actor),
  );
  return { task_id: task.id, batch_size: batchSize };
}

/**
 * The batched import with its audit entry: the counts on success, and on a failure after some
 * batches were written, how many rows had been imported (so the log never hides a write).
 */
export async function runAudited(
  db: Db,
  kind: ImportKind,
  text: string,
  opts: BatchImportOptions,
  actor: ImportActor,
): Promise<ImportReport> {
  let written = 0;
  const onProgress = opts.onProgress;
  const tracked: BatchImportOptions = {
    ...opts,
    onProgress: async (p) => {
      if (p.phase === "write") written = p.rows;
      await onProgress?.(p);
    },
  };
  const entry = (detail: Record<string, unknown>) =>
    audit(db, {
      username: actor.username,
      action: "ipam.import",
      target: kind,
      detail: { via: actor.via, batched: true, ...detail },
      clientIp: actor.clientIp ?? null,
    });
  try {
    const report = await importLargeCsv(db, kind, text, tracked);
    await entry({
      summary: report.summary,
      rows: report.batches?.rows ?? 0,
      batches: report.batches?.count ?? 0,
    });
    return report;
  } catch (err) {
    if (written > 0) {
      await entry({ failed: true, rows_done: written, error: (err as Error).message });
    }
    throw err;
  }
}
