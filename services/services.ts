// The one typed set of services of an app instance, built once (main.ts, tests/support/test_app.ts)
// and passed down as `deps.services`. Members are created on first use so that building the set
// never fails: configuration checks (NMAP_ARGS) stay where start-up runs them.
import { type Alerts, createAlerts } from "@/services/alerts/mod.ts";
import type { Config } from "@/services/config/config.ts";
import { type Collector } from "@/services/netflow/mod.ts";
import { createPorts, type Ports, type PortScheduler } from "@/services/portscans/mod.ts";
import type { Db, StateStore } from "@/services/store/mod.ts";
import { createDiscovery, type Discovery, type Scheduler } from "@/services/sweeps/mod.ts";
import { createTaskRunner, type TaskRunner } from "@/services/tasks/mod.ts";
import {
  createOperations,
  type Operations,
  operationsSettings,
} from "@/services/operations/mod.ts";

/** What every part of the app is built on: configuration, stores, clock. */
export interface Core {
  cfg: Config;
  db: Db;
  kv: StateStore;
  /** Milliseconds since the epoch; tests pass their own clock. */
  now: () => number;
  version: string;
}

/** Extra fields for GET /health, added by background work (the NetFlow collector). */
export type HealthExtras = () => Promise<Record<string, unknown>>;

export interface Services {
  /** Tracked background tasks (sweeps, scans, roll-ups, imports). */
  tasks: TaskRunner;
  /** Sweep wiring: runner, live hub, "scan now" limits. Tests may replace it (createDiscovery). */
  sweeps: Discovery;
  /** Port-scan wiring: nmap args, slots, limits. Tests may replace it (createPorts). */
  ports: Ports;
  /** The running sweep scheduler of this instance, while background work runs. */
  sweepScheduler: Scheduler | null;
  /** The running port-scan scheduler, while background work runs. */
  portScheduler: PortScheduler | null;
  /** The NetFlow collector running in this process, if any. */
  netflow: Collector | null;
  healthExtras: HealthExtras | undefined;
  /** Ad-hoc checks, action runs (own concurrency cap) and their limits. Tests may replace it. */
  operations: Operations;
  /** Alert events, rules and durable deliveries (hooks of sweeps and port scans, API, pages). */
  alerts: Alerts;
}

/** Long-running work started beside the HTTP server (services/background.ts). */
export interface BackgroundTask {
  name: string;
  stop(): Promise<void>;
}

/** Everything a handler or a domain request may touch, built once and injected. */
export interface Deps extends Core {
  services: Services;
}

class AppServices implements Services {
  #deps: Deps;
  #tasks?: TaskRunner;
  #sweeps?: Discovery;
  #ports?: Ports;
  #operations?: Operations;
  #alerts?: Alerts;
  sweepScheduler: Scheduler | null = null;
  portScheduler: PortScheduler | null = null;
  netflow: Collector | null = null;
  healthExtras: HealthExtras | undefined = undefined;

  constructor(deps: Deps) {
    this.#deps = deps;
  }
  get tasks(): TaskRunner {
    return this.#tasks ??= createTaskRunner(this.#deps.db);
  }
  get sweeps(): Discovery {
    return this.#sweeps ??= createDiscovery(this.#deps);
  }
  set sweeps(d: Discovery) {
    this.#sweeps = d;
  }
  get ports(): Ports {
    return this.#ports ??= createPorts(this.#deps);
  }
  set ports(p: Ports) {
    this.#ports = p;
  }
  get operations(): Operations {
    const d = this.#deps;
    return this.#operations ??= createOperations({
      db: d.db,
      kv: d.kv,
      now: d.now,
      tasks: this.tasks,
      settings: operationsSettings(d.cfg),
      envScope: d.cfg.SCAN_SCOPE,
    });
  }
  set operations(o: Operations) {
    this.#operations = o;
  }
  get alerts(): Alerts {
    return this.#alerts ??= createAlerts(this.#deps);
  }
}

/** Builds the app's dependencies: the core plus its one set of services. */
export function createDeps(core: Core): Deps {
  const deps = { ...core } as Deps;
  deps.services = new AppServices(deps);
  return deps;
}
