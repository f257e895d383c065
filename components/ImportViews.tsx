// The CSV import screens: upload form, dry-run preview with a confirm button, and the final report.
import { uiWords } from "../shared/ui_words.ts";
import { Csrf } from "@/components/CsrfField.tsx";
import {
  batchesSentence,
  CSV_COLUMNS_DOC,
  DEFAULT_MAX_ROWS,
  type ImportReport,
  type KeptUpload,
  UPLOAD_TTL_MS,
} from "@/services/ipam/mod.ts";

export interface ImportChoices {
  kind: "hosts" | "subnets";
  allow_orphan: boolean;
  on_existing: "update" | "skip";
}

/** Rows shown in the preview table; the counts above it always cover the whole file. */
const PREVIEW_ROWS = 1000;

export function UploadForm(p: { csrf: string; choices?: ImportChoices; error?: string }) {
  const ch = p.choices ?? { kind: "hosts", allow_orphan: false, on_existing: "update" };
  return (
    <section class="card flex flex-col gap-3" aria-labelledby="upload-title">
      <h2 id="upload-title" class="text-lg font-bold">Upload a CSV file</h2>
      {p.error && <p role="alert" class="alert" data-testid="import-error">{p.error}</p>}
      <form
        method="post"
        action="/import/preview"
        enctype="multipart/form-data"
        class="flex flex-col gap-3"
      >
        <Csrf token={p.csrf} />
        <fieldset class="flex flex-wrap gap-4">
          <legend class="font-semibold mb-1">What does the file hold?</legend>
          <label class="flex items-center gap-2">
            <input type="radio" name="kind" value="hosts" checked={ch.kind === "hosts"} />{" "}
            Hosts (Pingfold or phpIPAM address export)
          </label>
          <label class="flex items-center gap-2">
            <input type="radio" name="kind" value="subnets" checked={ch.kind === "subnets"} />{" "}
            Subnets
          </label>
        </fieldset>
        <label class="flex flex-col gap-1" for="import-file">
          <span class="font-semibold">CSV file (UTF-8)</span>
          <input id="import-file" type="file" name="file" accept=".csv,text/csv" required />
        </label>
        <label class="flex items-center gap-2">
          <input type="checkbox" name="allow_orphan" value="1" checked={ch.allow_orphan} />
          Hosts outside every subnet are allowed (otherwise they are reported as errors)
        </label>
        <label class="flex flex-wrap items-center gap-2">
          Rows whose address or CIDR already exists:
          <select name="on_existing" class="input max-w-full">
            <option value="update" selected={ch.on_existing === "update"}>
              update them with the non-empty cells
            </option>
            <option value="skip" selected={ch.on_existing === "skip"}>
              leave them as they are
            </option>
          </select>
        </label>
        <div>
          <button type="submit" class="btn">Preview import</button>
        </div>
      </form>
      <p class="text-sm muted">
        Nothing is written until you confirm the preview. Examples:{" "}
        <a class="link" href="/static/samples/hosts.csv" download>hosts.csv</a>,{" "}
        <a class="link" href="/static/samples/subnets.csv" download>subnets.csv</a>,{" "}
        <a class="link" href="/static/samples/phpipam_addresses.csv" download>
          phpipam_addresses.csv
        </a>,{" "}
        <a class="link" href="/static/samples/phpipam_subnets.csv" download>
          phpipam_subnets.csv
        </a>.
      </p>
      <details>
        <summary class="cursor-pointer font-semibold">Columns</summary>
        <pre class="mono text-sm whitespace-pre-wrap mt-2">{CSV_COLUMNS_DOC}</pre>
      </details>
    </section>
  );
}

/** A batched file's preview: how it will be imported, instead of refusing it. */
export function BatchNotice(p: { report: ImportReport }) {
  const sentence = batchesSentence(p.report);
  if (!sentence) return null;
  const b = p.report.batches!;
  return (
    <p class="notice" data-testid="import-batches">
      {sentence}. The file has more rows than one preview holds ({DEFAULT_MAX_ROWS.toLocaleString(
        "en-US",
      )}), so the lists below show the first {b.list_limit.toLocaleString("en-US")} entries of each.
      {" "}
      {p.report.summary.error > 0
        ? "Rows with errors are skipped; each batch is written in its own transaction."
        : "Each batch is written in its own transaction."}
    </p>
  );
}

export function ReportSummary(p: { report: ImportReport }) {
  const s = p.report.summary;
  const item = (label: string, n: number, testId: string) => (
    <div class="flex flex-col">
      <dt class="text-sm muted">{label}</dt>
      <dd class="text-xl font-semibold tabular-nums" data-testid={testId}>
        {n.toLocaleString("en-US")}
      </dd>
    </div>
  );
  return (
    <dl class="flex flex-wrap gap-6">
      {item(p.report.dry_run ? "To create" : "Created", s.create, "count-create")}
      {item(p.report.dry_run ? "To update" : "Updated", s.update, "count-update")}
      {item("Unchanged / skipped", s.skip, "count-skip")}
      {item("Errors", s.error, "count-error")}
      {s.folder > 0 && item("phpIPAM folders skipped", s.folder, "count-folder")}
      {s.warning > 0 && item("Warnings", s.warning, "count-warning")}
    </dl>
  );
}

