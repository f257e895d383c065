// Wires the operations domain into an app instance (config → settings, the shared task runner).
import {
  createOperations,
  type Operations,
  type OperationsDeps,
  type OperationsSettings,
} from "@/services/operations/mod.ts";
import type { Config } from "@/services/config/config.ts";
import { tasksOf } from "@/services/tasks/mod.ts";
import type { Deps } from "./env.ts";

export function operationsSettings(cfg: Config): OperationsSettings {
  return {
    dataDir: cfg.DATA_DIR,
    actionsDir: cfg.ACTIONS_DIR,
    actionMaxConcurrent: cfg.ACTION_MAX_CONCURRENT,
    actionOutputMaxBytes: cfg.ACTION_OUTPUT_MAX_BYTES,
    adhocRatePerMinute: cfg.ADHOC_RATE_PER_MINUTE,
    pingTimeoutMs: cfg.PING_TIMEOUT_MS,
    pingRetries: cfg.PING_RETRIES,
    maxSweepPrefix: cfg.MAX_SWEEP_PREFIX,
    nmapTimeoutMs: cfg.NMAP_TIMEOUT_SECONDS * 1000,
  };
}

/** Builds (tests pass overrides such as a lab runner) and registers the instance's operations. */
export function createOperationsFor(
  deps: Deps,
  overrides: Partial<Omit<OperationsDeps, "db" | "kv" | "now" | "tasks">> = {},
): Operations {
  const ops = createOperations({
    db: deps.db,
    kv: deps.kv,
    now: deps.now,
    tasks: tasksOf(deps),
    settings: operationsSettings(deps.cfg),
    envScope: deps.cfg.SCAN_SCOPE,
    ...overrides,
  });
  deps.services.operations = ops;
  return ops;
}

/** The instance's operations, created on first use. */
export function operationsOf(deps: Deps): Operations {
  return (deps.services.operations as Operations | undefined) ?? createOperationsFor(deps);
}
