// Sweeps through Pingfold (plan, probe, KV state, SQL history, run log) against raw fping with the
// same arguments, side by side:
//   1. 127.0.0.0/24, /22 and /20 on loopback (254, 1,022 and 4,094 addresses, all answer on
//      Linux)                                                             target ratio <= 1.10
//   2. 127.77.0.0/16 inside a private network namespace whose nftables drop echo requests to all but
//      127.77.0.0/24, i.e. 65,534 addresses of which 255 answer              target ratio <= 1.2
// Only loopback addresses are probed (the /16 only inside the bench's own namespace, removed after).
// Every case runs on PostgreSQL (a schema of its own in the test database) and on PGlite. Each
// round runs raw fping and the sweep back to back (order alternating); the ratio is the median of
// the rounds' ratios, printed to 3 decimals beside the goal, with the load average (`uptime`) of
// the shared machine at the start and the end.
//
// Run: deno run -A --unstable-kv bench/discovery_bench.ts [rounds]   (the /16 needs root)
import { parseConfig } from "@/services/config/config.ts";
import {
  type Db,
  migrate,
  openKvStateStore,
  openPglite,
  openPostgres,
} from "@/services/store/mod.ts";
import { type BenchRow, type Engine, onBothEngines } from "./bench_engines.ts";
import { createDeps, type Deps } from "@/services/services.ts";
import { setLogLevel } from "@/services/logger.ts";
import { VERSION } from "@/web/version.ts";
import { type CommandRunner, createCommandRunner } from "@/services/jobs/mod.ts";
import { createDiscovery, fpingArgs, planSweep, sweepSubnet } from "@/services/sweeps/mod.ts";
import { met } from "./verdict.ts";

export type BenchResult = BenchRow;

interface Case {
  label: string;
  cidr: string;
  /** Hosts expected up in every round. */
  alive: number;
  target: number;
  probe: { timeoutMs: number; retries: number; intervalMs: number };
  /** Command prefix: run fping (both sides) inside this namespace. */
  netns?: string;
}

const NETNS = "pf-bench16";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function sh(
  cmd: string,
  args: string[],
  stdin?: string,
): Promise<{ code: number; err: string }> {
  const child = new Deno.Command(cmd, {
    args,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
  }
  const out = await child.output();
  return { code: out.code, err: new TextDecoder().decode(out.stderr) };
}

/** A namespace whose loopback answers pings only for 127.77.0.0/24; removed by the returned fn. */
async function mostlyDeadNamespace(): Promise<() => Promise<void>> {
  await sh("ip", ["netns", "del", NETNS]); // left over by an interrupted run
  const steps: Array<[string[], string?]> = [
    [["netns", "add", NETNS]],
    [["-n", NETNS, "link", "set", "lo", "up"]],
    [
      ["netns", "exec", NETNS, "nft", "-f", "-"],
      `table inet pf_bench {
  chain input {
    type filter hook input priority 0; policy accept;
    ip daddr 127.77.1.0-127.77.255.255 icmp type echo-request drop
  }
}
`,
    ],
  ];
  const remove = async () => void await sh("ip", ["netns", "del", NETNS]);
  for (const [args, stdin] of steps) {
    const r = await sh("ip", args, stdin);
    if (r.code !== 0) {
      await remove();
      throw new Error(`ip ${args.join(" ")} failed: ${r.err.trim()}`);
    }
  }
  return remove;
}

/** fping exactly as the sweeper runs it: same arguments, targets on stdin. */
async function rawFping(c: Case, targets: string): Promise<{ ms: number; up: number }> {
  const args = fpingArgs(c.probe);
  const [cmd, argv] = c.netns
    ? ["ip", ["netns", "exec", c.netns, "fping", ...args]]
    : ["fping", args];
  const started = performance.now();
  const child = new Deno.Command(cmd, {
    args: argv,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  })
    .spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(targets));
  await w.close();
  const out = await child.output();
  const ms = performance.now() - started;
  const up = new TextDecoder().decode(out.stdout).split("\n").filter((l) => l.includes(" is alive"))
    .length;
  return { ms, up };
}

