// Runs the dry run of a file above the preview cap as a tracked task ("checked 40,000 rows"), so
// the upload request answers at once and the preview page follows the check live.
import type { TaskRunner } from "@/services/tasks/mod.ts";
import type { Db } from "@/services/store/mod.ts";
import { type BatchImportOptions, previewCsv } from "./batch_import.ts";
import type { ImportKind } from "./import_service.ts";

export const IMPORT_PREVIEW_TASK_KIND = "ipam_import_preview";

/**
 * Queues the whole-file dry run and returns its task id; the task's `result` is the
 * ImportReport (whole-file counts, the first row plans), its `error` what stopped the check.
 */
export async function submitPreviewTask(
  env: { db: Db; tasks: TaskRunner },
  kind: ImportKind,
  text: string,
  opts: BatchImportOptions,
  username: string | null,
): Promise<string> {
  const task = await env.tasks.submit(
    { kind: IMPORT_PREVIEW_TASK_KIND, target: kind, createdBy: username },
    (ctx) =>
      previewCsv(env.db, kind, text, {
        ...opts,
        signal: ctx.signal,
        onProgress: (p) => ctx.progress(p.fraction, p.note),
      }),
  );
  return task.id;
}
