// Public API of the IPAM domain: address parsing, the folded view, storage, search, CSV import/export.
export {
  bigIntToIp,
  bytesToIp,
  cidrContains,
  hostBits,
  type IpFamily,
  ipToBigInt,
  ipToBytes,
  isIpv4Mapped,
  type LenientOptions,
  netmaskToPrefix,
  normalizeIp,
  parseCidr,
  type ParseCidrOptions,
  type ParsedCidr,
  type ParsedIp,
  parseIp,
  parseIpLenient,
  subnetSize,
  tryParseIp,
  unmapIpv4,
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
  type CsvFolder,
  type CsvFormat,
  type CsvImportOptions,
  type CsvParseResult,
  type CsvRow,
  type CsvRowError,
  DEFAULT_MAX_ROWS,
  exceedsPreview,
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
export { joinTags, neutralizeCell, restoreCell, splitTags } from "./csv_cells.ts";

// Storage and services (SQL + KV): subnets, hosts, the folded view, search, import/export.
export {
  createSubnet,
  type DeleteCascade,
  type DeleteResult,
  deleteSubnet,
  getSubnet,
  getSubnetByCidr,
  listSubnets,
  ORPHAN_CHOICES,
  type OrphanChoice,
  requireSubnet,
  subnetContents,
  type SubnetFilter,
  type SubnetRecord,
  subnetUsage,
  type SubnetWriteOptions,
  updateSubnet,
} from "./subnet_repo.ts";
export {
  createHost,
  deleteHost,
  getHost,
  getHostByIp,
  type HostChanges,
  type HostFilter,
  type HostRecord,
  hostTotals,
  listHosts,
  type NewHost,
  requireHost,
  subnetFor,
  updateHost,
  type WriteOptions,
} from "./host_repo.ts";
export {
  asHostState,
  HOST_STATE_PREFIX,
  type HostState,
  hostStateKey,
  type HostStatus,
  listUpIps,
  readHostStates,
  statusOf,
  type StoredHostState,
} from "./host_state.ts";
export { type AddressIndex, addressIndex, hostSetVersion, indexRange } from "./address_index.ts";
export {
  enableHostStateCache,
  hostStateCacheEnabled,
  hostStateSnapshot,
  noteHostStates,
} from "./host_state_cache.ts";
export {
  type AddressHostRow,
  type AddressOrder,
  type AddressRow,
  type AddressViewOptions,
  expandFree,
  type FreePage,
  hostsWithStatus,
  loadSubnetAddresses,
  nextFreeAddress,
  parseRangeParam,
  type SubnetAddresses,
  withStatus,
} from "./subnet_view.ts";
export {
  listSubnetSummaries,
  type SubnetSummary,
  summarize as summarizeSubnets,
  treeDepths,
} from "./subnet_summary.ts";
export { planSearch, quickSearch, type SearchKind, type SearchResults } from "./search.ts";
export {
  importCsv,
  importHostsCsv,
  type ImportKind,
  type ImportOptions,
  type ImportReport,
  type ImportRowPlan,
  importSubnetsCsv,
} from "./import_service.ts";
export {
  batchesSentence,
  type BatchImportOptions,
  IMPORT_BATCH_ROWS,
  importLargeCsv,
  type ImportProgress,
  previewCsv,
  REPORT_LIST_LIMIT,
} from "./batch_import.ts";
export { IMPORT_TASK_KIND, type ImportActor, runAudited, submitImportTask } from "./import_task.ts";
export { hostsCsvStream, subnetsCsvStream } from "./export_service.ts";
export * from "./discovered_hosts.ts";
export {
  type FormFields,
  type FormResult,
  hostFromForm,
  subnetFromForm,
  subnetToForm,
} from "./form_input.ts";
export { fieldErrors, findNul, validate } from "./validate.ts";
export { seedDemo, type SeedResult } from "./seed.ts";
export { lockIpamTree } from "./sql_helpers.ts";
export {
  createHostFromForm,
  createSubnetFromForm,
  type FormOutcome,
  updateSubnetFromForm,
} from "./page_actions.ts";
export { decodeUtf8, readCsvUpload, type UploadRequest } from "./csv_upload.ts";
export {
  keepUpload,
  type KeptUpload,
  peekUpload,
  takeUpload,
  UPLOAD_TTL_MS,
  type UploadEnv,
  type UploadFacts,
  UPLOADS_PER_USER,
  UPLOADS_TOTAL_FACTOR,
} from "./import_upload.ts";
export { IMPORT_PREVIEW_TASK_KIND, submitPreviewTask } from "./preview_task.ts";
