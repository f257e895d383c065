// Ad-hoc checks of any in-scope address or prefix: ping (fping → ping → TCP), sweep, port scan.
// Each writes one scan_result row; nothing here touches the host inventory.
import { AppError } from "@/services/errors.ts";
import { parseCidr, type ParsedCidr, parseIp } from "@/services/ipam/mod.ts";
import type { Db } from "@/services/store/mod.ts";
import { parsePortList, type PortList } from "./port_list.ts";
import {
  type CommandRunner,
  type NmapPort,
  parseNmapArgs,
  planSweep,
  portscan,
  sweep,
  type SweepMethod,
  type TcpDial,
} from "./probes.ts";
import { finishScanResult, insertScanResult, type ScanResult } from "./scan_results.ts";
import { assertInScope, type Scope } from "./target_scope.ts";

/** Synchronous port scans: at most this many ports and this deadline, else the async form. */
export const SYNC_PORTSCAN_MAX_PORTS = 100;
export const SYNC_PORTSCAN_DEADLINE_MS = 30_000;
/** TCP ports a ping tries when ICMP gets no answer. */
export const PING_TCP_PORTS = [22, 80, 443];
/** Alive addresses kept in a sweep result's summary. */
const MAX_ALIVE_LISTED = 65_536;

export interface AdhocEnv {
  db: Db;
  runner: CommandRunner;
  now: () => number;
  pingTimeoutMs: number;
  pingRetries: number;
  maxSweepPrefix: number;
  /** Deadline of one asynchronous nmap run. */
  nmapTimeoutMs: number;
  isRoot: boolean;
  /** Where ad-hoc checks may probe, read fresh for each check (it can change at any time). */
  scope: () => Promise<Scope>;
  dial?: TcpDial;
}

export interface Who {
  username: string | null;
  taskId?: string | null;
}

/** A single address in scope, canonical; 422 otherwise. */
export function adhocAddress(text: string, scope: Scope): { ip: string; cidr: ParsedCidr } {
  const p = parseIp(text);
  const cidr = parseCidr(`${p.ip}/${p.family === 4 ? 32 : 128}`);
  assertInScope(cidr, scope);
  return { ip: p.ip, cidr };
}

/** A CIDR, or a bare IPv4 address meaning its /24; in scope and not too large; 422 otherwise. */
export function adhocPrefix(text: string, maxSweepPrefix: number, scope: Scope): ParsedCidr {
  const trimmed = text.trim();
  let cidr: ParsedCidr;
  if (trimmed.includes("/")) cidr = parseCidr(trimmed, { normalize: true });
  else {
    const p = parseIp(trimmed);
    cidr = parseCidr(`${p.ip}/${p.family === 4 ? 24 : 128}`, { normalize: true });
  }
  assertInScope(cidr, scope);
  planSweep(cidr.cidr, [], { maxSweepPrefix }); // 422 subnet_too_large now, not in the task
  return cidr;
}

export interface PingAttempt {
  method: SweepMethod;
  up: boolean;
  latency_ms: number | null;
  error: string | null;
}

/** Pings one address: fping, then system ping, then TCP connect to 22/80/443; says who answered. */
export async function pingAddress(env: AdhocEnv, target: string, who: Who): Promise<ScanResult> {
  const { ip } = adhocAddress(target, await env.scope());
  const started = env.now();
  const hostIdLookup = knownHostId(env.db, ip);
  const attempts: PingAttempt[] = [];
  let answered: PingAttempt | null = null;
  for (const method of ["fping", "ping", "tcp"] as const) {
    try {
      const res = await sweep([ip], {
        runner: env.runner,
        method,
        timeoutMs: env.pingTimeoutMs,
        retries: env.pingRetries,
        tcpPorts: PING_TCP_PORTS,
        ...(env.dial && { dial: env.dial }),
      });
      const r = res.results[0];
      const attempt = {
        method,
        up: r?.up ?? false,
        latency_ms: r?.latencyMs == null ? null : Math.round(r.latencyMs * 1000) / 1000,
        error: res.errors[0] ?? null,
      };
      attempts.push(attempt);
      if (attempt.up) {
        answered = attempt;
        break;
      }
    } catch (err) {
      attempts.push({ method, up: false, latency_ms: null, error: (err as Error).message });
    }
  }
  const hostId = await hostIdLookup;
  return await insertScanResult(env.db, {
    kind: "ping",
    target: ip,
    hostId,
    source: "adhoc",
    startedAt: started,
    finishedAt: env.now(),
    status: "succeeded",
    summary: {
      ip,
      alive: answered !== null,
      answered_by: answered?.method ?? null,
      latency_ms: answered?.latency_ms ?? null,
      attempts,
    },
    openPorts: null,
    username: who.username,
    taskId: who.taskId ?? null,
  });
}

