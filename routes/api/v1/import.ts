// /api/v1/import: CSV import of hosts and subnets, with a dry-run preview; a file up to the preview
// cap is imported at once (all-or-nothing), a larger one in batches by a background task (202).
import { subnetWriteOptions } from "@/services/sweeps/mod.ts";
import { createRoute, z } from "@hono/zod-openapi";
import {
  DEFAULT_MAX_ROWS,
  exceedsPreview,
  IMPORT_BATCH_ROWS,
  importCsv,
  type ImportKind,
  previewCsv,
  readCsvUpload,
  REPORT_LIST_LIMIT,
  submitImportTask,
} from "@/services/ipam/mod.ts";
import { audit } from "@/services/auth/mod.ts";
import {
  boolQuery,
  ImportReportSchema,
  ImportTaskAcceptedSchema,
  isTrue,
} from "@/web/ipam_schemas.ts";
import { apiRouter } from "@/web/api_router.ts";
import { errorResponses, jsonResponse, safeString, security } from "@/web/api_schemas.ts";
import type { AppContext } from "@/web/env.ts";

const api = apiRouter();

const ImportQuery = z.object({
  dry_run: boolQuery("Only report what would happen (rows to create/update/skip and errors)"),
  skip_errors: boolQuery(
    "Import the valid rows even if some rows have errors (default: refuse the whole file)",
  ),
  allow_orphan: boolQuery("Hosts: accept addresses outside every subnet"),
  on_existing: z.enum(["update", "skip"]).optional().openapi({
    description: "A row whose ip/cidr exists: update it with its non-empty cells (default), " +
      "or skip it",
  }),
});

const csvBody = {
  // Not "required": that would make zod-openapi run its form validator on text/csv bodies too.
  required: false,
  description: "The CSV file: as the raw body (text/csv), or as the `file` field of a " +
    "multipart form. UTF-8, with or without BOM; CRLF or LF; `,` `;` or tab separated.",
  content: {
    "text/csv": { schema: safeString() },
    "multipart/form-data": { schema: z.object({ file: z.any() }) },
  },
};

function route(kind: ImportKind) {
  return createRoute({
    method: "post",
    path: `/${kind}`,
    tags: ["import"],
    summary: `Import ${kind} from CSV (Pingfold or phpIPAM columns)`,
    description: `A file of at most ${DEFAULT_MAX_ROWS.toLocaleString("en-US")} data rows is ` +
      "imported at once, in one transaction, and answered with its report (200). A larger " +
      "file is imported in batches of " + IMPORT_BATCH_ROWS.toLocaleString("en-US") +
      " rows by a background task: the answer is 202 with `task_id`; GET /api/v1/tasks/{id} " +
      'shows `progress` (0-1) and `note` ("imported 40,000 of 200,000 rows"), then the ' +
      "ImportReport as `result` (`summary` counts the whole file; `errors`, `warnings` and " +
      `\`skipped_folders\` list the first ${REPORT_LIST_LIMIT}, with their lines). Without ` +
      "skip_errors the whole file is checked first and nothing is written if any row has an " +
      "error (the task fails; its `result.errors` lists the first bad lines); with " +
      "skip_errors each batch is its own transaction, and an import stopped in the middle " +
      "keeps its written batches (importing the file again finishes it). A dry run of a " +
      "large file answers 200 with whole-file counts, the first row plans and `batches`.\n\n" +
      "Errors: 413 `payload_too_large` above MAX_UPLOAD_BYTES, 422 `invalid_csv` " +
      "(empty, not UTF-8, no or unknown header columns), 422 " +
      "`import_has_errors` (details.errors lists the bad lines; nothing was written), 409 " +
      "`import_conflict`. See docs/ipam.md for the columns.",
    security,
    request: { query: ImportQuery, body: csvBody },
    responses: {
      200: jsonResponse(ImportReportSchema, "The import report (or the dry run's plan)"),
      202: jsonResponse(
        ImportTaskAcceptedSchema,
        "A file above the preview cap: queued as a task that imports it in batches",
      ),
      ...errorResponses,
    },
  });
}

async function handle(c: AppContext, kind: ImportKind) {
  const query = ImportQuery.parse(c.req.query());
  const text = await readCsvUpload(c.req);
  const deps = c.get("deps");
  const opts = {
    skipErrors: isTrue(query.skip_errors),
    allowOrphan: isTrue(query.allow_orphan),
    onExisting: query.on_existing,
    ...await subnetWriteOptions(deps),
  };
  const user = c.get("user")?.username ?? null;
  if (isTrue(query.dry_run)) return c.json(await previewCsv(deps.db, kind, text, opts), 200);
  if (exceedsPreview(kind, text)) {
    const started = await submitImportTask(
      { db: deps.db, tasks: deps.services.tasks },
      kind,
      text,
      opts,
      { username: user, clientIp: c.get("clientIp"), via: "api" },
    );
    return c.json({ ...started, task_url: `/api/v1/tasks/${started.task_id}` }, 202);
  }
  const report = await importCsv(deps.db, kind, text, opts);
  await audit(deps.db, {
    username: user,
    action: "ipam.import",
    target: kind,
    detail: { via: "api", summary: report.summary },
    clientIp: c.get("clientIp"),
  });
  return c.json(report, 200);
}

// The body is read by hand (raw CSV or multipart), so the routes skip body validation.
api.openapi(route("hosts"), (c) => handle(c as unknown as AppContext, "hosts"));
api.openapi(route("subnets"), (c) => handle(c as unknown as AppContext, "subnets"));

export default api;
