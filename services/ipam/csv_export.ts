// Writes hosts and subnets as CSV in the importer's own columns, with formula cells neutralized.
import { stringify } from "csv-stringify/sync";
import { joinTags, neutralizeCell } from "./csv_cells.ts";
import { HOST_CSV_COLUMNS, SUBNET_CSV_COLUMNS } from "./csv_columns.ts";

/** Anything host-shaped: extra fields (id, vendor, last_seen_at...) are ignored. */
export interface HostCsvRow {
  ip: string;
  hostname?: string | null;
  description?: string | null;
  tags?: readonly string[] | null;
  notes?: string | null;
  mac?: string | null;
}

/** Anything subnet-shaped: extra fields (id, parent_id, counts...) are ignored. */
export interface SubnetCsvRow {
  cidr: string;
  name?: string | null;
  description?: string | null;
  vlan?: number | null;
  tags?: readonly string[] | null;
  location?: string | null;
  scan_enabled?: boolean | null;
  scan_interval_s?: number | null;
}

export interface CsvExportOptions {
  /**
   * Start with a UTF-8 byte order mark so Excel reads non-ASCII text correctly.
   * Default false: scripts and most other tools prefer plain UTF-8.
   */
  bom?: boolean;
}

const text = (v: string | null | undefined) => neutralizeCell(v ?? "");
const num = (v: number | null | undefined) => (v === null || v === undefined ? "" : String(v));

/** One host as CSV cells in HOST_CSV_COLUMNS order (for streaming writers). */
export function hostToCsvRecord(row: HostCsvRow): string[] {
  return [
    text(row.ip),
    text(row.hostname),
    text(row.description),
    text(joinTags(row.tags ?? [])),
    text(row.notes),
    text(row.mac),
  ];
}

/** One subnet as CSV cells in SUBNET_CSV_COLUMNS order (for streaming writers). */
export function subnetToCsvRecord(row: SubnetCsvRow): string[] {
  return [
    text(row.cidr),
    text(row.name),
    text(row.description),
    num(row.vlan),
    text(joinTags(row.tags ?? [])),
    text(row.location),
    row.scan_enabled === null || row.scan_enabled === undefined ? "" : String(row.scan_enabled),
    num(row.scan_interval_s),
  ];
}

function toCsv(header: readonly string[], records: string[][], opts: CsvExportOptions): string {
  // RFC 4180 line ends. csv-stringify only quotes a field holding the exact record delimiter
  // ("\r\n"), so a note with a bare "\n" would break the row: quote any CR or LF explicitly.
  return stringify([[...header], ...records], {
    record_delimiter: "windows",
    quoted_match: /[\r\n]/,
    bom: opts.bom ?? false,
  });
}

/** Hosts CSV with a header line; parseHostsCsv reads it back to the same values. */
export function hostsToCsv(rows: Iterable<HostCsvRow>, opts: CsvExportOptions = {}): string {
  return toCsv(HOST_CSV_COLUMNS, Array.from(rows, hostToCsvRecord), opts);
}

/** Subnets CSV with a header line; parseSubnetsCsv reads it back to the same values. */
export function subnetsToCsv(rows: Iterable<SubnetCsvRow>, opts: CsvExportOptions = {}): string {
  return toCsv(SUBNET_CSV_COLUMNS, Array.from(rows, subnetToCsvRecord), opts);
}
