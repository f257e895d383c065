// CSV import: plans create/update/skip per row (the dry-run preview) and applies it in one transaction.
import { AppError } from "@/services/errors.ts";
import type { Db, Queryable } from "@/services/store/mod.ts";
import { parseCidr, tryParseIp } from "./cidr.ts";
import {
  type CsvFolder,
  type CsvFormat,
  type CsvParseResult,
  type CsvRowError,
  parseHostsCsv,
  parseSubnetsCsv,
} from "./csv_import.ts";
import { type HostInput, LIMITS, type SubnetInput } from "./input_schemas.ts";
import { HOST_FIELDS, SUBNET_FIELDS } from "./record_fields.ts";
import { isUniqueViolation, joinTagsParam, lockIpamTree } from "./sql_helpers.ts";
import { rederiveTree } from "./subnet_repo.ts";

export type ImportKind = "hosts" | "subnets";
export type ImportAction = "create" | "update" | "skip";

export interface ImportOptions {
  /** Only report what would happen; nothing is written. */
  dryRun?: boolean;
  /** Import the good rows even when some rows have errors (they are reported and skipped). */
  skipErrors?: boolean;
  /** Hosts: accept addresses outside every subnet. */
  allowOrphan?: boolean;
  /** What a row matching an existing ip/cidr does: merge its non-empty cells (default) or nothing. */
  onExisting?: "update" | "skip";
  maxRows?: number;
  /** Subnets: throws (an AppError) when scanning may not be turned on for a CIDR (scan scope). */
  checkScan?: (cidr: string) => void;
  /** Sweep interval of a new subnet whose row leaves it empty (SCAN_SWEEP_INTERVAL_MINUTES). */
  defaultIntervalS?: number;
}

export interface ImportRowPlan {
  line: number;
  action: ImportAction;
  /** The row's ip or cidr (canonical). */
  key: string;
  /** Fields an update changes. */
  changes?: string[];
  /** Each changed field's stored and imported value, as text ("" = empty), for the preview. */
  diff?: Array<{ field: string; from: string; to: string }>;
  /** Why a row is skipped. */
  reason?: string;
}

export interface ImportReport {
  kind: ImportKind;
  dry_run: boolean;
  format: CsvFormat;
  ignored_columns: string[];
  summary: {
    create: number;
    update: number;
    skip: number;
    error: number;
    /** phpIPAM folder rows skipped (they are not subnets). */
    folder: number;
    warning: number;
  };
  rows: ImportRowPlan[];
  errors: CsvRowError[];
  /** Rows imported with a change the file did not ask for, e.g. a free-text hostname moved. */
  warnings: CsvRowError[];
  /** phpIPAM folders in a subnets file: skipped, not errors. */
  skipped_folders: CsvFolder[];
  /**
   * Set when the file has more rows than one preview holds: it is (or was) imported in
   * batches by a background task. `summary` then counts the whole file while `errors`,
   * `warnings` and `skipped_folders` hold the first `list_limit` of each and `rows` the first
   * `list_limit` plans of a dry run (none after the import).
   */
  batches?: ImportBatches;
}

export interface ImportBatches {
  /** Data rows in the file (every line after the header that is not empty). */
  rows: number;
  batch_size: number;
  /** How many batches that makes. */
  count: number;
  list_limit: number;
}

type HostFields = Omit<HostInput, "ip">;
type SubnetFields = Omit<SubnetInput, "cidr">;

const sameValue = (a: unknown, b: unknown) =>
  JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * Merge rule for updates: an empty cell keeps what is stored (so a file with only ip and
 * hostname renames without wiping notes); a non-empty cell, or a non-empty tag list, replaces.
 * `filled` (when known) names the cells that were non-empty: a value there equal to a schema
 * default (scan_enabled false) is meant, while the same default from a blank cell is not.
 */
