// Public API of port scanning: nmap options and output, scans as a service ("scan ports now",
// the scheduler), stored snapshots, diffs and service statistics.
export * from "./nmap_args.ts";
export * from "./nmap_config.ts";
export * from "./nmap_coverage.ts";
export * from "./nmap_xml.ts";
export * from "./port_diff.ts";
export * from "./port_repo.ts";
export * from "./port_requests.ts";
export * from "./port_scheduler.ts";
export * from "./port_snapshot.ts";
export * from "./port_starter.ts";
export * from "./port_stats_repo.ts";
export * from "./portscan.ts";
export * from "./portscan_service.ts";
