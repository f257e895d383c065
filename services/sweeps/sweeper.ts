// Sweeps a list of addresses: fping first, then system ping, then TCP connect, recording who answered.
import { AppError } from "@/services/errors.ts";
import { mapBounded } from "./bounded_map.ts";
import type { CommandRunner } from "@/services/jobs/mod.ts";
import {
  aliveLineReader,
  fpingArgs,
  type FpingArgsOptions,
  fpingDeadlineMs,
  isPermissionError,
  parseFpingOutput,
} from "./fping_parser.ts";
import { type PingProbe, pingProbe } from "./ping_probe.ts";
import { normalizeIp } from "@/services/ipam/mod.ts";
import { type TcpDial, tcpProbe } from "./tcp_probe.ts";

/** A way of asking "are you there?". */
export type SweepMethod = "fping" | "ping" | "tcp";

export interface SweepOptions {
  /** Runs fping and ping; point it at another PATH (or a namespace) in tests. */
  runner: CommandRunner;
  /** How long one probe waits for an answer (fping -t, ping -W, TCP connect). Default 500. */
  timeoutMs?: number;
  /** Further probes after an unanswered one (fping -r, repeated ping / TCP rounds). Default 1. */
  retries?: number;
  /** How many ping processes or hosts under TCP probing run at once. Default 64. */
  workers?: number;
  /**
   * "auto" (default): fping; if fping is missing or may not send ICMP, ping; if ping is missing or
   * may not either, TCP connect. Then ICMP-silent hosts get a TCP re-check (see
   * `tcpRecheckLimit`). A named method runs alone and throws AppError 503 when it cannot run.
   */
  method?: "auto" | SweepMethod;
  /** Ports for TCP probing; an accepted or refused connection proves the host up. */
  tcpPorts?: number[];
  /**
   * In "auto", hosts ICMP found silent are re-checked over TCP (firewalls often drop ping but not
   * TCP) when there are at most this many (default 256: a /24 worth); beyond that only those in
   * `knownHosts` are, so a sparse /16 does not cost 65k connection timeouts. 0 disables.
   */
  tcpRecheckLimit?: number;
  /** Addresses already inventoried; always re-checked over TCP when ICMP finds them silent. */
  knownHosts?: Iterable<string> | Promise<Iterable<string>>;
  /** fping -i: minimum gap between any two packets. Default 1 ms (1000 packets/s at most). */
  intervalMs?: number;
  /** fping -B: timeout multiplier per retry. Default fping's own (1.5). */
  backoff?: number;
  /** Largest number of targets handed to one fping process. Default 65,536. */
  fpingChunkSize?: number;
  /** TCP dialer; Deno.connect unless a test swaps it. */
  dial?: TcpDial;
  /** Clock in milliseconds (durationMs, TCP latency). Default performance.now. */
  now?: () => number;
  /** Aborting stops the sweep: running children are killed, the rest is not probed. */
  signal?: AbortSignal;
  /**
   * Told about hosts fping proved up while it is still running (each host once, before `sweep`
   * returns), so the caller can store them meanwhile. Final: the returned results say the same.
   */
  onAlive?: (hosts: SweepHostResult[]) => void;
}

/** One host's verdict. */
export interface SweepHostResult {
  ip: string;
  up: boolean;
  /** Round-trip time of the answer that proved the host up; null when down. */
  latencyMs: number | null;
  /**
   * The method that answered (when up) or the last one that tried (when down); "arp" when only
   * the optional ARP pass (services/arp) found the host.
   */
  method: SweepMethod | "arp";
}

export interface SweepResult {
  /** The method that swept the list (the first of fping, ping, TCP that could run). */
  method: SweepMethod;
  /** One verdict per distinct target, in the order given. */
  results: SweepHostResult[];
  /** Why methods were skipped, fallbacks taken, hosts not probed; empty when all went well. */
  errors: string[];
  /** Expected, informational events (e.g. TCP re-checks limited to known hosts). */
  notes: string[];
  durationMs: number;
}

const DEFAULTS = {
  timeoutMs: 500,
  retries: 1,
  workers: 64,
  tcpPorts: [22, 80, 443],
  tcpRecheckLimit: 256,
  intervalMs: 1,
  fpingChunkSize: 65_536,
};

/**
 * Probes every address in `targets` (literal IPv4/IPv6 addresses, e.g. a {@link SweepPlan}'s
 * targets) and says which are up. Duplicates are probed once. Throws AppError 422 when a target
 * is not a literal address, and 503 when a named `method` cannot run here.
 */
