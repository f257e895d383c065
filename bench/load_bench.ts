// Concurrent clients against the real server (main.ts in a child process, 10,000 hosts seeded,
// 9,000 of them up in KV), on PGlite and on PostgreSQL. wrk (a separate process) drives the load,
// so the generator never competes with the server's event loop; this process only asks /health
// every 200 ms meanwhile and reads the server's RSS from /proc.
//
// Rows: a reference (GET /health, the server's cheapest route) at the same concurrency, the
// dashboard at 50 and 200 clients, the hosts API (100 per page) at 200 clients; then memory idle,
// after the load and 60 s later. Each row prints its goal and its ratio to the reference.
// Full mode: 30 s per row; BENCH_QUICK=1: 8 s. Memory settles 60 s in both; idle is read at rest.
// Loopback only; bounded.
// Run alone: deno task bench load   (or: deno run -A bench/load_bench.ts)
import { join } from "node:path";
import { migrate, openDb, openKv } from "@/services/store/mod.ts";
import { createApiToken, ensureDefaultAdmin, findUserByUsername } from "@/services/auth/mod.ts";
import { hostStateKey } from "@/services/ipam/mod.ts";
import { type BenchRow, onBothEngines } from "./bench_engines.ts";
import { startTaskArgs } from "@/tests/support/main_process.ts";
import { met } from "./verdict.ts";

const HOSTS = 10_000;
const SUBNETS = 40; // 10.20.0.0/24 … 10.20.39.0/24, 250 hosts each; data only, never probed
const UP_EVERY = 10; // every 10th host is down
const TIMEOUT_S = 5; // wrk counts an answer slower than this as a time-out
/** Idle RSS is read this long after the start-up reading (see where it is read). */
const IDLE_SETTLE_MS = 15_000;

interface WrkResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  timeouts: number;
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

function rssMb(pid: number): number {
  const text = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(/^VmRSS:\s+(\d+)/m.exec(text)?.[1] ?? NaN) / 1024;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** wrk's latency figures ("1.23ms", "850.00us", "1.20s") in milliseconds. */
function ms(text: string | undefined): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text ?? "");
  if (!m) return NaN;
  const n = Number(m[1]);
  return m[2] === "us" ? n / 1000 : m[2] === "ms" ? n : m[2] === "s" ? n * 1000 : n * 60_000;
}

export function parseWrk(out: string): WrkResult {
  const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? 0);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = num(/Non-2xx or 3xx responses: (\d+)/);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN),
    p50: ms(/^\s+50%\s+(\S+)/m.exec(out)?.[1]),
    p99: ms(/^\s+99%\s+(\S+)/m.exec(out)?.[1]),
    requests: num(/(\d+) requests in/),
    errors: non2xx + (sock ? Number(sock[1]) + Number(sock[2]) + Number(sock[3]) : 0),
    timeouts: sock ? Number(sock[4]) : 0,
  };
}

async function wrk(url: string, clients: number, seconds: number, token: string) {
  const out = await new Deno.Command("wrk", {
    args: [
      "-t2",
      `-c${clients}`,
      `-d${seconds}s`,
      `--timeout`,
      `${TIMEOUT_S}s`,
      "--latency",
      "-H",
      `Authorization: Bearer ${token}`,
      url,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return parseWrk(new TextDecoder().decode(out.stdout));
}

/** Subnets, hosts, KV states, an admin and its API token, written before the server starts. */
export async function seed(
  cfg: { DATABASE_URL?: string; DATA_DIR: string },
  kvPath: string,
): Promise<string> {
  const db = await openDb(cfg);
  try {
    await migrate(db);
    await db.query(
      `insert into subnet (cidr, name, tags)
       select ('10.20.' || g || '.0/24')::cidr, 'bench-' || g, array['bench']
       from generate_series(0, $1::int - 1) g`,
      [SUBNETS],
    );
    await db.query(
      `insert into host (ip, subnet_id, hostname, tags, description)
       select set_masklen(s.cidr::inet + (1 + (n % 250)), 32), s.id, 'host-' || n,
              case when n % 3 = 0 then array['prod'] else array['lab'] end, 'bench host ' || n
       from generate_series(0, $1::int - 1) n
       join subnet s on s.cidr = ('10.20.' || (n / 250) || '.0/24')::cidr`,
      [HOSTS],
    );
    await ensureDefaultAdmin(db, "bench-only-password");
    const admin = await findUserByUsername(db, "admin");
    if (!admin) throw new Error("no admin user after seeding");
    const { token } = await createApiToken(db, { userId: admin.id, name: "load bench" });
    const ips = await db.query<{ ip: string }>(`select host(ip) as ip from host order by ip`);
    const kv = await openKv(kvPath);
    try {
      const now = Date.now();
      for (let i = 0; i < ips.length; i += 1000) {
        let op = kv.atomic();
        for (const [j, { ip }] of ips.slice(i, i + 1000).entries()) {
          const up = (i + j) % UP_EVERY !== 0;
          op = op.set(hostStateKey(ip), {
            up,
            latency_ms: up ? 0.4 : null,
            since: now - 3_600_000,
            last_seen: up ? now : now - 3_600_000,
            method: "fping",
            checked_at: now,
          });
        }
        await op.commit();
      }
    } finally {
      kv.close();
    }
    return token;
  } finally {
    await db.close();
  }
}

async function health(url: string): Promise<{ ms: number; ok: boolean }> {
  const t0 = performance.now();
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(10_000) });
    await res.body?.cancel();
    return { ms: performance.now() - t0, ok: res.ok };
  } catch {
    return { ms: performance.now() - t0, ok: false };
  }
}

