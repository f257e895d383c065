// Port-scans hosts with nmap (allowlisted options, XML on stdout), several hosts per nmap run.
import { AppError } from "@/services/errors.ts";
import type { CommandRunner } from "@/services/jobs/mod.ts";
import { DEFAULT_NMAP_ARGS, parseNmapArgs } from "./nmap_args.ts";
import { type NmapHost, parseNmapXml } from "./nmap_xml.ts";
import { normalizeIp } from "@/services/ipam/mod.ts";

export interface PortscanOptions {
  runner: CommandRunner;
  /** nmap options, checked by {@link parseNmapArgs}; DEFAULT_NMAP_ARGS when absent. */
  args?: string | string[];
  /** Deadline for one nmap run (one batch); default 10 minutes. */
  timeoutMs?: number;
  /** Hosts per nmap run; default 16. nmap parallelizes inside a run, runs are sequential. */
  batchSize?: number;
  /** When false, raw-socket options (-sS, -sU, -O) are refused before nmap runs. */
  isRoot?: boolean;
  signal?: AbortSignal;
}

export interface PortscanResult {
  /** Hosts nmap reported on (only ones that were asked for), in the order nmap reported them. */
  hosts: NmapHost[];
  /** The options actually used, as stored with the scan (targets and -oX excluded). */
  args: string[];
  /** Batches that failed or timed out, with nmap's own words. */
  errors: string[];
}

/**
 * Runs `nmap <args> -oX - -- <ips…>` in batches and parses the XML. IPv4 and IPv6 hosts go in
 * separate runs because nmap needs -6 for the latter (added here, never needed in `args`).
 * Throws AppError 422 for invalid args or targets, 503 when nmap is not installed.
 */
export async function portscan(ips: string[], opts: PortscanOptions): Promise<PortscanResult> {
  const args = parseNmapArgs(opts.args ?? [...DEFAULT_NMAP_ARGS], { isRoot: opts.isRoot })
    .filter((a) => a !== "-6");
  const batchSize = Math.max(1, Math.floor(opts.batchSize ?? 16));
  const timeoutMs = opts.timeoutMs ?? 600_000;

  const byFamily: Record<4 | 6, string[]> = { 4: [], 6: [] };
  const seen = new Set<string>();
  for (const raw of ips) {
    const parsed = normalizeIp(raw);
    if (!parsed) {
      throw new AppError(
        422,
        "invalid_target",
        `port scan target "${raw}" is not a literal IPv4 or IPv6 address`,
      );
    }
    if (seen.has(parsed.ip)) continue;
    seen.add(parsed.ip);
    byFamily[parsed.family].push(parsed.ip);
  }

  const hosts: NmapHost[] = [];
  const errors: string[] = [];
  for (const family of [4, 6] as const) {
    const list = byFamily[family];
    for (let i = 0; i < list.length; i += batchSize) {
      if (opts.signal?.aborted) {
        errors.push("port scan aborted; remaining hosts were not scanned");
        return { hosts, args, errors };
      }
      const batch = list.slice(i, i + batchSize);
      const argv = [...args, ...(family === 6 ? ["-6"] : []), "-oX", "-", "--", ...batch];
      const run = await opts.runner("nmap", argv, { timeoutMs, signal: opts.signal });
      if (run.notFound) {
        throw new AppError(
          503,
          "nmap_not_found",
          "nmap is not installed or not on PATH; install it (apt-get install nmap) to scan ports",
        );
      }
      const label = batch.length > 3
        ? `${batch.slice(0, 3).join(", ")} and ${batch.length - 3} more`
        : batch.join(", ");
      if (run.timedOut) errors.push(`nmap timed out after ${timeoutMs} ms scanning ${label}`);
      else if (run.code !== 0) {
        const why = run.stderr.trim().split("\n").filter(Boolean).slice(-2).join("; ");
        errors.push(`nmap exited with code ${run.code} scanning ${label}${why ? `: ${why}` : ""}`);
      }
      if (run.stdout.trim() === "") continue;
      try {
        const wanted = new Set(batch);
        hosts.push(...parseNmapXml(run.stdout).filter((h) => wanted.has(h.ip)));
      } catch (err) {
        // A killed nmap leaves half a document; the error above already says why.
        if (run.code === 0 && !run.timedOut) errors.push((err as Error).message);
      }
    }
  }
  return { hosts, args, errors };
}
