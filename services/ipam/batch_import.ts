// Imports a CSV larger than one preview: streamed in batches, checked whole first, then written
// one transaction per batch, with progress; the dry run counts the whole file and keeps a page.
import { AppError } from "@/services/errors.ts";
import type { Db } from "@/services/store/mod.ts";
import {
  type CsvBatches,
  type CsvParseResult,
  DEFAULT_MAX_ROWS,
  exceedsPreview,
  streamHostsCsv,
  streamSubnetsCsv,
} from "./csv_import.ts";
import {
  importCsv,
  type ImportKind,
  type ImportOptions,
  type ImportReport,
  planBatch,
  refuseIfErrors,
  wrapConflict,
} from "./import_service.ts";
import type { HostInput, SubnetInput } from "./input_schemas.ts";
import { lockIpamTree } from "./sql_helpers.ts";

/** Rows per batch: each batch is one read of what is stored and, when writing, one transaction. */
export const IMPORT_BATCH_ROWS = 5_000;
/** How many errors, warnings, folders (and dry-run row plans) a batched report lists. */
export const REPORT_LIST_LIMIT = 1_000;
/** The part of the progress bar the checking pass takes when the file is then written. */
const CHECK_SHARE = 0.2;
/**
 * A pause after each batch, a tenth of the batch's time (10-100 ms): PGlite runs one query at a
 * time, so without it the next batch would take the database back before a page or a progress
 * poll waiting between batches gets its few queries through.
 */
