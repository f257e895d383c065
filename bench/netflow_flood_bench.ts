// Template flood against the real server (main.ts in a child process with its NetFlow collector
// on loopback, on PostgreSQL and on PGlite): 1,000,000 v9 templates from 10,000 source ids
// (BENCH_QUICK=1: 100,000 from 1,000), sent as fast as loopback takes them while /health is asked
// every 100 ms. Reports the server's peak RSS against its own idle RSS measured first and against
// the goal (400 MB), and the slowest /health answer against the goal (1 s), on both engines (PGlite
// idles near 260 MB against PostgreSQL's 170 MB: its page cache is 16 MB, V8's young generation
// 2 MB and a fresh data directory is created in a child process; see README Performance). Loopback only; bounded.
// Run alone: deno run -A bench/netflow_flood_bench.ts
import { join } from "node:path";
import { buildTemplateSet, buildV9Packet, type FieldSpec } from "@/tests/support/netflow/mod.ts";
import { type BenchRow, onBothEngines } from "./bench_engines.ts";
import { startTaskArgs } from "@/tests/support/main_process.ts";
import { met } from "./verdict.ts";

const GOAL_RSS_MB = 400;
const GOAL_HEALTH_MS = 1000;
const TEMPLATES_PER_PACKET = 100;
const FIELDS: FieldSpec[] = [[8, 4], [12, 4], [7, 2], [11, 2], [4, 1], [1, 4], [2, 4], [22, 4]];

function freePort(transport: "tcp" | "udp"): number {
  if (transport === "tcp") {
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (l.addr as Deno.NetAddr).port;
    l.close();
    return port;
  }
  const s = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const port = (s.addr as Deno.NetAddr).port;
  s.close();
  return port;
}

/** VmRSS / VmHWM (peak) of a process, in MB, from /proc. */
function memoryMb(pid: number): { rss: number; peak: number } {
  const text = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? NaN);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

async function health(url: string): Promise<{ ms: number; body: Record<string, unknown> | null }> {
  const t0 = performance.now();
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(10_000) });
    const body = await res.json();
    return { ms: performance.now() - t0, body: res.ok ? body : null };
  } catch {
    return { ms: performance.now() - t0, body: null };
  }
}

export async function benchNetflowFlood(quick: boolean): Promise<BenchRow[]> {
  if (Deno.build.os !== "linux") {
    return [{ name: "template flood", value: NaN, unit: "", note: "needs Linux /proc" }];
  }
  return await onBothEngines("template flood", (engine, env) => floodServer(engine, env, quick));
}

