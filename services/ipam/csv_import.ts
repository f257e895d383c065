// Parses host and subnet CSV files (Pingfold or phpIPAM columns) into validated rows with per-line errors.
import { parse } from "csv-parse/sync";
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
  /** Most data rows accepted; more is a 422 `too_many_rows` for the whole file. Default 10,000. */
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

/** Parses text into records with their starting line numbers. */
function readRecords(text: string, maxRecords: number): CsvRecord[] {
  if (text.includes("\u0000")) throw invalidCsv("the file is not text (it contains NUL bytes)");
  // One newline style: csv-parse counts a CRLF inside a quoted field as two lines.
  const normalized = text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  let parsed: Array<{ record: string[]; info: { lines: number } }>;
  try {
    // With `info: true` each record comes wrapped with its position; the typings miss that.
    parsed = parse(normalized, {
      delimiter: detectDelimiter(normalized),
      info: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      to: maxRecords,
    }) as unknown as typeof parsed;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw invalidCsv(`the file is not valid CSV: ${message}`);
  }
  return parsed.map(({ record, info }) => {
    // info.lines is the line where the record ends; quoted newlines push it down.
    const inner = record.reduce((n, cell) => n + (cell.split("\n").length - 1), 0);
    return { line: info.lines - inner, cells: record };
  });
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

/** Shared driver: records → cells by role → typed value or a per-line error. */
function parseCsv<Role extends string, T>(
  kind: Kind<Role>,
  text: string,
  opts: CsvImportOptions,
  build: (cells: Map<Role, string>, format: CsvFormat) => Built,
  schema: z.ZodType<T>,
  keyOf: (value: T) => string,
): CsvParseResult<T> {
  const maxRows = opts.maxRows ?? DEFAULT_MAX_ROWS;
  if (!Number.isSafeInteger(maxRows) || maxRows < 1) {
    throw new RangeError(`maxRows must be a positive integer, got ${maxRows}`);
  }
  if (text.replace(/^\uFEFF/, "").trim() === "") {
    throw invalidCsv(`the file is empty; ${expectedColumns(kind)}`, {
      expected_columns: kind.columns,
    });
  }
  // Parse a little past the limit so "too many rows" is known without reading everything.
  const records = readRecords(text, maxRows + HEADER_SEARCH_RECORDS + 1);
  if (records.length === 0) {
    throw invalidCsv(`the file has no CSV records; ${expectedColumns(kind)}`);
  }
  const { layout, headerIndex } = findLayout(kind, records);
  const data = records.slice(headerIndex + 1);
  if (data.length > maxRows) {
    throw new AppError(
      422,
      "too_many_rows",
      `the file has more than ${maxRows} rows; import at most ${maxRows} at a time`,
      { max_rows: maxRows },
    );
  }

  const rows: CsvRow<T>[] = [];
  const errors: CsvRowError[] = [];
  const warnings: CsvRowError[] = [];
  const folders: CsvFolder[] = [];
  const firstLineOf = new Map<string, number>();
  for (const record of data) {
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
      errors.push({ line: record.line, message: problem });
      continue;
    }
    const built = build(cells, layout.format);
    if (built.error) {
      errors.push({ line: record.line, message: built.error });
      continue;
    }
    if (built.folder !== undefined) {
      folders.push({ line: record.line, name: built.folder });
      continue;
    }
    const checked = schema.safeParse(built.value);
    if (!checked.success) {
      errors.push({ line: record.line, message: formatIssues(checked.error) });
      continue;
    }
    const key = keyOf(checked.data);
    const earlier = firstLineOf.get(key);
    if (earlier !== undefined) {
      errors.push({ line: record.line, message: `duplicate of line ${earlier}` });
      continue;
    }
    firstLineOf.set(key, record.line);
    rows.push({ line: record.line, value: checked.data });
    for (const message of built.warnings ?? []) warnings.push({ line: record.line, message });
    opts.onFilled?.(record.line, [...cells].filter(([, v]) => v !== "").map(([role]) => role));
  }
  return {
    rows,
    errors,
    warnings,
    folders,
    format: layout.format,
    ignored_columns: layout.ignored,
  };
}

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

/**
 * Parses a hosts CSV. Bad rows become `errors` (with their line) and the others still parse.
 * @throws AppError 422 `invalid_csv` (empty file, no/unknown/duplicate header columns, broken
 * quoting) or `too_many_rows`; `details.expected_columns` lists the columns where relevant.
 */
export function parseHostsCsv(
  text: string,
  opts: CsvImportOptions = {},
): CsvParseResult<HostInput> {
  return parseCsv(HOSTS, text, opts, buildHost, HostInputSchema, (h) => h.ip);
}

/** Parses a subnets CSV; same contract as parseHostsCsv, keyed by canonical cidr. */
export function parseSubnetsCsv(
  text: string,
  opts: CsvImportOptions = {},
): CsvParseResult<SubnetInput> {
  return parseCsv(SUBNETS, text, opts, buildSubnet, SubnetInputSchema, (s) => s.cidr);
}