function breathe(sinceMs: number): Promise<void> {
  const ms = Math.min(100, Math.max(10, (performance.now() - sinceMs) / 10));
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface ImportProgress {
  phase: "check" | "write";
  /** Data rows done in this phase. */
  rows: number;
  /** Data rows in the file; null while the first pass has not counted them yet. */
  total: number | null;
  /** 0..1 over the whole task. */
  fraction: number;
  /** What a person reads: "imported 40,000 of 200,000 rows". */
  note: string;
}

export interface BatchImportOptions extends ImportOptions {
  batchSize?: number;
  onProgress?: (p: ImportProgress) => Promise<void> | void;
  /** Checked between batches: an abort stops before the next batch is written. */
  signal?: AbortSignal;
}

const count = (n: number) => n.toLocaleString("en-US");

/** Sums batch reports into one: whole-file counts, the first `limit` entries of each list. */
class ReportTotals {
  readonly report: ImportReport;
  rows = 0;
  batches = 0;

  constructor(
    kind: ImportKind,
    source: CsvBatches<unknown>,
    dryRun: boolean,
    private limit: number,
    batchSize: number,
  ) {
    this.report = {
      kind,
      dry_run: dryRun,
      format: source.format,
      ignored_columns: source.ignored_columns,
      summary: { create: 0, update: 0, skip: 0, error: 0, folder: 0, warning: 0 },
      rows: [],
      errors: [],
      warnings: [],
      skipped_folders: [],
      batches: { rows: 0, batch_size: batchSize, count: 0, list_limit: limit },
    };
  }

  add(batch: ImportReport, records: number, keepRows: boolean): void {
    const r = this.report;
    for (const k of Object.keys(r.summary) as (keyof ImportReport["summary"])[]) {
      r.summary[k] += batch.summary[k];
    }
    const take = <T>(into: T[], from: T[]) => {
      for (const item of from) {
        if (into.length >= this.limit) return;
        into.push(item);
      }
    };
    if (keepRows) take(r.rows, batch.rows);
    take(r.errors, batch.errors);
    take(r.warnings, batch.warnings);
    take(r.skipped_folders, batch.skipped_folders);
    this.rows += records;
    this.batches++;
    r.batches = { ...r.batches!, rows: this.rows, count: this.batches };
  }
}

function openBatches(
  kind: ImportKind,
  text: string,
  filled: Map<number, Set<string>>,
): CsvBatches<HostInput> | CsvBatches<SubnetInput> {
  const onFilled = (line: number, cells: string[]) => filled.set(line, new Set(cells));
  return kind === "hosts" ? streamHostsCsv(text) : streamSubnetsCsv(text, { onFilled });
}

type Batch = CsvParseResult<HostInput | SubnetInput> & { records: number; read: number };

function batchesOf(source: CsvBatches<HostInput> | CsvBatches<SubnetInput>, size: number) {
  return (source as CsvBatches<HostInput | SubnetInput>).batches(size) as AsyncGenerator<Batch>;
}

/**
 * Imports a CSV of any length (the route sends files above the preview cap here).
 *
 * Semantics, chosen so a large file behaves like a small one where it can:
 * - A dry run reads the whole file and plans every batch against what is stored: the summary
 *   counts the whole file; the lists keep their first REPORT_LIST_LIMIT entries.
 * - Without skipErrors the whole file is checked first and nothing is written if any row has
 *   an error (422 `import_has_errors`, the first errors with their lines, the total count).
 * - With skipErrors (or a clean file) the rows are then written in batches, one transaction
 *   each, so other requests (and the progress readers) are not held up for the whole file. A
 *   failure or a cancel in the middle keeps the batches already written; importing the same
 *   file again finishes it, the rows already imported being skipped as unchanged.
 * @throws AppError 422 invalid_csv / import_has_errors, 409 import_conflict / cancelled
 */
export async function importLargeCsv(
  db: Db,
  kind: ImportKind,
  text: string,
  opts: BatchImportOptions = {},
): Promise<ImportReport> {
  const size = opts.batchSize ?? IMPORT_BATCH_ROWS;
  const filled = new Map<number, Set<string>>();
  const source = openBatches(kind, text, filled);
  const progress = async (p: ImportProgress) => await opts.onProgress?.(p);
  const stopIfCancelled = (done: number, total: number | null) => {
    if (!opts.signal?.aborted) return;
    throw new AppError(
      409,
      "cancelled",
      total === null
        ? "cancelled while checking the file; nothing was imported"
        : `cancelled after ${count(done)} of ${count(total)} rows were imported`,
    );
  };

  // Pass 1: check and plan every batch without writing.
  const checked = new ReportTotals(kind, source, true, REPORT_LIST_LIMIT, size);
  const share = opts.dryRun ? 1 : CHECK_SHARE;
  let since = performance.now();
  for await (const batch of batchesOf(source, size)) {
    stopIfCancelled(0, null);
    const planned = await planBatch(db, kind, batch, filled, { ...opts, dryRun: true });
    filled.clear();
    checked.add(planned.report, batch.records, !!opts.dryRun);
    await progress({
      phase: "check",
      rows: checked.rows,
      total: null,
      fraction: share * (batch.read / Math.max(1, source.length)),
      note: `checked ${count(checked.rows)} rows`,
    });
    await breathe(since);
    since = performance.now();
  }
  if (opts.dryRun) return checked.report;
  refuseIfErrors({ ...checked.report, dry_run: false }, opts);

  // Pass 2: write batch by batch, each planned again inside its own transaction.
  const total = checked.rows;
  const written = new ReportTotals(kind, source, false, REPORT_LIST_LIMIT, size);
  const note = (done: number) => `imported ${count(done)} of ${count(total)} rows`;
  await progress({ phase: "write", rows: 0, total, fraction: CHECK_SHARE, note: note(0) });
  since = performance.now();
  for await (const batch of batchesOf(source, size)) {
    stopIfCancelled(written.rows, total);
    let report: ImportReport;
    try {
      report = await db.tx(async (tx) => {
        await lockIpamTree(tx);
        const planned = await planBatch(tx, kind, batch, filled, opts);
        await planned.apply(tx);
        return planned.report;
      });
    } catch (err) {
      throw partly(err, written.rows, total);
    }
    filled.clear();
    written.add(report, batch.records, false);
    await progress({
      phase: "write",
      rows: written.rows,
      total,
      fraction: CHECK_SHARE + (1 - CHECK_SHARE) * (written.rows / Math.max(1, total)),
      note: note(written.rows),
    });
    await breathe(since);
    since = performance.now();
  }
  return written.report;
}

/** A failure in the middle of writing says how far the import got and how to finish it. */
function partly(err: unknown, done: number, total: number): unknown {
  let e = err;
  try {
    wrapConflict(err);
  } catch (wrapped) {
    e = wrapped;
  }
  if (!(e instanceof AppError) || done === 0) return e;
  return new AppError(
    e.status,
    e.code,
    `${e.message} (${count(done)} of ${count(total)} rows had been imported in earlier ` +
      "batches; importing the same file again skips them as unchanged)",
    e.details,
  );
}

/**
 * The dry run of any file: the whole-file plan when it fits one preview (`maxRows`, default
 * 10,000 rows), otherwise the batched plan (whole-file counts, the first entries listed).
 */
export async function previewCsv(
  db: Db,
  kind: ImportKind,
  text: string,
  opts: BatchImportOptions = {},
): Promise<ImportReport> {
  const dry = { ...opts, dryRun: true };
  if (exceedsPreview(kind, text, opts.maxRows ?? DEFAULT_MAX_ROWS)) {
    return await importLargeCsv(db, kind, text, dry);
  }
  return await importCsv(db, kind, text, dry);
}

/** The preview sentence for a batched file. */
export function batchesSentence(report: ImportReport): string | null {
  const b = report.batches;
  if (!b) return null;
  const writes = report.summary.create + report.summary.update;
  return `${count(writes)} of ${count(b.rows)} rows will be imported in batches of ` +
    `${count(b.batch_size)} by a background task, its progress shown on the Import page`;
}