/** A stored or imported value as the preview shows it: tags joined, empty as "". */
function shown(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (Array.isArray(v)) return v.join("; ");
  return String(v);
}

function mergeFields<T extends Record<string, unknown>>(
  fields: readonly (keyof T & string)[],
  stored: T,
  row: T,
  filled?: ReadonlySet<string>,
): { merged: T; changes: string[]; diff: NonNullable<ImportRowPlan["diff"]> } {
  const merged = { ...stored };
  const changes: string[] = [];
  const diff: NonNullable<ImportRowPlan["diff"]> = [];
  for (const f of fields) {
    const v = row[f];
    if (filled && !filled.has(f)) continue;
    if (v === null || v === undefined || (Array.isArray(v) && v.length === 0)) continue;
    if (!sameValue(stored[f], v)) {
      merged[f] = v;
      changes.push(f);
      diff.push({ field: f, from: shown(stored[f]), to: shown(v) });
    }
  }
  return { merged, changes, diff };
}

/**
 * Plans a row whose key (ip or cidr) is already stored: skipped when `onExisting` is "skip" or
 * nothing would change, otherwise an update carrying the merged fields.
 */
function planExisting<T extends Record<string, unknown>>(
  line: number,
  key: string,
  opts: ImportOptions,
  merge: () => { merged: T; changes: string[]; diff?: ImportRowPlan["diff"] },
): { plan: ImportRowPlan; merged?: T } {
  if (opts.onExisting === "skip") {
    return { plan: { line, action: "skip", key, reason: "already exists" } };
  }
  const { merged, changes, diff } = merge();
  if (changes.length === 0) return { plan: { line, action: "skip", key, reason: "no changes" } };
  return { plan: { line, action: "update", key, changes, diff }, merged };
}

function summarize(
  rows: ImportRowPlan[],
  errors: CsvRowError[],
  warnings: CsvRowError[],
  folders: CsvFolder[],
): ImportReport["summary"] {
  const summary = {
    create: 0,
    update: 0,
    skip: 0,
    error: errors.length,
    folder: folders.length,
    warning: warnings.length,
  };
  for (const r of rows) summary[r.action]++;
  return summary;
}

function makeReport(
  kind: ImportKind,
  parsed: CsvParseResult<unknown>,
  opts: ImportOptions,
  rows: ImportRowPlan[],
  errors: CsvRowError[],
): ImportReport {
  // A warned row that then failed (an orphan host...) is reported as the error alone.
  const planned = new Set(rows.map((r) => r.line));
  const warnings = parsed.warnings.filter((w) => planned.has(w.line));
  return {
    kind,
    dry_run: !!opts.dryRun,
    format: parsed.format,
    ignored_columns: parsed.ignored_columns,
    summary: summarize(rows, errors, warnings, parsed.folders),
    rows,
    errors,
    warnings,
    skipped_folders: parsed.folders,
  };
}

export function refuseIfErrors(report: ImportReport, opts: ImportOptions): void {
  if (opts.dryRun || opts.skipErrors || report.summary.error === 0) return;
  const first = report.errors[0];
  throw new AppError(
    422,
    "import_has_errors",
    `${report.summary.error} row(s) have errors (first: line ${first.line}: ${first.message}); ` +
      `nothing was imported. Fix them, or pass skip_errors=true to import the other rows`,
    { errors: report.errors, summary: report.summary },
  );
}

export function wrapConflict(err: unknown): never {
  if (isUniqueViolation(err)) {
    throw new AppError(
      409,
      "import_conflict",
      "another change created some of these rows while importing; nothing was imported, retry",
    );
  }
  throw err;
}

// ---------------------------------------------------------------------------------------------
// Hosts

interface StoredHost extends HostFields {
  id: number;
  ip: string;
}

async function storedHosts(q: Queryable, ips: string[]): Promise<Map<string, StoredHost>> {
  const rows = await q.query<StoredHost>(
    `select id, host(ip) as ip, hostname, description, tags, notes, mac
     from host where ip = any($1::inet[])`,
    [ips],
  );
  return new Map(rows.map((r) => [tryParseIp(r.ip)?.ip ?? r.ip, r]));
}

