// Parses host and subnet CSV files (Pingfold or phpIPAM columns) into validated rows with per-line
// errors: all at once for a preview-sized file, or streamed in batches for a large one.
import { parse } from "csv-parse/sync";
import { parse as parseStream } from "csv-parse";
import { Readable } from "node:stream";
import type { z } from "zod";
import { AppError } from "@/services/errors.ts";
import { bigIntToIp, netmaskToPrefix } from "./cidr.ts";
import { restoreCell, splitTags } from "./csv_cells.ts";
import {
  HOST_CSV_COLUMNS,
  type HostRole,
  normalizeHeader,
  PHPIPAM_HOST_COLUMNS,
  PHPIPAM_SUBNET_COLUMNS,
  SUBNET_CSV_COLUMNS,
  type SubnetRole,
} from "./csv_columns.ts";
import {
  formatIssues,
  type HostInput,
  HostInputSchema,
  hostnameProblem,
  LIMITS,
  type SubnetInput,
  SubnetInputSchema,
} from "./input_schemas.ts";

export {
  HostInputSchema,
  HostPatchSchema,
  normalizeMac,
  SubnetInputSchema,
  SubnetPatchSchema,
} from "./input_schemas.ts";
export type { HostInput, HostPatch, SubnetInput, SubnetPatch } from "./input_schemas.ts";

export type CsvFormat = "pingfold" | "phpipam";

export interface CsvRow<T> {
  /** 1-based line where the record starts in the file (the header is line 1). */
  line: number;
  value: T;
}

export interface CsvRowError {
  line: number;
  message: string;
}

/** A phpIPAM folder row: it groups subnets and has no address, so it is skipped. */
export interface CsvFolder {
  line: number;
  name: string;
}

export interface CsvParseResult<T> {
  rows: CsvRow<T>[];
  errors: CsvRowError[];
  /** Rows kept with a change the file did not ask for (a free-text hostname moved...). */
  warnings: CsvRowError[];
  /** phpIPAM folder rows, skipped (subnets only). */
  folders: CsvFolder[];
  format: CsvFormat;
  /** Header names that were read but not imported (phpIPAM VRF, Section, custom fields...). */
  ignored_columns: string[];
}

export interface CsvImportOptions {
  /**
   * Most data rows one parse accepts; more is a 422 `too_many_rows` (a larger file is read with
   * the stream functions instead). Default 10,000.
   */
  maxRows?: number;
  /**
   * Called for each accepted row with the columns (roles) whose cells were not empty, so an
   * importer can tell a blank cell from a value equal to the schema default.
   */
  onFilled?: (line: number, filled: string[]) => void;
}

export const DEFAULT_MAX_ROWS = 10_000;
/** How far down the header may be: phpIPAM's per-subnet export puts title lines above it. */
const HEADER_SEARCH_RECORDS = 10;

interface Kind<Role extends string> {
  what: string;
  /** The role that identifies a row (ip, cidr): required and unique per file. */
  key: Role;
  columns: readonly string[];
  phpipam: Record<string, Role>;
}

const HOSTS: Kind<HostRole> = {
  what: "hosts",
  key: "ip",
  columns: HOST_CSV_COLUMNS,
  phpipam: PHPIPAM_HOST_COLUMNS,
};

const SUBNETS: Kind<SubnetRole> = {
  what: "subnets",
  key: "cidr",
  columns: SUBNET_CSV_COLUMNS,
  phpipam: PHPIPAM_SUBNET_COLUMNS,
};

interface CsvRecord {
  line: number;
  cells: string[];
}

interface Layout<Role extends string> {
  format: CsvFormat;
  headerLine: number;
  /** Role of each column index; null = no header (Pingfold: must stay empty). */
  roles: Array<Role | "ignore" | null>;
  ignored: string[];
}

function invalidCsv(message: string, details?: unknown): AppError {
  return new AppError(422, "invalid_csv", message, details);
}

function expectedColumns(kind: Kind<string>): string {
  return `expected columns: ${kind.columns.join(",")} (only ${kind.key} is required), ` +
    `or a phpIPAM ${kind.what === "hosts" ? "address" : "subnet"} export`;
}

