// CLI: `deno task scan <ip|cidr> [--ports LIST] [--json]` — an ad-hoc ping (address), sweep
// (prefix) or port scan (--ports) of an in-scope target, stored as a scan result like the API's.
import { openKvStateStore } from "@/services/store/mod.ts";
import { parseArgs } from "node:util";
import type { Config } from "@/services/config/config.ts";
import type { Db } from "@/services/store/mod.ts";
import {
  adhocPrefix,
  createOperations,
  operationsSettings,
  pingAddress,
  portscanAddress,
  portscanRequest,
  type ScanResult,
  sweepPrefix,
} from "@/services/operations/mod.ts";
import { createTaskRunner } from "@/services/tasks/mod.ts";
import { runCli, UsageError, withConfiguredDb } from "./cli_support.ts";

const USAGE = `usage: deno task scan <ip|cidr> [--ports LIST] [--json]

  <ip>             ping it: fping, then ping, then TCP connect to 22/80/443
  <cidr>           sweep the prefix (a /24 at most /MAX_SWEEP_PREFIX) and list who answered
  --ports LIST     port-scan the address instead (nmap -sT), e.g. 22,80,8000-8100
  --json           print the stored scan result as JSON instead of a table

Targets must be inside the scan scope. A progress bar is shown on a terminal (stderr).`;

/** A progress bar on stderr when it is a terminal: elapsed time against an estimate. */
function progressBar(label: string, estimateMs: number): () => void {
  if (!Deno.stderr.isTerminal()) return () => {};
  const started = performance.now();
  const enc = new TextEncoder();
  const draw = (done: boolean) => {
    const elapsed = performance.now() - started;
    const f = done ? 1 : Math.min(0.95, elapsed / Math.max(1, estimateMs));
    const width = 30;
    const full = Math.round(f * width);
    const bar = "█".repeat(full) + "░".repeat(width - full);
    Deno.stderr.writeSync(
      enc.encode(`\r${label} ${bar} ${Math.round(f * 100)}% ${(elapsed / 1000).toFixed(1)} s`),
    );
  };
  const timer = setInterval(() => draw(false), 100);
  draw(false);
  return () => {
    clearInterval(timer);
    draw(true);
    Deno.stderr.writeSync(enc.encode("\n"));
  };
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd()).join("\n");
}

export function formatResult(r: ScanResult): string {
  const s = r.summary as Record<string, unknown>;
  if (r.kind === "ping") {
    return `${r.target}: ${s.alive ? `up (${s.answered_by}, ${s.latency_ms} ms)` : "no answer"}` +
      ` — scan ${r.id}`;
  }
  if (r.kind === "sweep") {
    const alive = (s.alive ?? []) as Array<
      { ip: string; latency_ms: number | null; method: string }
    >;
    const head = `${r.target}: ${s.hosts_up} of ${s.targets} answered — scan ${r.id}`;
    if (alive.length === 0) return head;
    return `${head}\n${
      table([
        ["ADDRESS", "LATENCY", "METHOD"],
        ...alive.map((a) => [a.ip, `${a.latency_ms ?? ""} ms`, a.method]),
      ])
    }`;
  }
  const head = `${r.target}: ${r.open_ports.length} open of ${s.port_count} ports — scan ${r.id}`;
  if (r.open_ports.length === 0) return head;
  return `${head}\n${
    table([
      ["PORT", "PROTO", "STATE", "SERVICE"],
      ...r.open_ports.map((p) => [String(p.port), p.proto, p.state, p.service]),
    ])
  }`;
}

export async function runScan(args: string[], db: Db, cfg: Config): Promise<ScanResult> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ports: { type: "string" }, json: { type: "boolean" } },
  });
  const [target, ...extra] = positionals;
  if (!target) throw new UsageError("give an address or a prefix to scan");
  if (extra.length) throw new UsageError(`one target at a time, got also ${extra.join(" ")}`);
  const kv = await openKvStateStore(":memory:");
  try {
    const settings = operationsSettings(cfg);
    const ops = createOperations({
      db,
      kv,
      now: Date.now,
      settings,
      tasks: createTaskRunner(db),
      envScope: cfg.SCAN_SCOPE,
    });
    const who = { username: "cli" };
    let result: ScanResult;
    if (values.ports !== undefined) {
      const req = portscanRequest(target, values.ports, "async", await ops.adhoc.scope());
      const done = progressBar(
        `scanning ${req.ports.count} ports of ${req.ip}`,
        req.ports.count * 2,
      );
      try {
        result = await portscanAddress(ops.adhoc, req, "async", who);
      } finally {
        done();
      }
    } else if (target.includes("/")) {
      const cidr = adhocPrefix(target, settings.maxSweepPrefix, await ops.adhoc.scope());
      const count = Number(cidr.last - cidr.first + 1n);
      const estimate = count + settings.pingTimeoutMs * (settings.pingRetries + 1) * 1.5;
      const done = progressBar(`sweeping ${cidr.cidr}`, estimate);
      try {
        result = await sweepPrefix(ops.adhoc, cidr, who);
      } finally {
        done();
      }
    } else {
      result = await pingAddress(ops.adhoc, target, who);
    }
    console.log(values.json ? JSON.stringify(result, null, 2) : formatResult(result));
    return result;
  } finally {
    kv.close();
  }
}

if (import.meta.main) {
  if (Deno.args.includes("--help") || Deno.args.includes("-h")) {
    console.log(USAGE);
    Deno.exit(0);
  }
  await runCli(() => withConfiguredDb(async (db, cfg) => void await runScan(Deno.args, db, cfg)));
}
