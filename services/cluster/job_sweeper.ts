// How a scanner sweeps one job: the plan and the probes of a local sweep, without the database (a
// remote site's scanner reaches only NATS). Only verdicts ingest can use travel back: every alive
// address, and the inventoried ones that did not answer.
import { type CommandRunner, type ProbeBudget } from "@/services/jobs/mod.ts";
import { planSweep, sweep, type SweepTunables } from "@/services/sweeps/mod.ts";
import type { SweepJob } from "./job_messages.ts";
import type { JobSweepOutcome } from "./scanner_agent.ts";

export function createJobSweeper(o: {
  runner: CommandRunner;
  budget: ProbeBudget;
  tunables: SweepTunables;
}): (job: SweepJob, signal: AbortSignal) => Promise<JobSweepOutcome> {
  return async (job, signal) => {
    const plan = planSweep(job.cidr, job.known, {
      maxSweepPrefix: job.max_sweep_prefix,
      exclude: job.exclude,
    });
    const grant = await o.budget.acquire(plan.count, signal);
    try {
      const res = await sweep(plan.targets, {
        runner: o.runner,
        timeoutMs: o.tunables.timeoutMs,
        retries: o.tunables.retries,
        workers: grant.workers,
        knownHosts: job.known,
        signal,
      });
      const known = new Set(job.known);
      return {
        status: "succeeded",
        method: res.method,
        targets: plan.count,
        results: res.results.filter((r) => r.up || known.has(r.ip)),
        errors: res.errors,
        notes: res.notes,
      };
    } finally {
      grant.release();
    }
  };
}