/** `uptime`'s load averages, e.g. "load average: 0.52, 0.80, 0.41" (the machine is shared). */
export async function loadAverage(): Promise<string> {
  const out = await new Deno.Command("uptime", { stdout: "piped", stderr: "null" }).output()
    .catch(() => null);
  const text = out ? new TextDecoder().decode(out.stdout).trim() : "";
  return text.match(/load average: .*/)?.[0] ?? (text || "uptime unavailable");
}

async function benchCase(
  c: Case,
  rounds: number,
  engine: Engine,
  databaseUrl?: string,
): Promise<BenchResult[]> {
  const db: Db = databaseUrl ? openPostgres(databaseUrl) : await openPglite("memory://");
  const kvDir = await Deno.makeTempDir({ prefix: "pf_bench_kv_" });
  // A file-backed KV like a real install (DATA_DIR/kv.sqlite3), not the faster :memory:.
  const kv = await openKvStateStore(`${kvDir}/kv.sqlite3`);
  try {
    if (databaseUrl) {
      // Each case starts empty, as PGlite's in-memory database does: the bench's own schema anew.
      const [{ schema }] = await db.query<{ schema: string }>(`select current_schema() as schema`);
      // Only the schema onBothEngines made for this run, never the shared database's own.
      if (!/^bench_[0-9a-f]{12}$/.test(schema)) throw new Error(`unexpected schema "${schema}"`);
      await db.exec(`drop schema "${schema}" cascade; create schema "${schema}"`);
    }
    await migrate(db);
    const cfg = parseConfig({
      DISABLE_SCHEDULER: "1",
      // No reverse DNS: loopback has none, and no query may leave this machine.
      PTR_LOOKUP_ENABLED: "0",
      PING_TIMEOUT_MS: String(c.probe.timeoutMs),
      PING_RETRIES: String(c.probe.retries),
      LOG_LEVEL: "error",
    });
    const deps: Deps = createDeps({ cfg, db, kv, now: Date.now, version: VERSION });
    const runner: CommandRunner = createCommandRunner(
      c.netns ? { prefix: ["ip", "netns", "exec", c.netns] } : {},
    );
    const d = createDiscovery(deps, { runner, neighbors: null });
    d.env.tunables.intervalMs = c.probe.intervalMs;
    const [{ id }] = await db.query<{ id: number }>(
      `insert into subnet (cidr, scan_enabled) values ($1, true) returning id`,
      [c.cidr],
    );
    const targets = [...planSweep(c.cidr).targets].join("\n") + "\n";

    const pingfold = async () => {
      const started = performance.now();
      const run = await sweepSubnet(d.env, id, { trigger: "manual" });
      const ms = performance.now() - started;
      if (run.status !== "succeeded" || run.method !== "fping") {
        throw new Error(`Pingfold sweep ${run.status} via ${run.method}: ${run.errors.join("; ")}`);
      }
      return { ms, up: run.hosts_up, run };
    };

    // Round 0 discovers every live host (inserts them); later rounds are the steady state.
    const first = await pingfold();
    const raws: number[] = [];
    const ours: number[] = [];
    const ratios: number[] = [];
    for (let round = 1; round <= rounds; round++) {
      // Alternate the order so neither side always runs on a warmer machine.
      let raw: { ms: number; up: number };
      let own: { ms: number; up: number };
      if (round % 2 === 1) {
        raw = await rawFping(c, targets);
        own = await pingfold();
      } else {
        own = await pingfold();
        raw = await rawFping(c, targets);
      }
      if (raw.up !== c.alive || own.up !== c.alive) {
        throw new Error(`expected ${c.alive} up; fping saw ${raw.up}, Pingfold ${own.up}`);
      }
      raws.push(raw.ms);
      ours.push(own.ms);
      // Each round's pair ran seconds apart: its ratio is immune to the load drifting between
      // rounds, which a ratio of the two medians is not.
      ratios.push(own.ms / raw.ms);
    }
    const [{ rows }] = await db.query<{ rows: number }>(
      `select count(*)::int as rows from host_status`,
    );
    const ratio = median(ratios);
    const args = fpingArgs(c.probe).join(" ");
    const label = `${c.label}, ${engine}`;
    return [
      {
        name: `${label}: raw fping ${args} (reference)`,
        value: median(raws),
        unit: "ms",
        note: `median of ${rounds}`,
      },
      {
        name: `${label}: Pingfold sweep + persist`,
        value: median(ours),
        unit: "ms",
        note: `median of ${rounds}; ${c.alive} up; first run (discovers hosts) ${
          Math.round(first.ms)
        } ms; ${rows} status rows`,
      },
      {
        name: `${label}: ratio sweep / raw fping`,
        value: ratio,
        unit: "×",
        note: `goal <= ${c.target.toFixed(3)}: ${met(ratio <= c.target)} (median of ${rounds} ` +
          `paired rounds, range ${Math.min(...ratios).toFixed(3)}–${
            Math.max(...ratios).toFixed(3)
          })`,
      },
    ];
  } finally {
    kv.close();
    await db.close();
    await Deno.remove(kvDir, { recursive: true }).catch(() => {});
  }
}

