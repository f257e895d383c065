// Public API of live discovery: plan and run sweeps, and port-scan hosts with nmap.
export {
  childEnv,
  type CommandRunner,
  type CommandRunnerOptions,
  createCommandRunner,
  runCommand,
  type RunOptions,
  type RunResult,
} from "./command_runner.ts";
export {
  DEFAULT_MAX_SWEEP_PREFIX,
  normalizeIp,
  type PlanOptions,
  planSweep,
  type SweepPlan,
} from "./sweep_plan.ts";
export {
  sweep,
  type SweepHostResult,
  type SweepMethod,
  type SweepOptions,
  type SweepResult,
} from "./sweeper.ts";
export {
  fpingArgs,
  type FpingArgsOptions,
  type FpingHost,
  type FpingReport,
  parseFpingOutput,
} from "./fping_parser.ts";
export type { TcpDial } from "./tcp_probe.ts";
export {
  DEFAULT_NMAP_ARGS,
  defaultNmapArgs,
  isRoot,
  type NmapArgsOptions,
  parseNmapArgs,
} from "./nmap_args.ts";
export { type NmapHost, type NmapPort, parseNmapXml } from "./nmap_xml.ts";
export { portscan, type PortscanOptions, type PortscanResult } from "./portscan.ts";

// Live discovery: sweeps as a service, scheduler, state, history, live events.
export {
  createDiscovery,
  type Discovery,
  discoveryOf,
  requestHostPing,
  requestRollup,
  requestSubnetSweep,
  runRollup,
  scanEnableCheck,
  sweepSubnetLeased,
} from "./discovery_service.ts";
export { type DiscoveryEnv, pingHost, sweepSubnet, type SweepTunables } from "./sweep_service.ts";
export { type ApplyInput, type ApplyOutcome, applyResults } from "./apply_results.ts";
export {
  countUp,
  deleteStates,
  HOST_STATE_PREFIX,
  type HostState,
  hostStateKey,
  readStates,
  writeObservations,
} from "./state_store.ts";
export { formatAge, formatLatency, type PillView, pillView } from "./state_view.ts";
export {
  batchChanges,
  createLiveHub,
  type HostChange,
  type LiveEvent,
  type LiveHub,
} from "./live_events.ts";
export { createScheduler, type Scheduler, type SchedulerOptions } from "./scheduler.ts";
export type { SweepSubnet } from "./known_hosts_repo.ts";
export { schedulerOf, startDiscoveryScheduler, startLiveShutdownHook } from "./starters.ts";
export { acquireLease, type Lease, leaseKey, releaseLease, renewLease } from "./lease.ts";
export { createProbeBudget, type ProbeBudget } from "./probe_budget.ts";
export { listRuns, type ScanRun } from "./run_log_repo.ts";
export { listEvents, statusSeries } from "./history_repo.ts";
export { rollUp, type RollupResult } from "./rollup.ts";
export { hostUptime, type Uptime } from "./uptime.ts";
export { cleanName, createPtrLookup, type PtrLookup, type PtrResolver } from "./ptr.ts";
export { parseNeighbors, readNeighbors } from "./neighbors.ts";
export { loadOuiTable, vendorOf } from "./oui_vendor.ts";
export { registerHostDiscoveryRoutes, registerSubnetDiscoveryRoutes } from "./api_routes.ts";
export { type HostDetail, loadHostDetail } from "./host_detail.ts";
export {
  assertInScope,
  DEFAULT_SCAN_SCOPE,
  inScope,
  outOfScopeError,
  parseScanScope,
  type ScanScope,
  scopeCidrs,
  WIDEN_HINT,
} from "./scan_scope.ts";
export {
  readScanScope,
  readScanScopeSetting,
  saveScanScope,
  type ScanScopeSetting,
} from "./scan_scope_repo.ts";