export async function sweep(
  targets: Iterable<string>,
  options: SweepOptions,
): Promise<SweepResult> {
  const opts = { ...DEFAULTS, ...options };
  const now = options.now ?? (() => performance.now());
  const started = now();
  const method = options.method ?? "auto";
  const ips = distinctAddresses(targets);
  const errors: string[] = [];
  const notes: string[] = [];
  const verdicts = new Map<string, SweepHostResult>();
  const set = (ip: string, up: boolean, latencyMs: number | null, by: SweepMethod) =>
    verdicts.set(ip, { ip, up, latencyMs: up ? latencyMs : null, method: by });

  let primary: SweepMethod | null = null;
  let pending = ips;

  if (ips.length > 0 && (method === "auto" || method === "fping")) {
    const stage = await fpingStage(ips, opts);
    errors.push(...stage.errors);
    if (stage.unavailable) {
      if (method === "fping") throw unavailable("fping", stage.unavailable);
      errors.push(`fping unavailable (${stage.unavailable}); falling back to ping`);
    } else {
      primary = "fping";
      for (const host of stage.hosts) set(host.ip, host.up, host.latencyMs, "fping");
      pending = stage.retry;
    }
  }

  if (pending.length > 0 && (method === "auto" || method === "ping")) {
    const stage = await pingStage(pending, opts);
    errors.push(...stage.errors);
    if (stage.unavailable && stage.probes.length === 0) {
      if (method === "ping") throw unavailable("ping", stage.unavailable);
      errors.push(`ping unavailable (${stage.unavailable}); falling back to TCP connect`);
    } else {
      primary ??= "ping";
    }
    for (const probe of stage.probes) set(probe.ip, probe.up, probe.latencyMs, "ping");
    pending = stage.retry;
  }

  if (pending.length > 0 && (method === "auto" || method === "tcp")) {
    primary ??= "tcp";
    await tcpStage(pending, opts, now, set);
    pending = [];
  }

  // Firewalls that drop echo requests rarely drop TCP: give silent hosts a second chance.
  if (method === "auto" && primary !== "tcp" && opts.tcpRecheckLimit > 0) {
    const silent = ips.filter((ip) => {
      const verdict = verdicts.get(ip);
      return verdict !== undefined && !verdict.up && verdict.method !== "tcp";
    });
    let recheck = silent;
    if (silent.length > opts.tcpRecheckLimit) {
      const known = new Set(distinctAddresses(await options.knownHosts ?? [], false));
      recheck = silent.filter((ip) => known.has(ip));
      notes.push(
        `${silent.length} hosts did not answer ICMP; more than tcpRecheckLimit ` +
          `(${opts.tcpRecheckLimit}), so only the ${recheck.length} known ones were re-checked over TCP`,
      );
    }
    await tcpStage(recheck, opts, now, (ip, up, latencyMs, by) => {
      if (up) set(ip, up, latencyMs, by);
    });
  }

  if (options.signal?.aborted) errors.push("sweep aborted; unprobed hosts are reported down");
  const results = ips.map((ip) =>
    verdicts.get(ip) ??
      { ip, up: false, latencyMs: null, method: primary ?? fallbackMethod(method) }
  );
  return {
    method: primary ?? fallbackMethod(method),
    results,
    errors,
    notes,
    durationMs: now() - started,
  };
}

type Resolved = typeof DEFAULTS & SweepOptions;

/** Runs fping over the targets in chunks; hosts it could not judge are handed back in `retry`. */
async function fpingStage(ips: string[], opts: Resolved) {
  const errors: string[] = [];
  const hosts: Array<{ ip: string; up: boolean; latencyMs: number | null }> = [];
  const retry: string[] = [];
  const args: FpingArgsOptions = {
    timeoutMs: opts.timeoutMs,
    retries: opts.retries,
    intervalMs: opts.intervalMs,
    backoff: opts.backoff,
  };
  const told = new Set<string>();
  for (let start = 0; start < ips.length; start += opts.fpingChunkSize) {
    if (opts.signal?.aborted) break;
    const chunk = ips.slice(start, start + opts.fpingChunkSize);
    const onAlive = opts.onAlive;
    const wanted = new Set(chunk);
    // Alive lines as fping prints them: storing them overlaps with the rest of its run.
    const onStdout = onAlive && aliveLineReader((seen) => {
      const fresh = seen.filter((h) => wanted.has(h.ip) && !told.has(h.ip));
      for (const h of fresh) told.add(h.ip);
      if (fresh.length > 0) onAlive(fresh.map((h) => ({ ...h, method: "fping" as const })));
    });
    const run = await opts.runner("fping", fpingArgs(args), {
      stdin: chunk.join("\n") + "\n",
      timeoutMs: fpingDeadlineMs(chunk.length, args),
      signal: opts.signal,
      ...(onStdout && { onStdout }),
    });
    if (run.notFound) return { unavailable: "not installed", hosts, retry, errors };
    const report = parseFpingOutput(run);
    if (report.icmpNotPermitted) {
      return { unavailable: `may not send ICMP: ${report.fatal}`, hosts, retry, errors };
    }
    if (report.fatal && report.hosts.length === 0) {
      if (start === 0) return { unavailable: report.fatal, hosts, retry, errors };
      errors.push(report.fatal);
      retry.push(...chunk);
      continue;
    }
    if (report.fatal) errors.push(report.fatal);
    if (report.unparsed.length > 0) {
      errors.push(`fping printed unexpected lines: ${report.unparsed.slice(0, 3).join(" | ")}`);
    }
    const refused = new Set(
      report.sendErrors.filter((e) => isPermissionError(e.error)).map((e) => e.ip),
    );
    if (refused.size > 0) {
      errors.push(`ICMP sends refused for ${refused.size} hosts; probing them another way`);
    }
    const judged = new Set<string>();
    for (const host of report.hosts) {
      if (!wanted.has(host.ip) || judged.has(host.ip) || refused.has(host.ip)) continue;
      judged.add(host.ip);
      hosts.push(host);
    }
    const missing = chunk.filter((ip) => !judged.has(ip));
    const unexplained = missing.length - refused.size;
    if (unexplained > 0) {
      errors.push(`fping gave no verdict for ${unexplained} hosts; probing them another way`);
    }
    retry.push(...missing);
  }
  return { unavailable: null, hosts, retry, errors };
}