/** Picks the delimiter from the first line that has one of ",", ";" or tab (most frequent wins). */
function detectDelimiter(text: string): string {
  for (const line of text.split("\n", HEADER_SEARCH_RECORDS * 2)) {
    const counts = [",", ";", "\t"].map((d) => ({ d, n: line.split(d).length - 1 }));
    const best = counts.reduce((a, b) => (b.n > a.n ? b : a));
    if (best.n > 0) return best.d;
  }
  return ",";
}

/** Removes a BOM and unifies newlines: csv-parse counts a CRLF inside a quoted field as two lines. */
function normalizeText(text: string): string {
  if (text.includes("\u0000")) throw invalidCsv("the file is not text (it contains NUL bytes)");
  return text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
}

function csvOptions(normalized: string) {
  return {
    delimiter: detectDelimiter(normalized),
    info: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_empty_values: true,
  };
}

interface ParsedRecord {
  record: string[];
  info: { lines: number; bytes: number };
}

function toRecord({ record, info }: ParsedRecord): CsvRecord {
  // info.lines is the line where the record ends; quoted newlines push it down.
  const inner = record.reduce((n, cell) => n + (cell.split("\n").length - 1), 0);
  return { line: info.lines - inner, cells: record };
}

function notCsv(err: unknown): AppError {
  const message = err instanceof Error ? err.message : String(err);
  return invalidCsv(`the file is not valid CSV: ${message}`);
}

/** Parses normalized text into records with their starting line numbers. */
function readRecords(normalized: string, maxRecords: number): CsvRecord[] {
  let parsed: ParsedRecord[];
  try {
    // With `info: true` each record comes wrapped with its position; the typings miss that.
    parsed = parse(normalized, {
      ...csvOptions(normalized),
      to: maxRecords,
    }) as unknown as ParsedRecord[];
  } catch (err) {
    throw notCsv(err);
  }
  return parsed.map(toRecord);
}

/**
 * Streams records of normalized text with their line and how many characters were read: the
 * parser is fed 64 KiB at a time and waits while the consumer works (stream backpressure), so
 * only the current batch of records is held, never the whole file as records.
 */
async function* streamRecords(
  normalized: string,
): AsyncGenerator<CsvRecord & { read: number }> {
  const CHUNK = 64 * 1024;
  function* chunks() {
    for (let i = 0; i < normalized.length; i += CHUNK) yield normalized.slice(i, i + CHUNK);
  }
  const parser = Readable.from(chunks()).pipe(parseStream(csvOptions(normalized)));
  try {
    for await (const item of parser as AsyncIterable<ParsedRecord>) {
      yield { ...toRecord(item), read: item.info.bytes };
    }
  } catch (err) {
    throw notCsv(err);
  } finally {
    parser.destroy();
  }
}

function roleOf<Role extends string>(kind: Kind<Role>, header: string): Role | undefined {
  const name = normalizeHeader(header);
  const own = kind.columns.find((c) => normalizeHeader(c) === name);
  return (own as Role | undefined) ?? kind.phpipam[name];
}

function findLayout<Role extends string>(
  kind: Kind<Role>,
  records: CsvRecord[],
): { layout: Layout<Role>; headerIndex: number } {
  const headerIndex = records.slice(0, HEADER_SEARCH_RECORDS)
    .findIndex((r) => r.cells.some((cell) => roleOf(kind, cell) === kind.key));
  if (headerIndex < 0) {
    const first = records[0].cells.map((c) => JSON.stringify(c.trim())).join(",");
    throw invalidCsv(
      `no header line with a ${JSON.stringify(kind.key)} column found (line ${
        records[0].line
      } is ` +
        `${first.length > 200 ? first.slice(0, 200) + "..." : first}); ${expectedColumns(kind)}`,
      { expected_columns: kind.columns },
    );
  }
  const header = records[headerIndex];
  const names = header.cells.map((c) => c.trim());
  const isOwn = (n: string) => kind.columns.some((c) => normalizeHeader(c) === normalizeHeader(n));
  const phpipamOnly = names.some((n) => !isOwn(n) && kind.phpipam[normalizeHeader(n)]);
  const format: CsvFormat = phpipamOnly ? "phpipam" : "pingfold";

  if (format === "pingfold") {
    const unknown = names.filter((n) => n !== "" && !isOwn(n));
    if (unknown.length) {
      const list = unknown.map((n) => JSON.stringify(n)).join(", ");
      throw invalidCsv(
        `unknown column${unknown.length > 1 ? "s" : ""} ${list} on line ${header.line}; ` +
          expectedColumns(kind),
        { unknown_columns: unknown, expected_columns: kind.columns },
      );
    }
  }
  const roles: Array<Role | "ignore" | null> = [];
  const ignored: string[] = [];
  const seen = new Map<string, string>();
  for (const name of names) {
    if (name === "") {
      roles.push(format === "pingfold" ? null : "ignore");
      continue;
    }
    const role = roleOf(kind, name);
    if (!role || role === "ignore") {
      ignored.push(name);
      roles.push("ignore");
      continue;
    }
    const earlier = seen.get(role);
    if (earlier !== undefined) {
      throw invalidCsv(
        `columns ${JSON.stringify(earlier)} and ${JSON.stringify(name)} on line ${header.line} ` +
          `both give ${role}; keep one`,
      );
    }
    seen.set(role, name);
    roles.push(role);
  }
  return { layout: { format, headerLine: header.line, roles, ignored }, headerIndex };
}