function LineTable(
  p: { title: string; testId: string; what: string; rows: { line: number; text: string }[] },
) {
  if (p.rows.length === 0) return null;
  return (
    <div>
      <h3 class="font-bold mb-1">{p.title}</h3>
      <div class="table-scroll" tabIndex={0} role="region" aria-label={p.title}>
        <table class="table" data-testid={p.testId}>
          <thead>
            <tr>
              <th scope="col">Line</th>
              <th scope="col">{p.what}</th>
            </tr>
          </thead>
          <tbody>
            {p.rows.map((r) => (
              <tr>
                <td class="tabular-nums">{r.line}</td>
                <td>{r.text}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/**
 * The report's per-line lists: errors, rows imported with a warning (a free-text hostname
 * moved...), and phpIPAM folders skipped because they are not subnets (listed, not errors).
 */
export function LineTables(p: { report: ImportReport }) {
  const r = p.report;
  return (
    <>
      <LineTable
        title="Rows with errors"
        testId="import-errors"
        what="Problem"
        rows={r.errors.map((e) => ({ line: e.line, text: uiWords(e.message) }))}
      />
      <LineTable
        title="Rows imported with a warning"
        testId="import-warnings"
        what="Warning"
        rows={r.warnings.map((w) => ({ line: w.line, text: uiWords(w.message) }))}
      />
      <LineTable
        title="Skipped phpIPAM folders (not subnets)"
        testId="import-folders"
        what="Folder"
        rows={r.skipped_folders.map((f) => ({ line: f.line, text: f.name }))}
      />
    </>
  );
}

export function RowTable(p: { report: ImportReport }) {
  const rows = p.report.rows.slice(0, PREVIEW_ROWS);
  if (rows.length === 0) return null;
  return (
    <div>
      <h3 class="font-bold mb-1">Rows</h3>
      <div class="table-scroll" tabIndex={0} role="region" aria-label="Rows">
        <table class="table" data-testid="import-rows">
          <thead>
            <tr>
              <th scope="col">Line</th>
              <th scope="col">Action</th>
              <th scope="col">{p.report.kind === "hosts" ? "Address" : "Subnet"}</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr data-action={r.action}>
                <td class="tabular-nums">{r.line}</td>
                <td>{r.action}</td>
                <td class="mono">{r.key}</td>
                <td class="muted">
                  {r.diff?.length
                    ? (
                      <ul data-testid="row-diff">
                        {r.diff.map((d) => (
                          <li>
                            <span class="font-semibold">{d.field}</span>:{" "}
                            <del class="wrap-anywhere">{d.from || "(empty)"}</del> →{" "}
                            <ins class="wrap-anywhere">{d.to || "(empty)"}</ins>
                          </li>
                        ))}
                      </ul>
                    )
                    : r.changes
                    ? `changes ${r.changes.join(", ")}`
                    : r.reason ?? ""}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {p.report.rows.length > rows.length && (
        <p class="muted text-sm mt-1">
          {p.report.rows.length - rows.length} more rows not shown.
        </p>
      )}
      {p.report.batches && p.report.batches.rows > rows.length && (
        <p class="muted text-sm mt-1" data-testid="rows-shown">
          The first {rows.length.toLocaleString("en-US")} of{" "}
          {p.report.batches.rows.toLocaleString("en-US")}{" "}
          rows are shown; the counts above cover the whole file.
        </p>
      )}
    </div>
  );
}

export function ConfirmForm(
  p: { csrf: string; upload: KeptUpload | null; choices: ImportChoices; report: ImportReport },
) {
  const s = p.report.summary;
  const writes = s.create + s.update;
  const hidden = (name: string, value: string) => <input type="hidden" name={name} value={value} />;
  return (
    // The file stays on the server: the form names it by id, so the page stays small.
    <form method="post" action="/import/apply" class="flex flex-wrap items-center gap-3">
      <Csrf token={p.csrf} />
      {hidden("kind", p.choices.kind)}
      {hidden("on_existing", p.choices.on_existing)}
      {p.choices.allow_orphan && hidden("allow_orphan", "1")}
      {s.error > 0 && hidden("skip_errors", "1")}
      {p.upload && hidden("upload_id", p.upload.id)}
      {writes === 0 || !p.upload
        ? <p class="muted">Nothing to import.</p>
        : (
          <button type="submit" class="btn" data-testid="confirm-import">
            {`Import ${writes.toLocaleString("en-US")} row(s)`}
            {p.report.batches ? " in batches" : ""}
            {s.error > 0 ? `, skipping ${s.error.toLocaleString("en-US")} with errors` : ""}
          </button>
        )}
      <a class="btn btn-quiet" href="/import">Choose another file</a>
      {p.upload && writes > 0 && (
        <p class="text-sm muted basis-full" data-testid="upload-kept">
          The file is kept on the server for {UPLOAD_TTL_MS / 60_000}{" "}
          minutes, until you confirm; after that, upload it again.
        </p>
      )}
    </form>
  );
}