async function containingSubnets(q: Queryable, ips: string[]): Promise<Map<string, number>> {
  const rows = await q.query<{ ip: string; subnet_id: number | null }>(
    `select host(u.ip) as ip,
       subnet_of(u.ip) as subnet_id
     from unnest($1::inet[]) as u(ip)`,
    [ips],
  );
  const out = new Map<string, number>();
  for (const r of rows) {
    if (r.subnet_id !== null) out.set(tryParseIp(r.ip)?.ip ?? r.ip, r.subnet_id);
  }
  return out;
}

interface HostWork {
  report: ImportReport;
  creates: Array<HostInput & { subnet_id: number | null }>;
  updates: Array<HostInput & { id: number }>;
}

async function planHosts(
  q: Queryable,
  parsed: CsvParseResult<HostInput>,
  opts: ImportOptions,
): Promise<HostWork> {
  const ips = parsed.rows.map((r) => r.value.ip);
  const [stored, subnets] = await Promise.all([storedHosts(q, ips), containingSubnets(q, ips)]);
  const rows: ImportRowPlan[] = [];
  const errors = [...parsed.errors];
  const creates: HostWork["creates"] = [];
  const updates: HostWork["updates"] = [];
  for (const { line, value } of parsed.rows) {
    const existing = stored.get(value.ip);
    if (existing) {
      const { plan, merged } = planExisting(
        line,
        value.ip,
        opts,
        () => mergeFields<HostFields>(HOST_FIELDS, existing, value),
      );
      rows.push(plan);
      if (merged) updates.push({ ...merged, ip: value.ip, id: existing.id });
      continue;
    }
    const subnetId = subnets.get(value.ip) ?? null;
    if (subnetId === null && !opts.allowOrphan) {
      errors.push({
        line,
        message: `${value.ip} is not inside any subnet; import or create the subnet first, ` +
          `or allow hosts outside every subnet (the import form's checkbox; allow_orphan=true ` +
          `in the API)`,
      });
      continue;
    }
    rows.push({ line, action: "create", key: value.ip });
    creates.push({ ...value, subnet_id: subnetId });
  }
  errors.sort((a, b) => a.line - b.line);
  return { report: makeReport("hosts", parsed, opts, rows, errors), creates, updates };
}

async function applyHosts(tx: Queryable, work: HostWork): Promise<void> {
  const { creates, updates } = work;
  if (creates.length) {
    await tx.query(
      `insert into host (ip, subnet_id, hostname, description, tags, notes, mac)
       select u.ip, u.subnet_id, u.hostname, u.description, string_to_array(u.tags, ';'),
              u.notes, u.mac
       from unnest($1::inet[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[],
                   $7::text[]) as u(ip, subnet_id, hostname, description, tags, notes, mac)`,
      [
        creates.map((h) => h.ip),
        creates.map((h) => h.subnet_id),
        creates.map((h) => h.hostname),
        creates.map((h) => h.description),
        creates.map((h) => joinTagsParam(h.tags)),
        creates.map((h) => h.notes),
        creates.map((h) => h.mac),
      ],
    );
  }
  if (updates.length) {
    await tx.query(
      `update host h set hostname = u.hostname, description = u.description,
         tags = string_to_array(u.tags, ';'), notes = u.notes, mac = u.mac, updated_at = now()
       from unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
         as u(id, hostname, description, tags, notes, mac)
       where h.id = u.id`,
      [
        updates.map((h) => h.id),
        updates.map((h) => h.hostname),
        updates.map((h) => h.description),
        updates.map((h) => joinTagsParam(h.tags)),
        updates.map((h) => h.notes),
        updates.map((h) => h.mac),
      ],
    );
  }
}

