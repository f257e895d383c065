// /api/v1/import: CSV import of hosts and subnets, with a dry-run preview; the real run is all-or-nothing.
import { scanEnableCheck } from "@/services/sweeps/mod.ts";
import { createRoute, z } from "@hono/zod-openapi";
import { importCsv, type ImportKind, readCsvUpload } from "@/services/ipam/mod.ts";
import { boolQuery, ImportReportSchema, isTrue } from "@/web/ipam_schemas.ts";
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
    description: "Errors: 413 `payload_too_large` above MAX_UPLOAD_BYTES, 422 `invalid_csv` " +
      "(empty, not UTF-8, no or unknown header columns), 422 `too_many_rows`, 422 " +
      "`import_has_errors` (details.errors lists every bad line; nothing was written), 409 " +
      "`import_conflict`. See docs/ipam.md for the columns.",
    security,
    request: { query: ImportQuery, body: csvBody },
    responses: { 200: jsonResponse(ImportReportSchema, "The import report"), ...errorResponses },
  });
}

async function handle(c: AppContext, kind: ImportKind) {
  const query = ImportQuery.parse(c.req.query());
  const text = await readCsvUpload(c.req);
  const report = await importCsv(c.get("deps").db, kind, text, {
    dryRun: isTrue(query.dry_run),
    skipErrors: isTrue(query.skip_errors),
    allowOrphan: isTrue(query.allow_orphan),
    onExisting: query.on_existing,
    checkScan: await scanEnableCheck(c.get("deps")),
  });
  return c.json(report, 200);
}

// The body is read by hand (raw CSV or multipart), so the routes skip body validation.
api.openapi(route("hosts"), (c) => handle(c as unknown as AppContext, "hosts"));
api.openapi(route("subnets"), (c) => handle(c as unknown as AppContext, "subnets"));

export default api;