/** What a row builder makes of a row's cells: a value to check, an error, or a folder to skip. */
interface Built {
  value?: unknown;
  error?: string;
  /** The row is a phpIPAM folder with this name. */
  folder?: string;
  warnings?: string[];
}

type Builder<Role extends string> = (cells: Map<Role, string>, format: CsvFormat) => Built;

/** What one kind of file needs to be read: its columns, row builder, schema and key. */
interface Reader<Role extends string, T> {
  kind: Kind<Role>;
  build: Builder<Role>;
  schema: z.ZodType<T>;
  keyOf: (value: T) => string;
}

function emptyResult<T>(layout: Layout<string>): CsvParseResult<T> {
  return {
    rows: [],
    errors: [],
    warnings: [],
    folders: [],
    format: layout.format,
    ignored_columns: layout.ignored,
  };
}

/**
 * Checks records one by one into a result: cells by role → typed value or a per-line error.
 * It remembers each key's first line across calls, so duplicates are found file-wide even
 * when the file is read in batches.
 */
function rowChecker<Role extends string, T>(
  reader: Reader<Role, T>,
  layout: Layout<Role>,
  opts: CsvImportOptions,
): (record: CsvRecord, out: CsvParseResult<T>) => void {
  const firstLineOf = new Map<string, number>();
  return (record, out) => {
    const cells = new Map<Role, string>();
    let problem: string | undefined;
    record.cells.forEach((raw, i) => {
      const value = restoreCell(raw.trim());
      const role = i < layout.roles.length ? layout.roles[i] : null;
      if (role === null) {
        if (value !== "" && !problem) {
          problem = `has a value in column ${i + 1}, which has no header ` +
            `(the header on line ${layout.headerLine} has ${layout.roles.length} columns)`;
        }
      } else if (role !== "ignore") {
        cells.set(role, value);
      }
    });
    if (problem) {
      out.errors.push({ line: record.line, message: problem });
      return;
    }
    const built = reader.build(cells, layout.format);
    if (built.error) {
      out.errors.push({ line: record.line, message: built.error });
      return;
    }
    if (built.folder !== undefined) {
      out.folders.push({ line: record.line, name: built.folder });
      return;
    }
    const checked = reader.schema.safeParse(built.value);
    if (!checked.success) {
      out.errors.push({ line: record.line, message: formatIssues(checked.error) });
      return;
    }
    const key = reader.keyOf(checked.data);
    const earlier = firstLineOf.get(key);
    if (earlier !== undefined) {
      out.errors.push({ line: record.line, message: `duplicate of line ${earlier}` });
      return;
    }
    firstLineOf.set(key, record.line);
    out.rows.push({ line: record.line, value: checked.data });
    for (const message of built.warnings ?? []) out.warnings.push({ line: record.line, message });
    opts.onFilled?.(record.line, [...cells].filter(([, v]) => v !== "").map(([role]) => role));
  };
}

function checkMaxRows(maxRows: number): void {
  if (!Number.isSafeInteger(maxRows) || maxRows < 1) {
    throw new RangeError(`maxRows must be a positive integer, got ${maxRows}`);
  }
}

