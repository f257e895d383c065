// Ad-hoc operations through the HTTP API (in-process app, PGlite, a bearer token) against raw
// fping in the same run:
//   1. POST /api/v1/scans/ping of 127.0.0.1, p50/p95, vs `fping -c 1 127.0.0.1` spawned each time
//   2. POST /api/v1/scans/sweep of a /24 until its task has finished, vs raw fping over the same
//      addresses with the same options: a netns lab /24 when root (under /tmp/pf-lab.lock, like the
//      lab tests), always 127.0.0.0/24 on loopback.
// Only loopback and lab addresses are probed.
//
// Run: deno run -A --unstable-kv bench/operations_bench.ts
import { createApp } from "@/app.ts";
import { parseConfig } from "@/services/config/config.ts";
import { createApiToken, ensureDefaultAdmin } from "@/services/auth/mod.ts";
import { migrate, openKvStateStore, openPglite } from "@/services/store/mod.ts";
import { createDeps, type Deps } from "@/services/services.ts";
import { setLogLevel } from "@/services/logger.ts";
import { VERSION } from "@/web/version.ts";
import { fpingArgs, planSweep } from "@/services/sweeps/mod.ts";
import { createLab } from "@/tests/lab/netns_lab.ts";

export interface BenchResult {
  name: string;
  ms?: number;
  value?: number;
  unit?: string;
  note?: string;
}

const PROBE = { timeoutMs: 500, retries: 1, intervalMs: 1 };

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

async function fping(args: string[], stdin?: string): Promise<number> {
  const started = performance.now();
  const child = new Deno.Command("fping", {
    args,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
  }
  await child.output();
  return performance.now() - started;
}

async function isRootWithIp(): Promise<boolean> {
  if (Deno.uid() !== 0) return false;
  try {
    return (await new Deno.Command("ip", { args: ["-V"], stdout: "null", stderr: "null" }).output())
      .success;
  } catch {
    return false;
  }
}

export async function benchOperations(quick: boolean): Promise<BenchResult[]> {
  setLogLevel("error");
  const db = await openPglite("memory://");
  await migrate(db);
  const kv = await openKvStateStore(":memory:");
  const dataDir = await Deno.makeTempDir({ prefix: "pf_bench_ops_" });
  const cfg = parseConfig({
    DISABLE_SCHEDULER: "1",
    DATA_DIR: dataDir,
    ADMIN_PASSWORD: "bench-password-1",
    ADHOC_RATE_PER_MINUTE: "100000",
    PING_TIMEOUT_MS: String(PROBE.timeoutMs),
    PING_RETRIES: String(PROBE.retries),
    // Loopback, and the lab's range (probed only while the lab below holds it).
    SCAN_SCOPE: "127.0.0.0/8,198.51.100.0/24",
  });
  await ensureDefaultAdmin(db, cfg.ADMIN_PASSWORD);
  const deps: Deps = createDeps({ cfg, db, kv, now: Date.now, version: VERSION });
  const app = createApp(deps);
  const [{ id }] = await db.query<{ id: number }>(
    `select id from app_user where username = 'admin'`,
  );
  const { token } = await createApiToken(db, { userId: Number(id), name: "bench" });
  const call = (path: string, body: unknown) =>
    app.request(path, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const out: BenchResult[] = [];
  try {
    // 1. Ad-hoc ping latency.
    const n = quick ? 15 : 100;
    const api: number[] = [];
    const raw: number[] = [];
    await call("/api/v1/scans/ping", { target: "127.0.0.1" }); // warm-up
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const res = await call("/api/v1/scans/ping", { target: "127.0.0.1" });
      if (res.status !== 200) throw new Error(`ping: ${res.status} ${await res.text()}`);
      await res.body?.cancel();
      api.push(performance.now() - t0);
      raw.push(await fping(["-c", "1", "-t", String(PROBE.timeoutMs), "127.0.0.1"]));
    }
    out.push(
      {
        name: `ad-hoc ping API p50 (${n} calls)`,
        ms: pct(api, 50),
        note: `fping -c 1 p50 ${pct(raw, 50).toFixed(1)} ms, ratio ${
          (pct(api, 50) / pct(raw, 50)).toFixed(2)
        }`,
      },
      {
        name: `ad-hoc ping API p95 (${n} calls)`,
        ms: pct(api, 95),
        note: `fping -c 1 p95 ${pct(raw, 95).toFixed(1)} ms, ratio ${
          (pct(api, 95) / pct(raw, 95)).toFixed(2)
        }`,
      },
    );

    // 2. Sweeping a /24 through the API.
    const sweepCase = async (label: string, cidr: string, tcpRecheck = true) => {
      const targets = [...planSweep(cidr).targets].join("\n") + "\n";
      const rounds = quick ? 1 : 3;
      const apiMs: number[] = [];
      const rawMs: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const t0 = performance.now();
        const res = await call("/api/v1/scans/sweep", { target: cidr, tcp_recheck: tcpRecheck });
        if (res.status !== 202) throw new Error(`sweep: ${res.status} ${await res.text()}`);
        const { task_id } = await res.json();
        await deps.services.tasks.drain();
        apiMs.push(performance.now() - t0);
        const task = await deps.services.tasks.get(task_id);
        if (task.status !== "succeeded") {
          throw new Error(`sweep task ${task.status}: ${task.error}`);
        }
        rawMs.push(await fping(fpingArgs(PROBE), targets));
      }
      const a = pct(apiMs, 50);
      const b = pct(rawMs, 50);
      out.push({
        name: `sweep ${label} via API (task done)`,
        ms: a,
        note: `raw fping ${b.toFixed(0)} ms, ratio ${(a / b).toFixed(2)}` +
          (tcpRecheck ? "; with the TCP re-check of ICMP-silent addresses (22/80/443)" : ""),
      });
    };
    await sweepCase("127.0.0.0/24 loopback", "127.0.0.0/24");
    if (await isRootWithIp()) {
      // The lab puts TEST-NET addresses on a root-namespace bridge: never beside another lab.
      const lock = await Deno.open("/tmp/pf-lab.lock", { create: true, write: true });
      await lock.lock(true);
      try {
        const lab = await createLab({ hosts: [{ ip: "198.51.100.10" }, { ip: "198.51.100.11" }] });
        try {
          await sweepCase(`lab ${lab.subnet} (3 of 254 up)`, lab.subnet);
          await sweepCase(`lab ${lab.subnet}, tcp_recheck false`, lab.subnet, false);
        } finally {
          await lab.destroy();
        }
      } finally {
        await lock.unlock();
        lock.close();
      }
    } else {
      out.push({ name: "sweep lab /24 via API", note: "skipped: needs root for the netns lab" });
    }
  } finally {
    kv.close();
    await db.close();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
  return out;
}

if (import.meta.main) {
  console.table(await benchOperations(Deno.env.get("BENCH_QUICK") === "1"));
}
