// Public API of the IPAM domain: address parsing, the folded subnet view, CSV import/export.
export {
  bigIntToIp,
  cidrContains,
  type IpFamily,
  ipToBigInt,
  parseCidr,
  type ParseCidrOptions,
  type ParsedCidr,
  type ParsedIp,
  parseIp,
  subnetSize,
  tryParseIp,
  usableRange,
  usableSize,
} from "./cidr.ts";

export {
  EXPAND_GAP_MAX_LIMIT,
  expandGap,
  type ExpandGapOptions,
  foldAddresses,
  type FoldedGap,
  type FoldedHost,
  type FoldedRow,
  type FoldOptions,
  type GapPage,
  nextFree,
  type Utilization,
  utilization,
} from "./fold.ts";

export {
  formatIssues,
  type HostInput,
  HostInputSchema,
  type HostPatch,
  HostPatchSchema,
  LIMITS,
  normalizeMac,
  type SubnetInput,
  SubnetInputSchema,
  type SubnetPatch,
  SubnetPatchSchema,
} from "./input_schemas.ts";

export {
  type CsvFormat,
  type CsvImportOptions,
  type CsvParseResult,
  type CsvRow,
  type CsvRowError,
  DEFAULT_MAX_ROWS,
  parseHostsCsv,
  parseSubnetsCsv,
} from "./csv_import.ts";

export {
  type CsvExportOptions,
  type HostCsvRow,
  hostsToCsv,
  hostToCsvRecord,
  type SubnetCsvRow,
  subnetsToCsv,
  subnetToCsvRecord,
} from "./csv_export.ts";

export { CSV_COLUMNS_DOC, HOST_CSV_COLUMNS, SUBNET_CSV_COLUMNS } from "./csv_columns.ts";
export { neutralizeCell } from "./csv_cells.ts";