/** The normalized text and its first records; a 422 for an empty or header-less file. */
function openCsv<Role extends string>(
  kind: Kind<Role>,
  text: string,
  maxRecords: number,
): { normalized: string; records: CsvRecord[] } {
  if (text.replace(/^\uFEFF/, "").trim() === "") {
    throw invalidCsv(`the file is empty; ${expectedColumns(kind)}`, {
      expected_columns: kind.columns,
    });
  }
  const normalized = normalizeText(text);
  const records = readRecords(normalized, maxRecords);
  if (records.length === 0) {
    throw invalidCsv(`the file has no CSV records; ${expectedColumns(kind)}`);
  }
  return { normalized, records };
}

/** Shared driver for a preview-sized file: every record at once. */
function parseCsv<Role extends string, T>(
  reader: Reader<Role, T>,
  text: string,
  opts: CsvImportOptions,
): CsvParseResult<T> {
  const maxRows = opts.maxRows ?? DEFAULT_MAX_ROWS;
  checkMaxRows(maxRows);
  // Parse a little past the limit so "too many rows" is known without reading everything.
  const { records } = openCsv(reader.kind, text, maxRows + HEADER_SEARCH_RECORDS + 1);
  const { layout, headerIndex } = findLayout(reader.kind, records);
  const data = records.slice(headerIndex + 1);
  if (data.length > maxRows) {
    throw new AppError(
      422,
      "too_many_rows",
      `the file has more than ${maxRows} rows, more than one preview holds; import it in ` +
        "batches (the Import page and POST /api/v1/import/... without dry_run do that as a " +
        "background task)",
      { max_rows: maxRows },
    );
  }
  const out = emptyResult<T>(layout);
  const check = rowChecker(reader, layout, opts);
  for (const record of data) check(record, out);
  return out;
}

/** A large file read in batches: its layout, then batches of checked rows. */
export interface CsvBatches<T> {
  format: CsvFormat;
  ignored_columns: string[];
  /**
   * Batches of at most `size` data records each (rows + errors + folders), in file order,
   * with how far into the file they reach (`read` of `length` characters).
   */
  batches(size: number): AsyncGenerator<CsvParseResult<T> & { records: number; read: number }>;
  length: number;
}

function streamCsv<Role extends string, T>(
  reader: Reader<Role, T>,
  text: string,
  opts: CsvImportOptions,
): CsvBatches<T> {
  const { normalized, records } = openCsv(reader.kind, text, HEADER_SEARCH_RECORDS);
  const { layout, headerIndex } = findLayout(reader.kind, records);
  return {
    format: layout.format,
    ignored_columns: layout.ignored,
    length: normalized.length,
    async *batches(size) {
      checkMaxRows(size);
      // A fresh checker per pass: duplicates are found within this pass, file-wide.
      const check = rowChecker(reader, layout, opts);
      let out = { ...emptyResult<T>(layout), records: 0, read: 0 };
      let index = 0;
      for await (const record of streamRecords(normalized)) {
        if (index++ <= headerIndex) continue;
        check(record, out);
        out.records++;
        out.read = record.read;
        if (out.records >= size) {
          yield out;
          out = { ...emptyResult<T>(layout), records: 0, read: out.read };
        }
      }
      if (out.records > 0) yield { ...out, read: normalized.length };
    },
  };
}

/**
 * Whether a file has more than `maxRows` data records (then it is read in batches), found
 * without checking them. A 422 `invalid_csv` for an empty file or one without a header.
 */
export function exceedsPreview(
  kind: ImportFileKind,
  text: string,
  maxRows: number = DEFAULT_MAX_ROWS,
): boolean {
  checkMaxRows(maxRows);
  const k = kind === "hosts" ? HOSTS : SUBNETS;
  const { records } = openCsv<string>(k, text, maxRows + HEADER_SEARCH_RECORDS + 1);
  const { headerIndex } = findLayout<string>(k, records);
  return records.length - headerIndex - 1 > maxRows;
}

export type ImportFileKind = "hosts" | "subnets";

const blankToUndefined = (v: string | undefined) => (v === undefined || v === "" ? undefined : v);

