// Builds fping's sweep arguments and reads its output (fping 5.x, default "verbose" mode with -e).
//
// Why this invocation: in fping's default mode (no -a/-u/-q/-c/-C) every target gets exactly one
// stdout line, "<ip> is alive (<rtt> ms)" or "<ip> is unreachable", retries (-r) and backoff (-B)
// apply, and fatal errors such as "can't create socket" are still printed (fping silences them
// under -a/-q). Count modes (-c/-C) ignore -r and put results on stderr among other chatter.
// Targets go in on stdin: no argument-length limit, IPv4 and IPv6 alike, and nothing a target
// says can ever land in an option position.
import { normalizeIp } from "@/services/ipam/mod.ts";

export interface FpingArgsOptions {
  /** Initial per-target timeout (-t); fping multiplies it by `backoff` on each retry. */
  timeoutMs: number;
  /** Retries after the first probe (-r). */
  retries: number;
  /** Minimum gap between any two packets fping sends (-i); bounds the packet rate. */
  intervalMs: number;
  /** Timeout multiplier per retry (-B, 1.0–5.0; fping's default is 1.5). */
  backoff?: number;
}

/** fping arguments for a sweep; the targets are written to stdin, one per line. */
export function fpingArgs(opts: FpingArgsOptions): string[] {
  const args = [
    "-e",
    "-t",
    String(Math.max(1, Math.round(opts.timeoutMs))),
    "-r",
    String(Math.max(0, Math.floor(opts.retries))),
    "-i",
    String(Math.max(0, opts.intervalMs)),
  ];
  if (opts.backoff !== undefined) args.push("-B", String(opts.backoff));
  return args;
}

/** Upper bound on how long one fping run over `targets` addresses can legitimately take. */
export function fpingDeadlineMs(targets: number, opts: FpingArgsOptions): number {
  const backoff = opts.backoff ?? 1.5;
  let waits = 0;
  for (let k = 0; k <= opts.retries; k++) waits += opts.timeoutMs * backoff ** k;
  const sending = targets * (opts.retries + 1) * Math.max(opts.intervalMs, 1) * 1.5;
  return Math.ceil(sending + waits + 10_000);
}

/** One host's verdict as fping printed it. */
export interface FpingHost {
  ip: string;
  up: boolean;
  /** Round-trip time of the reply that proved the host alive; null when down. */
  latencyMs: number | null;
}

/** Everything a sweep needs to know from one fping run. */
export interface FpingReport {
  /** One entry per host line on stdout, in output order. */
  hosts: FpingHost[];
  /** Targets fping could not resolve (exit code 2), with its reason. */
  unknown: Array<{ target: string; reason: string }>;
  /** Targets whose echo request could not even be sent (e.g. a firewall's EPERM). */
  sendErrors: Array<{ ip: string; error: string }>;
  /** Why fping could not sweep at all (bad arguments, exit 3/4, killed), or null. */
  fatal: string | null;
  /** fping could not open an ICMP socket: neither raw (no CAP_NET_RAW) nor datagram ICMP. */
  icmpNotPermitted: boolean;
  /** Lines that matched nothing known, kept for diagnostics. */
  unparsed: string[];
}