/** Pings hosts with bounded parallelism; a canary first, so a useless ping is not run 65k times. */
async function pingStage(ips: string[], opts: Resolved) {
  const errors: string[] = [];
  const probes: PingProbe[] = [];
  const retry: string[] = [];
  const probeOpts = {
    runner: opts.runner,
    timeoutMs: opts.timeoutMs,
    retries: opts.retries,
    signal: opts.signal,
    wholeSeconds: false,
  };
  let canary = await pingProbe(ips[0], probeOpts);
  if (canary.badTimeout) {
    probeOpts.wholeSeconds = true;
    canary = await pingProbe(ips[0], probeOpts);
  }
  if (canary.unavailable) {
    const why = canary.unavailable === "not_found"
      ? "not installed"
      : `may not send ICMP: ${canary.error}`;
    return { unavailable: why, probes, retry: ips, errors };
  }
  let refusedCount = 0;
  const failures: string[] = [];
  const rest = await mapBounded(
    ips.slice(1),
    opts.workers,
    (ip) => pingProbe(ip, probeOpts),
    () => opts.signal?.aborted === true,
  );
  for (const probe of [canary, ...rest]) {
    if (!probe) continue;
    if (probe.unavailable) {
      refusedCount++;
      retry.push(probe.ip);
      continue;
    }
    if (probe.error) failures.push(probe.error);
    probes.push(probe);
  }
  // One line per failing host would bury the log on a /16; a few examples and a count suffice.
  errors.push(...failures.slice(0, 3));
  if (failures.length > 3) errors.push(`…and ${failures.length - 3} more ping failures`);
  if (refusedCount > 0) {
    errors.push(`ping may not reach ${refusedCount} hosts; probing them over TCP`);
  }
  return { unavailable: null, probes, retry, errors };
}

async function tcpStage(
  ips: string[],
  opts: Resolved,
  now: () => number,
  record: (ip: string, up: boolean, latencyMs: number | null, by: SweepMethod) => void,
): Promise<void> {
  if (ips.length === 0) return;
  await mapBounded(ips, opts.workers, async (ip) => {
    const probe = await tcpProbe(ip, {
      ports: opts.tcpPorts,
      timeoutMs: opts.timeoutMs,
      retries: opts.retries,
      dial: opts.dial,
      signal: opts.signal,
      now,
    });
    record(ip, probe.up, probe.latencyMs, "tcp");
  }, () => opts.signal?.aborted === true);
}

/** Canonical, distinct addresses in input order; non-addresses are an error (or skipped). */
function distinctAddresses(targets: Iterable<string>, strict = true): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const target of targets) {
    const parsed = normalizeIp(String(target));
    if (!parsed) {
      if (!strict) continue;
      throw new AppError(
        422,
        "invalid_target",
        `sweep target "${target}" is not a literal IPv4 or IPv6 address; expected e.g. 198.51.100.7`,
      );
    }
    if (seen.has(parsed.ip)) continue;
    seen.add(parsed.ip);
    out.push(parsed.ip);
  }
  return out;
}

function unavailable(method: SweepMethod, why: string): AppError {
  const hint = method === "fping" ? "apt-get install fping" : "apt-get install iputils-ping";
  return new AppError(
    503,
    "sweep_method_unavailable",
    `cannot sweep with ${method}: ${why}; install it (${hint}), grant it CAP_NET_RAW, or use method "auto"`,
  );
}

function fallbackMethod(method: "auto" | SweepMethod): SweepMethod {
  return method === "auto" ? "fping" : method;
}
