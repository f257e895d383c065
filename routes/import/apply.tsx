// POST /import/apply: the confirmed import. A file up to the preview cap is written in one
// transaction and its report shown; a larger one is queued as a batched task and the browser
// is sent to /import?task=… where its progress shows live. The file is the one kept at preview
// time (upload_id), taken once: a second click, an expired or another user's id is a 410.
import { subnetWriteOptions } from "@/services/sweeps/mod.ts";
import { audit } from "@/services/auth/mod.ts";
import type { AppContext } from "@/web/env.ts";
import { page } from "@/web/render.tsx";
import { exceedsPreview, importCsv, submitImportTask, takeUpload } from "@/services/ipam/mod.ts";
import { LineTables, ReportSummary } from "@/components/ImportViews.tsx";
import { currentUserId, importFailed, readChoices, uploadEnv } from "./preview.tsx";

export async function POST(c: AppContext) {
  const csrf = c.get("csrfToken") ?? "";
  const choices = await readChoices(c);
  const form = await c.req.parseBody();
  const deps = c.get("deps");
  const username = c.get("user")?.username ?? null;
  try {
    const id = typeof form.upload_id === "string" ? form.upload_id : undefined;
    const csv = await takeUpload(uploadEnv(c), currentUserId(c), id, choices.kind);
    const opts = {
      allowOrphan: choices.allow_orphan,
      onExisting: choices.on_existing,
      skipErrors: form.skip_errors === "1",
      ...await subnetWriteOptions(deps),
    };
    if (exceedsPreview(choices.kind, csv)) {
      const { task_id } = await submitImportTask(
        { db: deps.db, tasks: deps.services.tasks },
        choices.kind,
        csv,
        opts,
        { username, clientIp: c.get("clientIp"), via: "ui" },
      );
      return c.redirect(`/import?task=${task_id}`, 303);
    }
    const report = await importCsv(deps.db, choices.kind, csv, opts);
    await audit(deps.db, {
      username,
      action: "ipam.import",
      target: choices.kind,
      detail: { via: "ui", summary: report.summary },
      clientIp: c.get("clientIp"),
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
