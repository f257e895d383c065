// Public API of host discovery sweeps: plan and run sweeps (fping, TCP fallback), apply results to
// live state and history, the sweep scheduler, "scan now" requests, roll-ups and uptime.
export * from "./apply_results.ts";
export * from "./fping_parser.ts";
export * from "./history_repo.ts";
export * from "./neighbors.ts";
export * from "./oui_vendor.ts";
export * from "./ptr.ts";
export * from "./rollup.ts";
export * from "./history_jobs.ts";
export * from "./known_host_cycle.ts";
export * from "./run_log_repo.ts";
export * from "./scanner_status.ts";
export * from "./state_store.ts";
export * from "./sweep_plan.ts";
export * from "./sweep_requests.ts";
export * from "./sweep_scheduler.ts";
export * from "./sweep_service.ts";
export * from "./sweep_starter.ts";
export * from "./sweeper.ts";
export type { TcpDial } from "./tcp_probe.ts";
export * from "./uptime.ts";
export * from "./scan_scope.ts";
export * from "./scan_scope_repo.ts";
