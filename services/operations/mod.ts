// Public API of operations: ad-hoc checks, scan results, actions and their runs, stats.
export {
  adhocAddress,
  type AdhocEnv,
  adhocPrefix,
  PING_TCP_PORTS,
  pingAddress,
  portscanAddress,
  portscanRequest,
  sweepPrefix,
  SYNC_PORTSCAN_DEADLINE_MS,
  SYNC_PORTSCAN_MAX_PORTS,
} from "./adhoc_checks.ts";
export { parsePortList, type PortList } from "./port_list.ts";
export { assertInScope, type Scope } from "./target_scope.ts";
export {
  getScanResult,
  listScanResults,
  type OpenPort,
  type ScanFilter,
  type ScanKind,
  type ScanResult,
  scanResultCsv,
  type ScanStatus,
} from "./scan_results.ts";
export {
  type Action,
  type ActionInput,
  ActionInputSchema,
  type ActionPatch,
  ActionPatchSchema,
  createAction,
  deleteAction,
  getAction,
  getActionByName,
  listActions,
  mayRun,
  PLACEHOLDERS,
  renderArgs,
  resolveExecutable,
  updateAction,
} from "./actions.ts";
export { execAction, type ExecResult, TRUNCATION_MARK } from "./action_exec.ts";
export {
  type ActionEnv,
  type ActionRun,
  cancelRun,
  getRun,
  listRuns,
  markQueuedRunCancelled,
  RUN_STATUSES,
  type RunFilter,
  type Runner,
  type RunStatus,
  startRun,
} from "./action_runs.ts";
export {
  createOperations,
  limitRate,
  type Operations,
  type OperationsDeps,
  type OperationsSettings,
  operationsSettings,
  requestPing,
  requestPortscanAsync,
  requestPortscanSync,
  requestSweep,
} from "./operations.ts";
export { type InventoryStats, inventoryStats, parseWindow, type WindowStats } from "./stats.ts";
export { hostInventory, type HostInventoryView } from "./host_inventory.ts";
