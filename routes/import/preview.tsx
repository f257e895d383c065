// POST /import/preview: dry-runs an uploaded CSV and shows what would change, with a confirm button;
// a file above the preview cap is counted whole, its first rows shown, and imported in batches.
// The file stays on the server (import_upload) and the confirm form names it by id. A larger file
// is checked by a task: GET /import/preview?upload=…&task=… follows it, then shows the preview.
import { uiWords } from "@/shared/ui_words.ts";
import { subnetWriteOptions } from "@/services/sweeps/mod.ts";
import type { AppContext } from "@/web/env.ts";
import { page } from "@/web/render.tsx";
import { AppError } from "@/services/errors.ts";
import {
  exceedsPreview,
  IMPORT_PREVIEW_TASK_KIND,
  type ImportReport,
  keepUpload,
  type KeptUpload,
  peekUpload,
  previewCsv,
  readCsvUpload,
  submitPreviewTask,
  type UploadFacts,
} from "@/services/ipam/mod.ts";
import { island } from "@/web/islands.tsx";
import ImportProgress from "@/islands/ImportProgress.tsx";
import {
  BatchNotice,
  ConfirmForm,
  type ImportChoices,
  LineTables,
  ReportSummary,
  RowTable,
  UploadForm,
} from "@/components/ImportViews.tsx";

const ImportProgressIsland = island("ImportProgress", ImportProgress);

/** The options of the upload form (kind, allow_orphan, on_existing). */
export async function readChoices(c: AppContext): Promise<ImportChoices> {
  const form = await c.req.parseBody();
  const kind = form.kind === "subnets" ? "subnets" : form.kind === "hosts" ? "hosts" : null;
  if (!kind) {
    throw new AppError(422, "invalid_kind", "choose whether the file holds hosts or subnets");
  }
  return {
    kind,
    allow_orphan: form.allow_orphan === "1" || form.allow_orphan === "on",
    on_existing: form.on_existing === "skip" ? "skip" : "update",
  };
}

/** Where previewed files are kept until confirmed. */
export function uploadEnv(c: AppContext) {
  const deps = c.get("deps");
  return { db: deps.db, now: deps.now, maxUploadBytes: deps.cfg.MAX_UPLOAD_BYTES };
}

/** The logged-in user's id (pages under /import need a login that may write). */
export function currentUserId(c: AppContext): number {
  const user = c.get("user");
  if (!user) throw new AppError(401, "unauthenticated", "log in to import");
  return user.id;
}

/** The preview page: what the dry run found and the confirm form naming the kept file. */
function previewPage(
  c: AppContext,
  choices: ImportChoices,
  report: ImportReport,
  upload: KeptUpload | null,
) {
  return page(
    c,
    "Import preview",
    <div class="flex flex-col gap-4">
      <h1 class="text-2xl font-bold">Import preview: {choices.kind}</h1>
      <section class="card flex flex-col gap-3" aria-label="Preview">
        <p class="muted">
          Nothing has been written yet.{" "}
          {report.format === "phpipam" && "Read as a phpIPAM export. "}
          {report.ignored_columns.length > 0 &&
            `Ignored columns: ${report.ignored_columns.join(", ")}.`}
        </p>
        <ReportSummary report={report} />
        <BatchNotice report={report} />
        <ConfirmForm
          csrf={c.get("csrfToken") ?? ""}
          upload={upload}
          choices={choices}
          report={report}
        />
        <LineTables report={report} />
        <RowTable report={report} />
      </section>
    </div>,
  );
}

/**
 * A file up to the preview cap is checked in this request and its preview shown; a larger one
 * is kept, checked by a task, and the browser sent to GET /import/preview, which follows it.
 */