/** Sweeps an in-scope prefix and stores which addresses answered. */
export async function sweepPrefix(
  env: AdhocEnv,
  cidr: ParsedCidr,
  who: Who,
  opts: {
    signal?: AbortSignal;
    progress?: (f: number, note?: string) => Promise<void>;
    /** Re-check ICMP-silent addresses over TCP 22/80/443 (default true, as discovery does). */
    tcpRecheck?: boolean;
  } = {},
): Promise<ScanResult> {
  const plan = planSweep(cidr.cidr, [], { maxSweepPrefix: env.maxSweepPrefix });
  const row = await insertScanResult(env.db, {
    kind: "sweep",
    target: plan.cidr,
    hostId: null,
    source: "adhoc",
    startedAt: env.now(),
    finishedAt: null,
    status: "running",
    summary: { targets: plan.count, tcp_recheck: opts.tcpRecheck !== false },
    openPorts: null,
    username: who.username,
    taskId: who.taskId ?? null,
  });
  await opts.progress?.(0.05, `sweeping ${plan.count} addresses of ${plan.cidr}`);
  try {
    const res = await sweep(plan.targets, {
      runner: env.runner,
      timeoutMs: env.pingTimeoutMs,
      retries: env.pingRetries,
      ...(opts.tcpRecheck === false && { tcpRecheckLimit: 0 }),
      ...(opts.signal && { signal: opts.signal }),
      ...(env.dial && { dial: env.dial }),
    });
    const alive = res.results.filter((r) => r.up);
    await opts.progress?.(0.95, `${alive.length} of ${plan.count} answered`);
    return await finishScanResult(env.db, row.id, {
      finishedAt: env.now(),
      status: opts.signal?.aborted ? "aborted" : "succeeded",
      summary: {
        targets: plan.count,
        tcp_recheck: opts.tcpRecheck !== false,
        method: res.method,
        hosts_up: alive.length,
        hosts_down: plan.count - alive.length,
        alive: alive.slice(0, MAX_ALIVE_LISTED).map((r) => ({
          ip: r.ip,
          latency_ms: r.latencyMs == null ? null : Math.round(r.latencyMs * 1000) / 1000,
          method: r.method,
        })),
        errors: res.errors,
        duration_ms: Math.round(res.durationMs),
      },
    });
  } catch (err) {
    await finishScanResult(env.db, row.id, {
      finishedAt: env.now(),
      status: "failed",
      summary: { targets: plan.count, error: (err as Error).message },
    });
    throw err;
  }
}

/** Checks a port-scan request: address in scope, port list valid, sync bounds. */
export function portscanRequest(
  target: string,
  portsText: string | undefined,
  mode: "sync" | "async",
  scope: Scope,
): { ip: string; ports: PortList } {
  const { ip } = adhocAddress(target, scope);
  const ports = parsePortList(portsText ?? "1-1024");
  if (mode === "sync" && ports.count > SYNC_PORTSCAN_MAX_PORTS) {
    throw new AppError(
      422,
      "use_async_portscan",
      `${ports.count} ports is more than a synchronous scan takes (at most ` +
        `${SYNC_PORTSCAN_MAX_PORTS} ports within ${SYNC_PORTSCAN_DEADLINE_MS / 1000} s); ` +
        `use the asynchronous form (POST /api/v1/scans/portscan with "async": true, ` +
        `or POST /api/compat/scan_ports_async/${ip})`,
      { field: "ports", count: ports.count, max: SYNC_PORTSCAN_MAX_PORTS },
    );
  }
  return { ip, ports };
}

/** Port-scans one address with nmap -sT (connect scan, no root needed) on the given ports. */
export async function portscanAddress(
  env: AdhocEnv,
  req: { ip: string; ports: PortList },
  mode: "sync" | "async",
  who: Who,
  opts: { signal?: AbortSignal; progress?: (f: number, note?: string) => Promise<void> } = {},
): Promise<ScanResult> {
  const args = parseNmapArgs(["-Pn", "-sT", "-T4", "-p", req.ports.spec], { isRoot: env.isRoot });
  const timeoutMs = mode === "sync" ? SYNC_PORTSCAN_DEADLINE_MS : env.nmapTimeoutMs;
  const hostId = await knownHostId(env.db, req.ip);
  const row = await insertScanResult(env.db, {
    kind: "port_scan",
    target: req.ip,
    hostId,
    source: "adhoc",
    startedAt: env.now(),
    finishedAt: null,
    status: "running",
    summary: { ports: req.ports.spec, port_count: req.ports.count, mode },
    openPorts: null,
    username: who.username,
    taskId: who.taskId ?? null,
  });
  await opts.progress?.(0.05, `scanning ${req.ports.count} ports of ${req.ip}`);
  try {
    const res = await portscan([req.ip], {
      runner: env.runner,
      args,
      timeoutMs,
      isRoot: env.isRoot,
      ...(opts.signal && { signal: opts.signal }),
    });
    const host = res.hosts[0];
    const open = (host?.ports ?? []).filter((p: NmapPort) => p.state === "open");
    const failed = res.errors.length > 0 && !host;
    return await finishScanResult(env.db, row.id, {
      finishedAt: env.now(),
      status: opts.signal?.aborted ? "aborted" : failed ? "failed" : "succeeded",
      summary: {
        ports: req.ports.spec,
        port_count: req.ports.count,
        mode,
        host_status: host?.status ?? "unknown",
        open_count: open.length,
        errors: res.errors,
      },
      openPorts: open.map((p) => ({
        port: p.port,
        proto: p.proto,
        state: p.state,
        service: p.service,
        product: p.product,
        version: p.version,
      })),
    });
  } catch (err) {
    await finishScanResult(env.db, row.id, {
      finishedAt: env.now(),
      status: "failed",
      summary: { ports: req.ports.spec, error: (err as Error).message },
      openPorts: [],
    });
    throw err;
  }
}

async function knownHostId(db: Db, ip: string): Promise<number | null> {
  const rows = await db.query<{ id: number }>(`select id from host where ip = $1::inet`, [ip]);
  return rows[0] ? Number(rows[0].id) : null;
}