/**
 * Imports a hosts CSV (Pingfold or phpIPAM columns). A dry run returns the plan; a real run
 * refuses the whole file if any row has an error (unless skipErrors) and otherwise writes
 * every row in one transaction.
 * @throws AppError 422 invalid_csv / too_many_rows / import_has_errors, 409 import_conflict
 */
export async function importHostsCsv(
  db: Db,
  text: string,
  opts: ImportOptions = {},
): Promise<ImportReport> {
  const parsed = parseHostsCsv(text, { maxRows: opts.maxRows });
  try {
    return await db.tx(async (tx) => {
      if (!opts.dryRun) await lockIpamTree(tx);
      const work = await planHosts(tx, parsed, opts);
      refuseIfErrors(work.report, opts);
      if (!opts.dryRun) await applyHosts(tx, work);
      return work.report;
    });
  } catch (err) {
    return wrapConflict(err);
  }
}

// ---------------------------------------------------------------------------------------------
// Subnets

interface StoredSubnet extends SubnetFields {
  id: number;
  cidr: string;
}

interface SubnetWork {
  report: ImportReport;
  creates: SubnetInput[];
  updates: Array<SubnetInput & { id: number }>;
}

async function planSubnets(
  q: Queryable,
  parsed: CsvParseResult<SubnetInput>,
  filled: Map<number, Set<string>>,
  opts: ImportOptions,
): Promise<SubnetWork> {
  const cidrs = parsed.rows.map((r) => r.value.cidr);
  const storedRows = await q.query<StoredSubnet>(
    `select id, cidr::text as cidr, name, description, vlan, tags, location, scan_enabled,
       scan_interval_s
     from subnet where cidr = any($1::cidr[])`,
    [cidrs],
  );
  const stored = new Map(storedRows.map((r) => [parseCidr(r.cidr).cidr, r]));
  const rows: ImportRowPlan[] = [];
  const creates: SubnetInput[] = [];
  const updates: SubnetWork["updates"] = [];
  for (const { line, value } of parsed.rows) {
    const existing = stored.get(value.cidr);
    if (!existing) {
      rows.push({ line, action: "create", key: value.cidr });
      creates.push(value);
      continue;
    }
    const { plan, merged } = planExisting(
      line,
      value.cidr,
      opts,
      () =>
        mergeFields<SubnetFields>(SUBNET_FIELDS, existing, value, filled.get(line) ?? new Set()),
    );
    rows.push(plan);
    if (merged) updates.push({ ...merged, cidr: value.cidr, id: existing.id });
  }
  const errors = [...parsed.errors];
  // A row that would leave scanning on outside the scan scope is an error of that row, as the
  // same change through the form or the API is a 422.
  const refused = new Set<string>();
  if (opts.checkScan) {
    const lineOf = new Map(parsed.rows.map((r) => [r.value.cidr, r.line]));
    for (const s of [...creates, ...updates]) {
      if (!s.scan_enabled) continue;
      try {
        opts.checkScan(s.cidr);
      } catch (err) {
        refused.add(s.cidr);
        errors.push({ line: lineOf.get(s.cidr) ?? 0, message: (err as Error).message });
      }
    }
  }
  const keep = <T extends { cidr: string }>(list: T[]) => list.filter((s) => !refused.has(s.cidr));
  return {
    report: makeReport(
      "subnets",
      parsed,
      opts,
      rows.filter((r) => !refused.has(r.key)),
      errors.sort((a, b) => a.line - b.line),
    ),
    creates: keep(creates),
    updates: keep(updates),
  };
}

