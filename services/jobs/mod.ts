// Public API of the shared job layer that sweeps and port scans run on: the command runner, KV
// leases (and the one helper that runs work under a lease), minute ticks, probe budgets and the
// live event hub.
export * from "./command_runner.ts";
export * from "./lease.ts";
export * from "./lease_keeper.ts";
export * from "./live_events.ts";
export * from "./minute_ticks.ts";
export * from "./probe_budget.ts";
export * from "./request_limit.ts";
export * from "./leased_work.ts";
