// POST /import/apply: the confirmed import, all rows in one transaction, then its report.
import { scanEnableCheck } from "@/services/sweeps/mod.ts";
import type { AppContext } from "@/web/env.ts";
import { page } from "@/web/render.tsx";
import { importCsv, readCsvUpload } from "@/services/ipam/mod.ts";
import { LineTables, ReportSummary } from "@/components/ImportViews.tsx";
import { importFailed, readChoices } from "./preview.tsx";

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
      checkScan: await scanEnableCheck(c.get("deps")),
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
    return importFailed(c, csrf, choices, e, "Nothing was imported: ");
  }
}