async function applySubnets(
  tx: Queryable,
  work: SubnetWork,
  defaultIntervalS: number = LIMITS.scanIntervalDefault,
): Promise<void> {
  const { creates, updates } = work;
  if (creates.length) {
    await tx.query(
      `insert into subnet (cidr, name, description, vlan, tags, location, scan_enabled,
         scan_interval_s)
       select u.cidr, u.name, u.description, u.vlan, string_to_array(u.tags, ';'), u.location,
              u.scan_enabled, u.scan_interval_s
       from unnest($1::cidr[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[],
                   $7::bool[], $8::int[])
         as u(cidr, name, description, vlan, tags, location, scan_enabled, scan_interval_s)`,
      [
        creates.map((s) => s.cidr),
        creates.map((s) => s.name),
        creates.map((s) => s.description),
        creates.map((s) => s.vlan),
        creates.map((s) => joinTagsParam(s.tags)),
        creates.map((s) => s.location),
        creates.map((s) => s.scan_enabled),
        creates.map((s) => s.scan_interval_s ?? defaultIntervalS),
      ],
    );
  }
  if (updates.length) {
    await tx.query(
      `update subnet s set name = u.name, description = u.description, vlan = u.vlan,
         tags = string_to_array(u.tags, ';'), location = u.location,
         scan_enabled = u.scan_enabled,
         scan_interval_s = coalesce(u.scan_interval_s, s.scan_interval_s), updated_at = now()
       from unnest($1::bigint[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[],
                   $7::bool[], $8::int[])
         as u(id, name, description, vlan, tags, location, scan_enabled, scan_interval_s)
       where s.id = u.id`,
      [
        updates.map((s) => s.id),
        updates.map((s) => s.name),
        updates.map((s) => s.description),
        updates.map((s) => s.vlan),
        updates.map((s) => joinTagsParam(s.tags)),
        updates.map((s) => s.location),
        updates.map((s) => s.scan_enabled),
        updates.map((s) => s.scan_interval_s ?? null),
      ],
    );
  }
  if (creates.length) await rederiveTree(tx, creates.map((s) => s.cidr));
}

/** Imports a subnets CSV; same contract as importHostsCsv. New subnets join the tree. */
export async function importSubnetsCsv(
  db: Db,
  text: string,
  opts: ImportOptions = {},
): Promise<ImportReport> {
  const filled = new Map<number, Set<string>>();
  const parsed = parseSubnetsCsv(text, {
    maxRows: opts.maxRows,
    onFilled: (line, cells) => filled.set(line, new Set(cells)),
  });
  try {
    return await db.tx(async (tx) => {
      if (!opts.dryRun) await lockIpamTree(tx);
      const work = await planSubnets(tx, parsed, filled, opts);
      refuseIfErrors(work.report, opts);
      if (!opts.dryRun) await applySubnets(tx, work, opts.defaultIntervalS);
      return work.report;
    });
  } catch (err) {
    return wrapConflict(err);
  }
}

/** One batch of parsed rows, planned: its report and how to write it. */
export interface PlannedBatch {
  report: ImportReport;
  apply(tx: Queryable): Promise<void>;
}

/**
 * Plans parsed rows against what is stored (the batched import's step; the whole-file import
 * does the same in one transaction). `filled` is the subnets' non-empty cells per line.
 */
export async function planBatch(
  q: Queryable,
  kind: ImportKind,
  parsed: CsvParseResult<HostInput | SubnetInput>,
  filled: Map<number, Set<string>>,
  opts: ImportOptions,
): Promise<PlannedBatch> {
  if (kind === "hosts") {
    const work = await planHosts(q, parsed as CsvParseResult<HostInput>, opts);
    return { report: work.report, apply: (tx) => applyHosts(tx, work) };
  }
  const work = await planSubnets(q, parsed as CsvParseResult<SubnetInput>, filled, opts);
  return { report: work.report, apply: (tx) => applySubnets(tx, work, opts.defaultIntervalS) };
}

export function importCsv(
  db: Db,
  kind: ImportKind,
  text: string,
  opts: ImportOptions = {},
): Promise<ImportReport> {
  return kind === "hosts" ? importHostsCsv(db, text, opts) : importSubnetsCsv(db, text, opts);
}