/** The loopback sizes of issue #16's row "sweep overhead vs raw fping": all addresses answer. */
const LOOPBACK_SIZES = [
  { prefix: 24, alive: 254, label: "254" },
  { prefix: 22, alive: 1022, label: "1,022" },
  { prefix: 20, alive: 4094, label: "4,094" },
];

export async function benchDiscovery(rounds = 3): Promise<BenchResult[]> {
  setLogLevel("error");
  const results: BenchResult[] = [
    { name: "machine load at the start (uptime)", value: NaN, unit: "", note: await loadAverage() },
  ];
  const root = Deno.uid() === 0;
  const remove = root ? await mostlyDeadNamespace() : null;
  try {
    results.push(
      ...await onBothEngines("sweep", async (engine, env) => {
        const out: BenchResult[] = [];
        for (const size of LOOPBACK_SIZES) {
          out.push(
            ...await benchCase(
              {
                label: `sweep 127.0.0.0/${size.prefix} (${size.label} addresses, all up)`,
                cidr: `127.0.0.0/${size.prefix}`,
                alive: size.alive,
                target: 1.10,
                probe: { timeoutMs: 500, retries: 1, intervalMs: 1 },
              },
              // Short runs are noisier on a shared machine: more rounds for the same confidence.
              size.prefix === 24 ? rounds * 5 : size.prefix === 22 ? rounds * 3 : rounds + 2,
              engine,
              env.DATABASE_URL,
            ),
          );
        }
        if (!root) return out;
        out.push(
          ...await benchCase(
            {
              label: "sweep 127.77.0.0/16 (65,534 addresses, 255 up)",
              cidr: "127.77.0.0/16",
              alive: 255,
              target: 1.2,
              // Packets 50 µs apart keep a round near 9 s. No retries: fping 5.1 has 65,535 sequence
              // numbers per 10 s ("not enough sequence numbers available"), and 131k probes would
              // exceed them at this rate. Both sides use the same arguments.
              probe: { timeoutMs: 200, retries: 0, intervalMs: 0.05 },
              netns: NETNS,
            },
            rounds,
            engine,
            env.DATABASE_URL,
          ),
        );
        return out;
      }),
    );
  } finally {
    await remove?.();
  }
  if (!root) {
    results.push({
      name: "sweep 127.77.0.0/16 mostly dead",
      value: NaN,
      unit: "",
      note: "skipped: needs root for its network namespace",
    });
  }
  results.push({
    name: "machine load at the end (uptime)",
    value: NaN,
    unit: "",
    note: await loadAverage(),
  });
  return results;
}

if (import.meta.main) {
  const rounds = Math.max(1, Number(Deno.args[0] ?? 3));
  console.table(await benchDiscovery(rounds));
}
