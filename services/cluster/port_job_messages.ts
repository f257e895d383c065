// Port scans through NATS: a port job (scheduler → a site's scanners, on the site's job stream beside
// sweep jobs) names the hosts and nmap options; its result (scanner → ingest, on the results stream
// beside sweep results) carries nmap's own output of each run. Ingest replays that output through
// the same scan code as a local scan (scanHosts with a replaying runner), so parsing, coverage and
// the stored snapshot are exactly those of a local scan.
import { z } from "zod";
import type { CommandRunner, RunResult } from "@/services/jobs/mod.ts";

/** Both message kinds share their subject with sweeps; `kind` tells them apart. */
export const PORT_KIND = "ports";

const TargetSchema = z.object({
  id: z.number().int(),
  ip: z.string().min(1).max(64),
  subnet_id: z.number().int().nullable(),
});

export const PortJobSchema = z.object({
  kind: z.literal(PORT_KIND),
  /** `ports-<uuid>`: one nmap batch; also the result's id. */
  job_id: z.string().min(1).max(200),
  site: z.string().min(1).max(63),
  hosts: z.array(TargetSchema).min(1).max(1024),
  /** nmap options as the scheduler validated them; the scanner checks them again. */
  args: z.array(z.string().max(200)).max(64),
  /** One nmap run's deadline (NMAP_TIMEOUT_SECONDS). */
  timeout_ms: z.number().int().positive(),
  issued_at: z.number(),
});
export type PortJob = z.infer<typeof PortJobSchema>;

const RunSchema = z.object({
  argv: z.array(z.string().max(200)).max(2048),
  code: z.number().int(),
  stdout: z.string(),
  stderr: z.string().max(4000),
  notFound: z.boolean().optional(),
  timedOut: z.boolean().optional(),
});
export type RecordedRun = z.infer<typeof RunSchema>;

export const PortResultSchema = z.object({
  kind: z.literal(PORT_KIND),
  result_id: z.string().min(1).max(200),
  site: z.string().min(1).max(63),
  instance: z.string().max(200),
  hosts: z.array(TargetSchema).min(1).max(1024),
  args: z.array(z.string().max(200)).max(64),
  started_at: z.number(),
  finished_at: z.number(),
  /** Each nmap run the scanner made, in order. */
  runs: z.array(RunSchema),
  /** Why nmap did not run at all (options refused on the scanner, output too large). */
  error: z.string().max(2000).nullable(),
});
export type PortResult = z.infer<typeof PortResultSchema>;

/** True when a message on a job or result subject is a port scan's (peeks at `kind` only). */
export function isPortMessage(data: Uint8Array): boolean {
  try {
    const v = JSON.parse(new TextDecoder().decode(data)) as { kind?: unknown };
    return v?.kind === PORT_KIND;
  } catch {
    return false;
  }
}

/** A runner that runs `inner` and keeps each run's output for the result message. */
export function recordingRunner(inner: CommandRunner, runs: RecordedRun[]): CommandRunner {
  return async (cmd, argv, opts) => {
    const r = await inner(cmd, argv, opts);
    runs.push({
      argv,
      code: r.code,
      stdout: r.stdout,
      stderr: r.stderr.slice(-4000),
      notFound: r.notFound,
      timedOut: r.timedOut,
    });
    return r;
  };
}

/**
 * A runner that answers each nmap call with the recorded run of the same arguments: the same hosts
 * and options give the same calls in the same order, so the scan code sees what the scanner saw.
 */
export function replayRunner(
  runs: RecordedRun[],
  missing = "the scanner reported no nmap run for these hosts",
): CommandRunner {
  const byArgv = new Map(runs.map((r) => [r.argv.join("\u0000"), r]));
  return (_cmd, argv): Promise<RunResult> => {
    const r = byArgv.get(argv.join("\u0000"));
    if (!r) {
      return Promise.resolve({
        code: -1,
        stdout: "",
        stderr: missing,
      });
    }
    return Promise.resolve({
      code: r.code,
      stdout: r.stdout,
      stderr: r.stderr,
      notFound: r.notFound,
      timedOut: r.timedOut,
    });
  };
}
