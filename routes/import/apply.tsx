// POST /import/apply: the confirmed import, all rows in one transaction, then its report.
import type { AppContext } from "@/web/env.ts";
import { page } from "@/web/render.tsx";
import { AppError } from "@/services/errors.ts";
import { importCsv, readCsvUpload } from "@/services/ipam/mod.ts";
import { LineTables, ReportSummary, UploadForm } from "@/components/ImportViews.tsx";
import { readChoices } from "./preview.tsx";

export async function POST(c: AppContext) {
  const csrf = c.get("csrfToken") ?? "";
  const choices = await readChoices(c);
  const form = await c.req.parseBody();
  try {
    const csv = await readCsvUpload(c.req);
    const report = await importCsv(c.get("deps").db, choices.kind, csv, {
      allowOrphan: choices.allow_orphan,
      onExisting: choices.on_existing,
      skipErrors: form.skip_errors === "1",
    });
    return page(
      c,
      "Import done",
      <div class="flex flex-col gap-4">
        <h1 class="text-2xl font-bold">Import done: {choices.kind}</h1>
        <section class="card flex flex-col gap-3" aria-label="Result">
          <p role="status" class="notice" data-testid="import-done">
            Imported {report.summary.create} new and {report.summary.update} updated {choices.kind}
            {" "}
            in one transaction.
          </p>
          <ReportSummary report={report} />
          <LineTables report={report} />
          <p class="flex gap-2">
            <a class="btn" href="/">Dashboard</a>
            <a class="btn btn-quiet" href="/import">Import another file</a>
          </p>
        </section>
      </div>,
    );
  } catch (e) {
    if (!(e instanceof AppError) || e.status >= 500 || e.status === 403) throw e;
    return page(
      c,
      "Import",
      <div class="flex flex-col gap-4 max-w-4xl">
        <h1 class="text-2xl font-bold">Import</h1>
        <UploadForm csrf={csrf} choices={choices} error={`Nothing was imported: ${e.message}`} />
      </div>,
      e.status,
    );
  }
}
