// GET /scanner: scanner health — per-subnet schedule (next due, method, last result), recent
// sweeps and pings, and recent nmap port scans with their errors in plain words.
import LiveStatus from "@/islands/LiveStatus.tsx";
import {
  aliveNow,
  lastKnownHostCheck,
  listRuns,
  type ScanRun,
  type SubnetScanStatus,
  subnetScanStatuses,
} from "@/services/sweeps/mod.ts";
import { formatAge } from "@/shared/state_view.ts";
import { knownHostCycleWords } from "@/shared/scan_interval.ts";
import { listPortScans, type PortScan } from "@/services/portscans/mod.ts";
import { nmapErrorText, portSetText } from "@/shared/port_scan_text.ts";
import type { AppContext } from "@/web/env.ts";
import { island } from "@/web/islands.tsx";
import { page } from "@/web/render.tsx";

const LiveStatusIsland = island("LiveStatus", LiveStatus);
const RECENT_RUNS = 50;
const RECENT_PORT_SCANS = 30;

function when(iso: string | null, now: number): string {
  if (!iso) return "—";
  const t = Date.parse(iso);
  return t >= now ? `in ${formatAge(t - now)}` : `${formatAge(now - t)} ago`;
}

function RunErrors(p: { run: ScanRun }) {
  if (p.run.errors.length === 0) return <span class="muted">—</span>;
  return (
    <details>
      <summary class="run-failed">
        {p.run.errors.length} {p.run.errors.length === 1 ? "error" : "errors"}
      </summary>
      <ul class="text-sm">
        {p.run.errors.map((e, i) => <li key={i} class="break-all">{e}</li>)}
      </ul>
    </details>
  );
}