/** Runs `fn` while asking /health every 200 ms; returns fn's result and the slowest answer. */
async function watchHealth<T>(url: string, fn: () => Promise<T>) {
  let running = true;
  let worst = 0;
  let failed = 0;
  const poller = (async () => {
    while (running) {
      const h = await health(url);
      worst = Math.max(worst, h.ms);
      if (!h.ok) failed++;
      await sleep(200);
    }
  })();
  try {
    return { result: await fn(), worst, failed };
  } finally {
    running = false;
    await poller;
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

export async function benchLoad(quick: boolean): Promise<BenchRow[]> {
  if (Deno.build.os !== "linux") {
    return [{ name: "load", value: NaN, unit: "", note: "needs Linux /proc and wrk" }];
  }
  return await onBothEngines("load", (engine, env) => loadServer(engine, env, quick));
}

async function loadServer(
  engine: "PostgreSQL" | "PGlite",
  extraEnv: Record<string, string>,
  quick: boolean,
): Promise<BenchRow[]> {
  const seconds = quick ? 8 : 30;
  // The goal is stated 60 s after the load, so quick mode waits as long.
  const settleS = 60;
  const dir = await Deno.makeTempDir({ prefix: "perfweb-load-" });
  const dataDir = join(dir, "data");
  const kvPath = join(dataDir, "kv.sqlite3");
  const token = await seed({ DATABASE_URL: extraEnv.DATABASE_URL, DATA_DIR: dataDir }, kvPath);
  const port = freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = new Deno.Command(Deno.execPath(), {
    // As `deno task start` and the Docker image run it (a small young generation: see README).
    args: startTaskArgs(),
    cwd: new URL("..", import.meta.url).pathname,
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: Deno.env.get("HOME") ?? dir,
      HOST: "127.0.0.1",
      PORT: String(port),
      DATA_DIR: dataDir,
      ADMIN_PASSWORD: "bench-only-password",
      DISABLE_SCHEDULER: "1",
      NETFLOW_ENABLED: "0",
      LOG_LEVEL: "error",
      ...extraEnv,
    },
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  const rows: BenchRow[] = [];
  try {
    const boot = Date.now() + 120_000;
    while (!(await health(base)).ok) {
      if (Date.now() > boot) throw new Error("server did not start within 120 s");
      await sleep(250);
    }
    await sleep(3000);
    const starting = rssMb(child.pid);
    // Idle is the server at rest: Deno's blocking-I/O threads of the start-up (module and file
    // reads) end after 10 s without work, and the next memory trim returns their malloc arenas.
    await sleep(IDLE_SETTLE_MS);
    const idle = rssMb(child.pid);
    // Warm-up (3 s of one client on each route), so first-call compilation is not counted.
    for (const path of ["/", "/api/v1/hosts?limit=100"]) {
      const until = Date.now() + 3000;
      while (Date.now() < until) {
        await fetch(base + path, { headers: { authorization: `Bearer ${token}` } })
          .then((r) => r.body?.cancel());
      }
    }

    const run = (path: string, clients: number) =>
      watchHealth(base, () => wrk(base + path, clients, seconds, token));
    const ref200 = await run("/health", 200);
    const ref50 = await run("/health", 50);
    const cases: Array<
      {
        name: string;
        path: string;
        clients: number;
        ref: typeof ref200;
        goal: string;
        ok: (r: WrkResult) => boolean;
      }
    > = [
      {
        name: "dashboard, 50 clients",
        path: "/",
        clients: 50,
        ref: ref50,
        goal: "0 errors, 0 time-outs",
        ok: (r) => r.requests > 0 && r.errors === 0 && r.timeouts === 0,
      },
      {
        name: "dashboard, 200 clients",
        path: "/",
        clients: 200,
        ref: ref200,
        goal: `0 errors, 0 time-outs, p99 < ${engine === "PGlite" ? "1,000" : "500"} ms`,
        ok: (r) => r.errors === 0 && r.timeouts === 0 && r.p99 < (engine === "PGlite" ? 1000 : 500),
      },
      {
        name: "hosts API (100 per page), 200 clients",
        path: "/api/v1/hosts?limit=100",
        clients: 200,
        ref: ref200,
        goal: `≥ ${engine === "PGlite" ? "600" : "1,500"} req/s, p99 < 200 ms`,
        ok: (r) => r.rps >= (engine === "PGlite" ? 600 : 1500) && r.p99 < 200,
      },
    ];
    rows.push({
      name: `load (${engine}): reference GET /health, 200 clients`,
      value: ref200.result.rps,
      unit: "req/s",
      note: `p99 ${fmt(ref200.result.p99)} ms; 50 clients ${fmt(ref50.result.rps)} req/s`,
    });
    let worstHealth = Math.max(ref200.worst, ref50.worst);
    let healthFailed = 0;
    for (const c of cases) {
      const { result: r, worst, failed } = await run(c.path, c.clients);
      worstHealth = Math.max(worstHealth, worst);
      healthFailed += failed;
      rows.push({
        name: `load (${engine}): ${c.name}`,
        value: r.rps,
        unit: "req/s",
        note: `p99 ${fmt(r.p99)} ms, p50 ${fmt(r.p50)} ms, ${r.errors} errors, ${r.timeouts} ` +
          `time-outs (${TIMEOUT_S} s) of ${fmt(r.requests)}; ×${
            (r.rps / c.ref.result.rps).toFixed(3)
          } of /health; goal ${c.goal} (${met(c.ok(r))})`,
      });
    }
    rows.push({
      name: `load (${engine}): slowest /health answer during the load`,
      value: worstHealth,
      unit: "ms",
      note: `goal < 1,000 ms, always 200 (${met(worstHealth < 1000 && healthFailed === 0)}); ` +
        `${healthFailed} failed`,
    });
    const after = rssMb(child.pid);
    await sleep(settleS * 1000);
    const later = rssMb(child.pid);
    const idleGoal = engine === "PGlite" ? 200 : 120;
    rows.push({
      name: `load (${engine}): RSS idle`,
      value: idle,
      unit: "MB",
      note: `goal < ${idleGoal} MB (${met(idle < idleGoal)}); at rest, ` +
        `${starting.toFixed(1)} MB ${IDLE_SETTLE_MS / 1000} s before (3 s after the first answer)`,
    });
    rows.push({
      name: `load (${engine}): RSS after the load`,
      value: after,
      unit: "MB",
      note: `×${(after / idle).toFixed(2)} of idle`,
    });
    rows.push({
      name: `load (${engine}): RSS ${settleS} s after the load`,
      value: later,
      unit: "MB",
      note: `×${(later / idle).toFixed(2)} of idle; goal ≤ ×1.20 (${met(later <= idle * 1.2)})`,
    });
    return rows;
  } catch (err) {
    rows.push({ name: `load (${engine})`, value: NaN, unit: "", note: String(err) });
    return rows;
  } finally {
    try {
      child.kill("SIGTERM");
    } catch {
      // already gone
    }
    const exited = await Promise.race([child.status, sleep(15_000).then(() => null)]);
    if (exited === null) {
      child.kill("SIGKILL");
      await child.status;
    }
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  for (const r of await benchLoad(Deno.env.get("BENCH_QUICK") === "1")) {
    console.log(`${r.name}: ${r.value.toFixed(1)} ${r.unit} — ${r.note ?? ""}`);
  }
}