/** Adds phpIPAM-only fields to tags and notes (see CSV_COLUMNS_DOC for the mapping). */
function phpipamHostExtras(cells: Map<HostRole, string>, tags: string[], notes: string[]): void {
  const owner = cells.get("owner");
  if (owner) {
    const tag = `owner:${owner}`;
    if (tag.length <= LIMITS.tag && !/[;|]/.test(tag)) tags.push(tag);
    else notes.push(`Owner: ${owner}`);
  }
  const state = (cells.get("state") ?? "").toLowerCase();
  // phpIPAM's ipTags ids: 1 Offline, 2 Used, 3 Reserved, 4 DHCP. "Used" is the default: no tag.
  const stateTag = ({ "1": "offline", "2": "", "3": "reserved", "4": "dhcp", "used": "" } as Record<
    string,
    string
  >)[state] ?? state;
  if (stateTag) tags.push(stateTag);
  if (/^(1|yes|true|y)$/i.test(cells.get("gateway") ?? "")) tags.push("gateway");
  for (
    const [role, label] of [["device", "Device"], ["port", "Port"], [
      "location",
      "Location",
    ]] as const
  ) {
    const v = cells.get(role);
    if (v) notes.push(`${label}: ${v}`);
  }
}

/**
 * phpIPAM's hostname is free text ("PRINTER 3rd floor"); Pingfold's is a DNS name. Such a name
 * moves into the description (before the row's own, if any; into the notes when that would be
 * too long) so the row, its MAC and notes still import, with a warning saying so.
 */
function keepFreeTextHostname(
  fields: { hostname?: string; description?: string },
  notes: string[],
): string | undefined {
  const name = fields.hostname?.trim();
  if (!name) return undefined;
  const problem = hostnameProblem(name);
  if (!problem) return undefined;
  fields.hostname = undefined;
  const description = fields.description;
  const merged = !description || description.toLowerCase().includes(name.toLowerCase())
    ? description ?? name
    : `${name} — ${description}`;
  if (merged.length <= LIMITS.description) {
    fields.description = merged;
    return `${problem}: kept in the description, hostname left empty`;
  }
  notes.unshift(`Hostname: ${name}`);
  return `${problem}: kept in the notes, hostname left empty`;
}

function buildHost(cells: Map<HostRole, string>, format: CsvFormat): Built {
  const tags = splitTags(cells.get("tags") ?? "");
  const notes = [cells.get("notes") ?? ""].filter((n) => n !== "");
  const fields = {
    hostname: blankToUndefined(cells.get("hostname")),
    description: blankToUndefined(cells.get("description")),
  };
  const warnings: string[] = [];
  if (format === "phpipam") {
    phpipamHostExtras(cells, tags, notes);
    const warning = keepFreeTextHostname(fields, notes);
    if (warning) warnings.push(warning);
  }
  return {
    value: {
      ip: cells.get("ip") ?? "",
      ...fields,
      tags,
      notes: notes.length ? notes.join("\n") : undefined,
      mac: blankToUndefined(cells.get("mac")),
    },
    warnings,
  };
}

const TRUE_WORDS = /^(true|yes|y|1|on)$/i;
const FALSE_WORDS = /^(false|no|n|0|off)$/i;
/** phpIPAM writes "NA" for no VLAN. */
const NO_VLAN = /^(na|n\/a|none|-)$/i;

const IPV4_MAX = 0xffff_ffffn;
const IPV6_MAX = (1n << 128n) - 1n;

/**
 * phpIPAM's database and API keep a subnet's address as a decimal integer ("3325256704" =
 * 198.51.100.0); like phpIPAM, a number up to 2^32-1 is IPv4 and a larger one IPv6.
 */
function decimalAddress(subnet: string): string | undefined {
  if (!/^\d{1,39}$/.test(subnet)) return undefined;
  const n = BigInt(subnet);
  if (n > IPV6_MAX) return undefined;
  return bigIntToIp(n, n <= IPV4_MAX ? 4 : 6);
}

/**
 * A folder row of a phpIPAM export: the admin export writes "<name> (folder)" in the Subnet
 * column (and "<name> [folder]" as a master); a database or API dump has isFolder = 1.
 */
function phpipamFolder(cells: Map<SubnetRole, string>): string | undefined {
  const subnet = cells.get("cidr") ?? "";
  const named = /^(.*?)\s*[([]folder[)\]]$/i.exec(subnet);
  if (named) return named[1] || cells.get("description") || "(unnamed)";
  if (TRUE_WORDS.test(cells.get("folder") ?? "")) {
    return cells.get("description") || cells.get("name") || "(unnamed)";
  }
  return undefined;
}

