// GET /import: upload a hosts or subnets CSV; the preview and the import itself live under /import/.
// With ?task=<id> it also follows a batched import (a file above the preview cap) live.
import type { AppContext } from "@/web/env.ts";
import { page } from "@/web/render.tsx";
import { UploadForm } from "@/components/ImportViews.tsx";
import { island } from "@/web/islands.tsx";
import { IMPORT_TASK_KIND } from "@/services/ipam/mod.ts";
import { AppError } from "@/services/errors.ts";
import ImportProgress from "@/islands/ImportProgress.tsx";

const ImportProgressIsland = island("ImportProgress", ImportProgress);

/** The import task named by ?task=, or null; anything but an import task of this app is a 404. */
async function importTask(c: AppContext) {
  const id = c.req.query("task");
  if (id === undefined) return null;
  const task = await c.get("deps").services.tasks.get(id);
  if (task.kind !== IMPORT_TASK_KIND) throw new AppError(404, "not_found", "import task not found");
  return task;
}

export async function GET(c: AppContext) {
  const task = await importTask(c);
  return page(
    c,
    "Import",
    <div class="flex flex-col gap-4 max-w-4xl">
      <h1 class="text-2xl font-bold">Import</h1>
      {task && (
        <section class="card flex flex-col gap-3" aria-labelledby="task-title">
          <h2 id="task-title" class="text-lg font-bold">
            Batched import: {task.target}
          </h2>
          <p class="text-sm muted">
            Started by {task.created_by ?? "the system"}; the page follows the task{" "}
            <a class="link mono" href={`/api/v1/tasks/${task.id}`}>{task.id}</a>.
          </p>
          <ImportProgressIsland taskId={task.id} initialNote={task.note ?? "queued"} />
        </section>
      )}
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