function ScheduleTable(p: { rows: SubnetScanStatus[]; now: number }) {
  if (p.rows.length === 0) {
    return <p class="muted" data-testid="no-schedule">No subnets yet.</p>;
  }
  return (
    <div class="overflow-x-auto">
      <table class="table" data-testid="schedule-table">
        <caption class="sr-only">Sweep schedule per subnet</caption>
        <thead>
          <tr>
            <th scope="col">Subnet</th>
            <th scope="col">Scanning</th>
            <th scope="col">Next sweep</th>
            <th scope="col">Last sweep</th>
            <th scope="col" class="hide-sm">Method</th>
            <th scope="col" class="text-right">Up / down</th>
            <th scope="col" class="hide-sm text-right">Took</th>
            <th scope="col">Errors</th>
          </tr>
        </thead>
        <tbody>
          {p.rows.map((r) => (
            <tr data-subnet-id={r.subnet_id}>
              <td class="mono whitespace-nowrap">
                <a class="link" href={`/subnets/${r.subnet_id}`}>{r.cidr}</a>
                {r.name && <div class="text-sm muted">{r.name}</div>}
              </td>
              <td>{r.scan_enabled ? `every ${r.interval_s}s` : <span class="muted">off</span>}</td>
              <td data-col="next-due" title={r.next_due_at ?? undefined}>
                {r.sweeping ? <strong>sweeping now</strong> : when(r.next_due_at, p.now)}
              </td>
              <td title={r.last_run?.started_at}>
                {r.last_run ? when(r.last_run.started_at, p.now) : <span class="muted">never</span>}
                {r.last_run && r.last_run.status !== "succeeded" && (
                  <span class="run-failed">{` (${r.last_run.status})`}</span>
                )}
              </td>
              <td class="hide-sm" data-col="method">{r.last_run?.method ?? "—"}</td>
              <td class="text-right tabular-nums">
                {r.last_run ? `${r.last_run.hosts_up} / ${r.last_run.hosts_down}` : "—"}
              </td>
              <td class="hide-sm text-right tabular-nums">
                {r.last_run ? `${(r.last_run.duration_ms / 1000).toFixed(1)} s` : "—"}
              </td>
              <td>{r.last_run ? <RunErrors run={r.last_run} /> : "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RunsTable(p: { runs: ScanRun[]; now: number }) {
  if (p.runs.length === 0) return <p class="muted" data-testid="no-runs">No sweeps yet.</p>;
  return (
    <div class="overflow-x-auto">
      <table class="table" data-testid="runs-table">
        <caption class="sr-only">Recent sweeps and pings, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">Target</th>
            <th scope="col" class="hide-sm">Trigger</th>
            <th scope="col">Status</th>
            <th scope="col" class="hide-sm">Method</th>
            <th scope="col" class="text-right">Up / down</th>
            <th scope="col" class="hide-sm text-right">New</th>
            <th scope="col" class="hide-sm text-right">Flips</th>
            <th scope="col" class="text-right">Took</th>
            <th scope="col">Errors</th>
          </tr>
        </thead>
        <tbody>
          {p.runs.map((r) => (
            <tr data-run-id={r.id} data-status={r.status}>
              <td class="whitespace-nowrap" title={r.started_at}>{when(r.started_at, p.now)}</td>
              <td class="mono">
                {r.kind === "subnet" && r.subnet_id
                  ? <a class="link" href={`/subnets/${r.subnet_id}`}>{r.target}</a>
                  : r.target}
              </td>
              <td class="hide-sm">{r.trigger}</td>
              <td class={r.status === "succeeded" ? undefined : "run-failed"}>{r.status}</td>
              <td class="hide-sm">{r.method ?? "—"}</td>
              <td class="text-right tabular-nums">{r.hosts_up} / {r.hosts_down}</td>
              <td class="hide-sm text-right tabular-nums">{r.hosts_new}</td>
              <td class="hide-sm text-right tabular-nums">{r.flips}</td>
              <td class="text-right tabular-nums">{(r.duration_ms / 1000).toFixed(1)} s</td>
              <td>
                <RunErrors run={r} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function PortScansTable(p: { scans: PortScan[]; now: number }) {
  if (p.scans.length === 0) {
    return <p class="muted" data-testid="no-port-scans">No port scans yet.</p>;
  }
  return (
    <div class="overflow-x-auto">
      <table class="table" data-testid="portscans-table">
        <caption class="sr-only">Recent nmap port scans, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">Host</th>
            <th scope="col" class="hide-sm">Trigger</th>
            <th scope="col">Ports</th>
            <th scope="col">Status</th>
            <th scope="col" class="text-right">Open</th>
            <th scope="col" class="text-right">Took</th>
            <th scope="col">What went wrong</th>
          </tr>
        </thead>
        <tbody>
          {p.scans.map((s) => (
            <tr key={s.id} data-scan-id={s.id} data-status={s.status}>
              <td class="whitespace-nowrap" title={s.started_at}>{when(s.started_at, p.now)}</td>
              <td class="mono">
                {s.host_id ? <a class="link" href={`/hosts/${s.host_id}`}>{s.target}</a> : s.target}
              </td>
              <td class="hide-sm">{s.trigger}</td>
              <td title={s.args.join(" ")}>{portSetText(s.args)}</td>
              <td class={s.status === "succeeded" ? undefined : "run-failed"}>{s.status}</td>
              <td class="text-right tabular-nums">{s.open_ports}</td>
              <td class="text-right tabular-nums">{(s.duration_ms / 1000).toFixed(1)} s</td>
              <td class="text-sm" data-testid="portscan-error">
                {s.error ? nmapErrorText(s.error) : <span class="muted">—</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export async function GET(c: AppContext) {
  const deps = c.get("deps");
  const [schedule, runs, alive, portScans, lastCheck] = await Promise.all([
    subnetScanStatuses(deps),
    listRuns(deps.db, { limit: RECENT_RUNS }),
    aliveNow(deps),
    listPortScans(deps.db, { limit: RECENT_PORT_SCANS }),
    lastKnownHostCheck(deps.kv),
  ]);
  const now = deps.now();
  const cfg = deps.cfg;
  return page(
    c,
    "Scanner",
    <div class="flex flex-col gap-4">
      <div class="flex flex-wrap items-baseline gap-4">
        <h1 class="text-2xl font-bold">Scanner</h1>
        <LiveStatusIsland alive={alive} watchRuns />
      </div>
      <p class="muted text-sm" data-testid="scanner-config">
        {cfg.DISABLE_SCHEDULER
          ? "The scheduler is disabled on this instance (DISABLE_SCHEDULER)."
          : `Subnets are swept at their own interval, at least ${cfg.SCAN_ICMP_INTERVAL_SECONDS}s apart (±${
            Math.round(cfg.SCAN_JITTER * 100)
          }% jitter), with up to ${cfg.PING_WORKERS} probes at once, ${cfg.PING_TIMEOUT_MS} ms timeout and ${cfg.PING_RETRIES} ${
            cfg.PING_RETRIES === 1 ? "retry" : "retries"
          }; subnets larger than /${cfg.MAX_SWEEP_PREFIX} are refused.`}
      </p>
      {!cfg.DISABLE_SCHEDULER && (
        <p class="muted text-sm" data-testid="known-host-cycle">
          {knownHostCycleWords(cfg.SCAN_ICMP_INTERVAL_SECONDS, lastCheck, now)}
        </p>
      )}
      <section class="card" aria-labelledby="schedule-title">
        <h2 id="schedule-title" class="text-lg font-bold mb-2">Subnets</h2>
        <ScheduleTable rows={schedule} now={now} />
      </section>
      <section class="card" aria-labelledby="runs-title">
        <h2 id="runs-title" class="text-lg font-bold mb-2">Recent runs</h2>
        <RunsTable runs={runs.items} now={now} />
        <p class="text-sm mt-2">
          <a class="link" href="/api/v1/scanner/runs">All runs (API)</a>
        </p>
      </section>
      <section class="card" aria-labelledby="portscans-title">
        <h2 id="portscans-title" class="text-lg font-bold mb-2">Recent port scans (nmap)</h2>
        <PortScansTable scans={portScans.items} now={now} />
        <p class="text-sm mt-2">
          <a class="link" href="/api/v1/scanner/portscans">All port scans (API)</a>
        </p>
      </section>
    </div>,
  );
}