/** Resolves phpIPAM's subnet + separate mask column (prefix length or dotted mask). */
function phpipamCidr(subnet: string, mask: string | undefined): string | { error: string } {
  if (subnet.includes("/") || !mask) return subnet;
  subnet = decimalAddress(subnet) ?? subnet;
  if (/^\d+$/.test(mask)) return `${subnet}/${mask}`;
  const prefix = netmaskToPrefix(mask);
  if (prefix !== null) return `${subnet}/${prefix}`;
  return { error: `mask ${JSON.stringify(mask)} is neither a prefix length nor a netmask` };
}

function buildSubnet(cells: Map<SubnetRole, string>, format: CsvFormat): Built {
  let cidr: string = cells.get("cidr") ?? "";
  if (format === "phpipam") {
    const folder = phpipamFolder(cells);
    if (folder !== undefined) return { folder };
    const resolved = phpipamCidr(cidr, blankToUndefined(cells.get("mask")));
    if (typeof resolved !== "string") return resolved;
    cidr = resolved;
  }
  const vlanText = cells.get("vlan") ?? "";
  let vlan: number | null = null;
  if (/^\d+$/.test(vlanText)) vlan = Number(vlanText);
  else if (vlanText !== "" && !NO_VLAN.test(vlanText)) {
    return { error: `vlan ${JSON.stringify(vlanText)} is not a number 1-4094` };
  }
  const scanText = cells.get("scan_enabled") ?? "";
  let scanEnabled: boolean | undefined;
  if (TRUE_WORDS.test(scanText)) scanEnabled = true;
  else if (FALSE_WORDS.test(scanText)) scanEnabled = false;
  else if (scanText !== "") {
    return { error: `scan_enabled ${JSON.stringify(scanText)} is not true or false` };
  }
  const intervalText = cells.get("scan_interval_s") ?? "";
  let interval: number | undefined;
  if (/^\d+$/.test(intervalText)) interval = Number(intervalText);
  else if (intervalText !== "") {
    return { error: `scan_interval_s ${JSON.stringify(intervalText)} is not a number of seconds` };
  }
  return {
    value: {
      cidr,
      name: blankToUndefined(cells.get("name")),
      description: blankToUndefined(cells.get("description")),
      vlan,
      tags: splitTags(cells.get("tags") ?? ""),
      location: blankToUndefined(cells.get("location")),
      scan_enabled: scanEnabled,
      scan_interval_s: interval,
    },
  };
}

const HOST_READER: Reader<HostRole, HostInput> = {
  kind: HOSTS,
  build: buildHost,
  schema: HostInputSchema,
  keyOf: (h) => h.ip,
};

const SUBNET_READER: Reader<SubnetRole, SubnetInput> = {
  kind: SUBNETS,
  build: buildSubnet,
  schema: SubnetInputSchema,
  keyOf: (s) => s.cidr,
};

/**
 * Parses a hosts CSV. Bad rows become `errors` (with their line) and the others still parse.
 * @throws AppError 422 `invalid_csv` (empty file, no/unknown/duplicate header columns, broken
 * quoting) or `too_many_rows`; `details.expected_columns` lists the columns where relevant.
 */
export function parseHostsCsv(
  text: string,
  opts: CsvImportOptions = {},
): CsvParseResult<HostInput> {
  return parseCsv(HOST_READER, text, opts);
}

/** Parses a subnets CSV; same contract as parseHostsCsv, keyed by canonical cidr. */
export function parseSubnetsCsv(
  text: string,
  opts: CsvImportOptions = {},
): CsvParseResult<SubnetInput> {
  return parseCsv(SUBNET_READER, text, opts);
}

/**
 * Reads a hosts CSV of any length in batches (same rows, errors and line numbers as
 * parseHostsCsv). The header is checked now (422 `invalid_csv`); broken quoting further down
 * is a 422 `invalid_csv` thrown by the batch that reaches it.
 */
export function streamHostsCsv(text: string, opts: CsvImportOptions = {}): CsvBatches<HostInput> {
  return streamCsv(HOST_READER, text, opts);
}

/** Reads a subnets CSV of any length in batches; same contract as streamHostsCsv. */
export function streamSubnetsCsv(
  text: string,
  opts: CsvImportOptions = {},
): CsvBatches<SubnetInput> {
  return streamCsv(SUBNET_READER, text, opts);
}
