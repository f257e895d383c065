// CLI: `deno task import hosts|subnets FILE` — the same CSV import as the API, with a dry-run preview.
import { assertInScope, readScanScope } from "@/services/sweeps/mod.ts";
import { parseArgs } from "node:util";
import { loadConfig } from "@/services/config/config.ts";
import { type Db, migrate, openDb } from "@/services/store/mod.ts";
import { audit } from "@/services/auth/mod.ts";
import { AppError } from "@/services/errors.ts";
import {
  decodeUtf8,
  exceedsPreview,
  importCsv,
  type ImportOptions,
  type ImportReport,
  previewCsv,
  runAudited,
} from "@/services/ipam/mod.ts";

const USAGE = `usage: deno task import <hosts|subnets> <file.csv | -> [options]

  --dry-run              show what would be created, updated, skipped and which lines fail
  --skip-errors          import the valid rows even if some rows have errors
  --allow-orphan         hosts: accept addresses outside every subnet
  --on-existing=skip     leave rows whose ip/cidr exists alone (default: update non-empty cells)
  --json                 print the report as JSON

Columns: see docs/ipam.md (Pingfold's own, or a phpIPAM address/subnet export). The import is
all-or-nothing: with any bad row nothing is written unless --skip-errors is given. A file of
more than 10,000 rows is checked whole, then written in batches of 5,000 (one transaction
each) with progress on standard error; the report lists the first 1,000 errors.
Exit status: 0 done (or a clean dry run), 1 errors.`;

export class UsageError extends Error {}

export interface ImportCliIo {
  db: Db;
  /** Reads the file ("-" = standard input) as bytes. */
  read(path: string): Promise<Uint8Array>;
  maxBytes: number;
  print(line: string): void;
  /** Refuses scanning outside the scan scope (as the API does); absent in unit tests. */
  checkScan?: (cidr: string) => void;
  /** SCAN_SWEEP_INTERVAL_MINUTES × 60: the interval of a new subnet whose row gives none. */
  defaultIntervalS?: number;
  /** Where a batched import's progress lines go (standard error); none when absent. */
  progress?(line: string): void;
}

function reportLines(r: ImportReport): string[] {
  const s = r.summary;
  const verb = r.dry_run ? "would" : "did";
  const lines = [
    `${r.kind} (${r.format} columns${r.dry_run ? ", dry run" : ""}): ${verb} create ${s.create}, ` +
    `update ${s.update}, skip ${s.skip}; ${s.error} row(s) with errors`,
  ];
  if (r.batches) {
    lines.push(
      `${r.batches.rows} rows in ${r.batches.count} batches of ${r.batches.batch_size}` +
        (s.error > r.errors.length ? `; the first ${r.errors.length} errors follow` : ""),
    );
  }
  if (r.ignored_columns.length) lines.push(`ignored columns: ${r.ignored_columns.join(", ")}`);
  for (const e of r.errors) lines.push(`line ${e.line}: ${e.message}`);
  for (const w of r.warnings) lines.push(`line ${w.line}: warning: ${w.message}`);
  for (const f of r.skipped_folders) {
    lines.push(`line ${f.line}: skipped phpIPAM folder ${JSON.stringify(f.name)}`);
  }
  return lines;
}

/** Runs the command; returns the exit status. */
export async function runImport(args: string[], io: ImportCliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      "dry-run": { type: "boolean" },
      "skip-errors": { type: "boolean" },
      "allow-orphan": { type: "boolean" },
      "on-existing": { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    io.print(USAGE);
    return 0;
  }
  const [kind, file] = positionals;
  if (kind !== "hosts" && kind !== "subnets") {
    throw new UsageError(
      `first argument must be hosts or subnets, got ${JSON.stringify(kind ?? "")}`,
    );
  }
  if (!file) throw new UsageError("give the CSV file to import, or - for standard input");
  const onExisting = values["on-existing"];
  if (onExisting !== undefined && onExisting !== "update" && onExisting !== "skip") {
    throw new UsageError(`--on-existing must be update or skip, got ${JSON.stringify(onExisting)}`);
  }
  const bytes = await io.read(file);
  if (bytes.length > io.maxBytes) {
    throw new AppError(
      413,
      "payload_too_large",
      `${file} is larger than ${io.maxBytes} bytes (MAX_UPLOAD_BYTES)`,
    );
  }
  let report: ImportReport;
  const text = decodeUtf8(bytes);
  const opts: ImportOptions = {
    dryRun: values["dry-run"],
    skipErrors: values["skip-errors"],
    allowOrphan: values["allow-orphan"],
    onExisting: onExisting as ImportOptions["onExisting"],
    checkScan: io.checkScan,
    defaultIntervalS: io.defaultIntervalS,
  };
  const batched = exceedsPreview(kind, text);
  try {
    if (!batched) report = await importCsv(io.db, kind, text, opts);
    else if (opts.dryRun) report = await previewCsv(io.db, kind, text, opts);
    else {
      // The batched import writes its own audit entry (also when it stops half way).
      report = await runAudited(io.db, kind, text, {
        ...opts,
        onProgress: (p) => io.progress?.(p.note),
      }, { username: null, via: "cli" });
    }
  } catch (e) {
    const details = e instanceof AppError ? e.details as { errors?: ImportReport["errors"] } : null;
    if (e instanceof AppError && details?.errors) {
      if (values.json) {
        io.print(JSON.stringify({ error: e.message, errors: details.errors }, null, 2));
      } else {
        io.print(`nothing imported: ${e.message}`);
        for (const err of details.errors) io.print(`line ${err.line}: ${err.message}`);
      }
      return 1;
    }
    throw e;
  }
  if (!report.dry_run && !batched) {
    await audit(io.db, {
      username: null,
      action: "ipam.import",
      target: kind,
      detail: { via: "cli", file: file === "-" ? "stdin" : file, summary: report.summary },
    });
  }
  if (values.json) io.print(JSON.stringify(report, null, 2));
  else for (const line of reportLines(report)) io.print(line);
  return report.errors.length > 0 && report.dry_run ? 1 : 0;
}

async function readAll(path: string): Promise<Uint8Array> {
  if (path !== "-") return await Deno.readFile(path);
  return new Uint8Array(await new Response(Deno.stdin.readable).arrayBuffer());
}

if (import.meta.main) {
  try {
    const cfg = loadConfig();
    const db = await openDb(cfg);
    let status = 1;
    try {
      await migrate(db);
      const scope = await readScanScope(db, cfg.SCAN_SCOPE);
      status = await runImport(Deno.args, {
        db,
        checkScan: (cidr) => assertInScope(cidr, scope, "subnet"),
        defaultIntervalS: cfg.SCAN_SWEEP_INTERVAL_MINUTES * 60,
        read: readAll,
        maxBytes: cfg.MAX_UPLOAD_BYTES,
        print: (line) => console.log(line),
        progress: (line) => console.error(line),
      });
    } finally {
      await db.close();
    }
    Deno.exit(status);
  } catch (e) {
    console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
    if (e instanceof UsageError) console.error("run with --help for usage");
    Deno.exit(1);
  }
}
