// Tracked background tasks shared by every domain (sweeps, scans, roll-ups, imports).
import type { Deps } from "@/web/env.ts";
import { createTaskRunner, type TaskRunner } from "./task_runner.ts";

export * from "./task_runner.ts";

/** The one task runner of an app instance, created on first use. */
export function tasksOf(deps: Deps): TaskRunner {
  deps.services.tasks ??= createTaskRunner(deps.db);
  return deps.services.tasks as TaskRunner;
}
