// GET /import: upload a hosts or subnets CSV; the preview and the import itself live under /import/.
import type { AppContext } from "@/web/env.ts";
import { page } from "@/web/render.tsx";
import { UploadForm } from "@/components/ImportViews.tsx";

export function GET(c: AppContext) {
  return page(
    c,
    "Import",
    <div class="flex flex-col gap-4 max-w-4xl">
      <h1 class="text-2xl font-bold">Import</h1>
      {c.get("user")?.role === "viewer"
        ? <p class="notice">Viewers can export but not import; ask an editor or admin.</p>
        : <UploadForm csrf={c.get("csrfToken") ?? ""} />}
      <section class="card" aria-labelledby="export-title">
        <h2 id="export-title" class="text-lg font-bold mb-2">Export</h2>
        <p class="flex flex-wrap gap-2">
          <a class="btn btn-quiet" href="/api/v1/export/hosts.csv" download>Hosts CSV</a>
          <a class="btn btn-quiet" href="/api/v1/export/subnets.csv" download>Subnets CSV</a>
        </p>
      </section>
    </div>,
  );
}