const ALIVE = /^(\S+) is alive(?: \(([0-9.e+-]+) ms\))?/;
const UNREACHABLE = /^(\S+) is unreachable$/;
const SEND_ERROR = /^(\S+): error while sending ping: (.*)$/;
const TARGET_ERROR = /^(\S+): (.*)$/;
// Chatter that says nothing about a verdict: ICMP errors from routers, duplicate replies.
const INFORMATIONAL = [/ for ICMP Echo sent to /, / : duplicate for \[/, /^\s*\[<- /];
const NOT_PERMITTED = /can't create socket|Operation not permitted|Permission denied/;

/** Reads fping's stdout, stderr and exit code (0 all alive, 1 some down, 2 unknown host, 3/4 error). */
export function parseFpingOutput(
  run: { code: number; stdout: string; stderr: string },
): FpingReport {
  const report: FpingReport = {
    hosts: [],
    unknown: [],
    sendErrors: [],
    fatal: null,
    icmpNotPermitted: false,
    unparsed: [],
  };

  for (const line of lines(run.stdout)) {
    const alive = aliveHost(line);
    if (alive) {
      report.hosts.push(alive);
      continue;
    }
    const down = UNREACHABLE.exec(line);
    if (down) {
      report.hosts.push({ ip: canonical(down[1]), up: false, latencyMs: null });
      continue;
    }
    report.unparsed.push(line);
  }

  const programErrors: string[] = [];
  for (const line of lines(run.stderr)) {
    if (INFORMATIONAL.some((re) => re.test(line))) continue;
    const send = SEND_ERROR.exec(line);
    if (send) {
      report.sendErrors.push({ ip: canonical(send[1]), error: send[2] });
      continue;
    }
    const target = TARGET_ERROR.exec(line);
    // fping prefixes its own complaints with argv[0] ("fping", "/usr/bin/fping"); a target is an
    // address, never a name ending in "fping".
    if (target && target[1] !== "Usage" && !target[1].endsWith("fping")) {
      report.unknown.push({ target: target[1], reason: target[2] });
      continue;
    }
    programErrors.push(line);
  }

  report.icmpNotPermitted = programErrors.some((l) => /can't create socket/.test(l)) ||
    (report.hosts.length === 0 && programErrors.some((l) => NOT_PERMITTED.test(l)));

  const usageError = run.code === 1 && report.hosts.length === 0 && programErrors.length > 0;
  if (run.code >= 3 || usageError || report.icmpNotPermitted) {
    // fping's own complaints start with its name; the usage text after them adds nothing.
    const own = programErrors.filter((l) => /^\S*fping[:,] /.test(l));
    const detail = (own.length > 0 ? own : programErrors.slice(0, 1)).slice(0, 3).join("; ");
    report.fatal = run.code > 128
      ? `fping was killed by signal ${run.code - 128}${detail ? ` (${detail})` : ""}`
      : `fping failed with exit code ${run.code}${detail ? `: ${detail}` : ""}`;
  }
  return report;
}

/**
 * Feeds fping's stdout as it arrives and calls `onAlive` with the hosts each piece proved alive
 * (whole lines only; a line split across pieces waits for its end). "Alive" is final whatever
 * else fping prints later, so a sweep can store those hosts while fping still runs.
 */
export function aliveLineReader(onAlive: (hosts: FpingHost[]) => void): (text: string) => void {
  let partial = "";
  return (text) => {
    const parts = (partial + text).split("\n");
    partial = parts.pop() ?? "";
    const hosts: FpingHost[] = [];
    for (const raw of parts) {
      const alive = aliveHost(raw.replace(/\r$/, ""));
      if (alive) hosts.push(alive);
    }
    if (hosts.length > 0) onAlive(hosts);
  };
}

/** True when a send error means policy refused ICMP rather than the network being unreachable. */
export function isPermissionError(error: string): boolean {
  return NOT_PERMITTED.test(error);
}

/** The host an "<ip> is alive (<rtt> ms)" line names, or null for any other line. */
function aliveHost(line: string): FpingHost | null {
  const alive = ALIVE.exec(line);
  if (!alive) return null;
  const latency = alive[2] === undefined ? NaN : Number(alive[2]);
  return {
    ip: canonical(alive[1]),
    up: true,
    latencyMs: Number.isFinite(latency) ? latency : null,
  };
}

function canonical(text: string): string {
  return normalizeIp(text)?.ip ?? text;
}

function lines(text: string): string[] {
  return text.split("\n").map((l) => l.replace(/\r$/, "")).filter((l) => l.length > 0);
}