export async function POST(c: AppContext) {
  let choices: ImportChoices | undefined;
  try {
    choices = await readChoices(c);
    const csv = await readCsvUpload(c.req);
    const deps = c.get("deps");
    const opts = {
      allowOrphan: choices.allow_orphan,
      onExisting: choices.on_existing,
      ...await subnetWriteOptions(deps),
    };
    if (exceedsPreview(choices.kind, csv)) {
      const upload = await keepUpload(uploadEnv(c), currentUserId(c), choices.kind, csv, {
        ...choices,
      });
      const task = await submitPreviewTask(
        { db: deps.db, tasks: deps.services.tasks },
        choices.kind,
        csv,
        opts,
        c.get("user")?.username ?? null,
      );
      return c.redirect(`/import/preview?upload=${upload.id}&task=${task}`, 303);
    }
    const report = await previewCsv(deps.db, choices.kind, csv, opts);
    const upload = report.summary.create + report.summary.update > 0
      ? await keepUpload(uploadEnv(c), currentUserId(c), choices.kind, csv, { ...choices })
      : null;
    return previewPage(c, choices, report, upload);
  } catch (e) {
    return importFailed(c, c.get("csrfToken") ?? "", choices, e, "");
  }
}

/** The choices a kept file was previewed with. */
function storedChoices(facts: UploadFacts): ImportChoices {
  return {
    kind: facts.kind,
    allow_orphan: facts.options.allow_orphan === true,
    on_existing: facts.options.on_existing === "skip" ? "skip" : "update",
  };
}

/**
 * GET /import/preview?upload=…&task=…: a large file's check, live while it runs, then its
 * preview. The task and the kept file must be the user's own; without them, back to /import.
 */
export async function GET(c: AppContext) {
  const uploadId = c.req.query("upload");
  const taskId = c.req.query("task");
  if (!uploadId || !taskId) return c.redirect("/import", 303);
  const csrf = c.get("csrfToken") ?? "";
  let choices: ImportChoices | undefined;
  try {
    const facts = await peekUpload(uploadEnv(c), currentUserId(c), uploadId);
    choices = storedChoices(facts);
    const task = await c.get("deps").services.tasks.get(taskId).catch((e) => {
      if (e instanceof AppError && e.status === 404) return null;
      throw e;
    });
    if (
      !task || task.kind !== IMPORT_PREVIEW_TASK_KIND || task.created_by !== c.get("user")?.username
    ) {
      throw new AppError(
        404,
        "not_found",
        "this preview's check was not found; upload the file again",
      );
    }
    if (task.status === "failed") {
      throw new AppError(422, "preview_failed", task.error ?? "the check of the file failed");
    }
    if (task.status === "succeeded") {
      const upload = { id: uploadId, expires_at: facts.expires_at };
      return previewPage(c, choices, task.result as ImportReport, upload);
    }
    return page(
      c,
      "Import preview",
      <div class="flex flex-col gap-4 max-w-4xl">
        <h1 class="text-2xl font-bold">Import preview: {choices.kind}</h1>
        <section class="card flex flex-col gap-3" aria-labelledby="check-title">
          <h2 id="check-title" class="text-lg font-bold">Checking the file</h2>
          <p class="text-sm muted">
            The file has more rows than one preview holds, so every row is checked by a background
            task; nothing is written. The preview shows here when the check ends.
          </p>
          <ImportProgressIsland
            taskId={task.id}
            initialNote={task.note ?? "queued"}
            reloadWhenDone
          />
        </section>
      </div>,
    );
  } catch (e) {
    return importFailed(c, csrf, choices, e, "");
  }
}

/**
 * The upload form again with the reason a user error stopped the import (its own status);
 * anything else (a 5xx, a 403) is rethrown for the app's error handler.
 */
export function importFailed(
  c: AppContext,
  csrf: string,
  choices: ImportChoices | undefined,
  e: unknown,
  lead: string,
) {
  if (!(e instanceof AppError) || e.status >= 500 || e.status === 403) throw e;
  return page(
    c,
    "Import",
    <div class="flex flex-col gap-4 max-w-4xl">
      <h1 class="text-2xl font-bold">Import</h1>
      <UploadForm csrf={csrf} choices={choices} error={`${lead}${uiWords(e.message, e.code)}`} />
    </div>,
    e.status,
  );
}