async function floodServer(
  engine: string,
  extraEnv: Record<string, string>,
  quick: boolean,
): Promise<BenchRow[]> {
  const sourceIds = quick ? 1_000 : 10_000;
  const dir = await Deno.makeTempDir({ prefix: "pf-flood-bench-" });
  const httpPort = freePort("tcp");
  const udpPort = freePort("udp");
  const url = `http://127.0.0.1:${httpPort}`;
  const child = new Deno.Command(Deno.execPath(), {
    // As `deno task start` and the Docker image run it (a small young generation: see README).
    args: startTaskArgs(),
    cwd: new URL("..", import.meta.url).pathname,
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: Deno.env.get("HOME") ?? dir,
      HOST: "127.0.0.1",
      PORT: String(httpPort),
      DATA_DIR: join(dir, "data"),
      ADMIN_PASSWORD: "bench-only-password",
      DISABLE_SCHEDULER: "1",
      LOG_LEVEL: "error",
      NETFLOW_BIND_PORT: String(udpPort),
      ...extraEnv,
    },
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  const sender = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  try {
    const bootDeadline = Date.now() + 120_000;
    while ((await health(url)).body?.netflow === undefined) {
      if (Date.now() > bootDeadline) throw new Error("server did not start within 120 s");
      await new Promise((r) => setTimeout(r, 250));
    }
    await new Promise((r) => setTimeout(r, 1000));
    const idle = memoryMb(child.pid);
    // Resets the kernel's peak-RSS mark, so VmHWM below is the peak during the flood only.
    try {
      Deno.writeTextFileSync(`/proc/${child.pid}/clear_refs`, "5");
    } catch {
      // older kernels: the peak then includes start-up
    }

    const latencies: number[] = [];
    let flooding = true;
    const poller = (async () => {
      while (flooding) {
        latencies.push((await health(url)).ms);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const to = { transport: "udp" as const, hostname: "127.0.0.1", port: udpPort };
    const t0 = performance.now();
    let templates = 0;
    const floodDeadline = Date.now() + (quick ? 60_000 : 600_000);
    for (let sid = 0; sid < sourceIds && Date.now() < floodDeadline; sid++) {
      const packet = buildV9Packet({ sysUptime: 1000, unixSecs: 1, sequence: 0, sourceId: sid }, [
        buildTemplateSet(
          0,
          Array.from({ length: TEMPLATES_PER_PACKET }, (_, i) => ({ id: 256 + i, fields: FIELDS })),
        ),
      ]);
      await sender.send(packet, to);
      templates += TEMPLATES_PER_PACKET;
      // Yield now and then so /health requests of this process go out during the flood.
      if (sid % 50 === 49) await new Promise((r) => setTimeout(r, 0));
    }
    const floodMs = performance.now() - t0;
    // Let the collector catch up, then read what it made of it.
    let last: Record<string, unknown> | null = null;
    const settle = Date.now() + 10_000;
    while (Date.now() < settle) {
      const h = await health(url);
      latencies.push(h.ms);
      const nf = h.body?.netflow as Record<string, number> | undefined;
      if (nf && last && nf.packets === (last.packets as number)) break;
      last = nf ?? last;
      await new Promise((r) => setTimeout(r, 500));
    }
    flooding = false;
    await poller;
    const mem = memoryMb(child.pid);
    const nf = (last ?? {}) as Record<string, number>;
    const sorted = [...latencies].sort((a, b) => a - b);
    const worst = sorted[sorted.length - 1] ?? NaN;
    const p50 = sorted[Math.floor(sorted.length / 2)] ?? NaN;
    const peakRatio = mem.peak / idle.rss;
    return [
      {
        name: `template flood (${engine}): ${templates.toLocaleString("en-US")} templates from ${
          sourceIds.toLocaleString("en-US")
        } source ids, server peak RSS`,
        value: mem.peak,
        unit: "MB",
        note: `goal < ${GOAL_RSS_MB} MB (${met(mem.peak < GOAL_RSS_MB)}); idle before the flood ${
          idle.rss.toFixed(0)
        } MB (×${peakRatio.toFixed(2)}); sent in ${(floodMs / 1000).toFixed(1)} s`,
      },
      {
        name: `template flood (${engine}): slowest /health answer during the flood`,
        value: worst,
        unit: "ms",
        note: `goal < ${GOAL_HEALTH_MS} ms (${met(worst < GOAL_HEALTH_MS)}); median ${
          p50.toFixed(1)
        } ms over ${latencies.length} requests`,
      },
      {
        name: `template flood (${engine}): templates kept`,
        value: nf.templates ?? NaN,
        unit: "templates",
        note: `${(nf.templates_refused ?? 0).toLocaleString("en-US")} refused, ${
          (nf.streams_refused ?? 0).toLocaleString("en-US")
        } packets of refused source ids, ${nf.packets ?? 0} datagrams decoded, ${
          nf.kernel_drops ?? 0
        } kernel drops`,
      },
    ];
  } finally {
    sender.close();
    try {
      child.kill("SIGTERM");
    } catch {
      // already gone
    }
    const exited = await Promise.race([
      child.status,
      new Promise((r) => setTimeout(() => r(null), 15_000)),
    ]);
    if (exited === null) {
      child.kill("SIGKILL");
      await child.status;
    }
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  for (const r of await benchNetflowFlood(Deno.env.get("BENCH_QUICK") === "1")) {
    console.log(`${r.name}: ${r.value.toFixed(1)} ${r.unit} — ${r.note ?? ""}`);
  }
}
