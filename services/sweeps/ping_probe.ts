// Probes one host with the system ping (iputils), the sweeper's fallback when fping cannot run.
import type { CommandRunner } from "@/services/jobs/mod.ts";

export interface PingProbeOptions {
  runner: CommandRunner;
  /** How long one echo request may wait for its reply (ping -W). */
  timeoutMs: number;
  /** Further echo requests after an unanswered one. */
  retries: number;
  signal?: AbortSignal;
  /**
   * Give -W in whole seconds (rounded up). iputils before 2019 refuses fractions; the sweeper
   * switches to this when ping calls a fractional -W an invalid argument.
   */
  wholeSeconds?: boolean;
}

/** One host's answer to ping. */
export interface PingProbe {
  ip: string;
  up: boolean;
  latencyMs: number | null;
  /** Ping itself could not run: missing binary, or no permission to send ICMP. */
  unavailable?: "not_found" | "not_permitted";
  /** Ping rejected the fractional -W; retry with `wholeSeconds`. */
  badTimeout?: boolean;
  /** Anything else that went wrong (unknown address family, killed…). */
  error?: string;
}

/** `ping` arguments for one echo request; `--` keeps the address out of option position. */
export function pingArgs(ip: string, timeoutMs: number, wholeSeconds = false): string[] {
  const seconds = wholeSeconds
    ? String(Math.max(1, Math.ceil(timeoutMs / 1000)))
    : (Math.max(1, timeoutMs) / 1000).toFixed(3);
  return ["-n", "-c", "1", "-W", seconds, ip.includes(":") ? "-6" : "-4", "--", ip];
}

const RTT = /time[=<]\s*([0-9.]+)\s*ms/;
const NOT_PERMITTED = /Operation not permitted|Permission denied|cap_net_raw|must be root/i;

/** Reads one `ping -c 1` run: exit 0 = reply, 1 = no reply, anything else = error. */
export function parsePingOutput(
  ip: string,
  run: { code: number; stdout: string; stderr: string; notFound?: boolean },
): PingProbe {
  if (run.notFound) return { ip, up: false, latencyMs: null, unavailable: "not_found" };
  if (run.code === 0) {
    const rtt = RTT.exec(run.stdout);
    return { ip, up: true, latencyMs: rtt ? Number(rtt[1]) : null };
  }
  if (run.code === 1) return { ip, up: false, latencyMs: null };
  const message = (run.stderr || run.stdout).trim().split("\n").slice(0, 3).join("; ");
  if (NOT_PERMITTED.test(run.stderr)) {
    return { ip, up: false, latencyMs: null, unavailable: "not_permitted", error: message };
  }
  // The address is validated before it gets here, so the only argument ping can reject is -W.
  if (/invalid argument|bad linger time|bad timeout/i.test(run.stderr)) {
    return { ip, up: false, latencyMs: null, badTimeout: true, error: message };
  }
  return {
    ip,
    up: false,
    latencyMs: null,
    error: `ping ${ip} failed with exit code ${run.code}${message ? `: ${message}` : ""}`,
  };
}

/** Pings `ip` up to `retries + 1` times and stops at the first reply. */
export async function pingProbe(ip: string, opts: PingProbeOptions): Promise<PingProbe> {
  let last: PingProbe = { ip, up: false, latencyMs: null };
  for (let attempt = 0; attempt <= opts.retries; attempt++) {
    if (opts.signal?.aborted) break;
    const run = await opts.runner("ping", pingArgs(ip, opts.timeoutMs, opts.wholeSeconds), {
      // ping bounds itself with -W; this only catches a hung process.
      timeoutMs: opts.timeoutMs + 5000,
      signal: opts.signal,
    });
    last = parsePingOutput(ip, run);
    if (last.up || last.unavailable || last.badTimeout || last.error) return last;
  }
  return last;
}
