// POST /import/preview: dry-runs an uploaded CSV and shows what would change, with a confirm button.
import { scanEnableCheck } from "@/services/sweeps/mod.ts";
import type { AppContext } from "@/web/env.ts";
import { page } from "@/web/render.tsx";
import { AppError } from "@/services/errors.ts";
import { importCsv, readCsvUpload } from "@/services/ipam/mod.ts";
import {
  ConfirmForm,
  type ImportChoices,
  LineTables,
  ReportSummary,
  RowTable,
  UploadForm,
} from "@/components/ImportViews.tsx";

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

export async function POST(c: AppContext) {
  const csrf = c.get("csrfToken") ?? "";
  let choices: ImportChoices | undefined;
  try {
    choices = await readChoices(c);
    const csv = await readCsvUpload(c.req);
    const report = await importCsv(c.get("deps").db, choices.kind, csv, {
      dryRun: true,
      allowOrphan: choices.allow_orphan,
      onExisting: choices.on_existing,
      checkScan: await scanEnableCheck(c.get("deps")),
    });
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
          <ConfirmForm csrf={csrf} csv={csv} choices={choices} report={report} />
          <LineTables report={report} />
          <RowTable report={report} />
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
      <UploadForm csrf={csrf} choices={choices} error={`${lead}${e.message}`} />
    </div>,
    e.status,
  );
}
