// Public API of the inventory domain: organizations → servers → hosts, and indicators.
export * from "./inputs.ts";
export { indicatorStatus } from "./indicator_status.ts";
export {
  type Contact,
  createOrganization,
  deleteOrganization,
  getOrganization,
  getOrganizationByName,
  listOrganizations,
  type Organization,
  type OrganizationFilter,
  requireOrganization,
  updateOrganization,
} from "./organizations.ts";
export {
  createServer,
  deleteServer,
  getServer,
  type HostPlacement,
  linkAddress,
  linkHost,
  listServers,
  placementsOf,
  requireServer,
  type Server,
  type ServerAddress,
  type ServerFilter,
  serverOfHost,
  unlinkHost,
  updateServer,
} from "./servers.ts";
export {
  deleteIndicator,
  getIndicator,
  hostIdsWithIndicator,
  type Indicator,
  INDICATOR_HISTORY_KEEP,
  type IndicatorChange,
  indicatorCounts,
  indicatorHistory,
  type IndicatorOwner,
  type IndicatorRow,
  indicatorSummary,
  listIndicatorRows,
  listIndicators,
  upsertIndicator,
} from "./indicators.ts";
export {
  exportInventoryCsv,
  importInventoryCsv,
  type InventoryImportReport,
} from "./inventory_csv.ts";
export { loadServerDetail, type ServerAddressDetail, type ServerDetail } from "./server_detail.ts";
