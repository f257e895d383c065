// The big subnet page: server p95, HTML size and the browser's load event for a /16 with 5,000 and
// 20,000 hosts, each as a ratio against an empty /24's page measured in the same run.
// The process is set up as main.ts sets it up, with one exception: the read memo (and with it the
// page cache) stays off, so every request reads and draws the page anew, as the first view after
// a change does. The host-state cache is on, as in main.ts: a page never waits for a KV scan.
//
// Run: deno run -A --unstable-kv bench/ipam_render_bench.ts [--quick]   (PGlite in memory; nothing
// is scanned: the hosts are rows in a documentation-free private range that no test probes).
// The Chromium part runs when /usr/bin/chromium exists (under `flock /tmp/pf-browser.lock` when
// others share the machine); BENCH_QUICK=1 or --quick takes fewer samples (CI).
import { createApp } from "@/app.ts";
import { parseConfig } from "@/services/config/config.ts";
import { ensureDefaultAdmin } from "@/services/auth/mod.ts";
import { migrate, openKvStateStore, openPglite, type StateStore } from "@/services/store/mod.ts";
import { createDeps, type Deps } from "@/services/services.ts";
import { setLogLevel } from "@/services/logger.ts";
import { VERSION } from "@/web/version.ts";
import {
  bigIntToIp,
  createSubnet,
  enableHostStateCache,
  HOST_STATE_PREFIX,
  parseCidr,
  SubnetInputSchema,
} from "@/services/ipam/mod.ts";
import { CHROMIUM, launchBrowser } from "@/tests/support/browser.ts";
import { met } from "./verdict.ts";

export interface BenchResult {
  name: string;
  ms?: number;
  value?: number;
  unit?: string;
  note?: string;
}

const PASSWORD = "bench-admin-password";
const verdict = (value: number, goal: number, unit: string) =>
  `goal < ${goal} ${unit}: ${met(value < goal)}`;

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

/** `count` distinct usable addresses spread over the prefix (deterministic). */
function spread(cidr: string, count: number, stride: bigint): string[] {
  const c = parseCidr(cidr);
  const span = c.last - c.first - 1n;
  const out = new Set<string>();
  for (let i = 0n; out.size < count; i++) {
    out.add(bigIntToIp(c.first + 1n + ((i * stride) % span), c.family));
  }
  return [...out];
}

async function seed(db: Deps["db"], kv: StateStore, cidr: string, hosts: number, stride: bigint) {
  const subnet = await createSubnet(db, SubnetInputSchema.parse({ cidr }));
  if (hosts === 0) return subnet.id;
  const ips = spread(cidr, hosts, stride);
  await db.query(
    `insert into host (ip, subnet_id, hostname, tags)
     select u.ip, $2, 'host-' || u.n, array['bench']
     from unnest($1::inet[]) with ordinality as u(ip, n)`,
    [ips, subnet.id],
  );
  // Every other host has a live state, as discovery would write it.
  for (let i = 0; i < ips.length; i += 1000) {
    const ops = [];
    for (let j = i; j < Math.min(ips.length, i + 1000); j += 2) {
      ops.push({
        key: [HOST_STATE_PREFIX, ips[j]],
        set: {
          up: j % 4 === 0,
          latency_ms: 0.5,
          since: Date.now() - 60_000,
          last_seen: Date.now(),
          method: "icmp",
        },
      });
    }
    await kv.commitEach(ops);
  }
  return subnet.id;
}

interface PageCase {
  name: string;
  path: string;
  /** Goals of issue 16 for this page (undefined: reference only). */
  goalServerMs?: number;
  goalHtmlKb?: number;
  goalLoadMs?: number;
}

export async function benchIpamRender(quick = false): Promise<BenchResult[]> {
  setLogLevel("error");
  const runs = quick ? 8 : 30;
  const browserRuns = quick ? 3 : 7;
  const db = await openPglite("memory://");
  const kv = await openKvStateStore(":memory:");
  let server: Deno.HttpServer | null = null;
  try {
    await migrate(db);
    const cfg = parseConfig({
      DISABLE_SCHEDULER: "1",
      ADMIN_PASSWORD: PASSWORD,
      LOG_LEVEL: "error",
    });
    await ensureDefaultAdmin(db, cfg.ADMIN_PASSWORD);
    enableHostStateCache(kv, { maxAgeMs: cfg.HOST_STATE_CACHE_MS });
    const deps: Deps = createDeps({ cfg, db, kv, now: Date.now, version: VERSION });
    const app = createApp(deps);

    const ref = await seed(db, kv, "10.19.0.0/24", 0, 1n);
    const s5k = await seed(db, kv, "10.20.0.0/16", 5000, 7919n);
    const s20k = await seed(db, kv, "10.21.0.0/16", 20_000, 7919n);
    const s64 = await seed(db, kv, "2001:db8:0:10::/64", 1000, 104729n);
    const cases: PageCase[] = [
      { name: "empty /24 (reference)", path: `/subnets/${ref}` },
      {
        name: "/16 with 5,000 hosts",
        path: `/subnets/${s5k}`,
        goalServerMs: 150,
        goalHtmlKb: 300,
        goalLoadMs: 800,
      },
      { name: "/16 with 20,000 hosts", path: `/subnets/${s20k}`, goalServerMs: 300 },
      { name: "/16 with 20,000 hosts, last window", path: `/subnets/${s20k}?at=10.21.255.254` },
      { name: "/64 with 1,000 hosts", path: `/subnets/${s64}` },
    ];

    const login = await app.request("/api/v1/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: PASSWORD }),
    });
    const cookie = login.headers.getSetCookie().find((c) => c.startsWith("pf_session="))!
      .split(";")[0];

    const time = async (path: string, n: number) => {
      const samples: number[] = [];
      let bytes = 0;
      for (let r = 0; r < n + 2; r++) {
        const started = performance.now();
        const res = await app.request(path, { headers: { cookie } });
        const body = await res.text();
        const ms = performance.now() - started;
        if (res.status !== 200) throw new Error(`${path}: ${res.status} ${body.slice(0, 200)}`);
        bytes = new TextEncoder().encode(body).length;
        if (r >= 2) samples.push(ms); // the first runs warm caches and JIT
      }
      return { p95: percentile(samples, 95), p50: percentile(samples, 50), bytes };
    };

    const results: BenchResult[] = [];
    const server0 = await time(cases[0].path, runs);
    for (const [i, k] of cases.entries()) {
      const t = i === 0 ? server0 : await time(k.path, runs);
      const goal = k.goalServerMs ? `, ${verdict(t.p95, k.goalServerMs, "ms")}` : "";
      results.push({
        name: `subnet page ${k.name}: server p95`,
        ms: t.p95,
        note: `p50 ${t.p50.toFixed(1)} ms, ${runs} runs, ×${(t.p95 / server0.p95).toFixed(2)} ` +
          `the reference${goal}`,
      });
      const kb = t.bytes / 1024;
      results.push({
        name: `subnet page ${k.name}: HTML`,
        value: kb,
        unit: "KiB",
        note: `×${(t.bytes / server0.bytes).toFixed(2)} the reference` +
          (k.goalHtmlKb ? `, ${verdict(t.bytes / 1000, k.goalHtmlKb, "KB")}` : ""),
      });
    }
    const api = await time(`/api/v1/subnets/${s5k}/addresses?limit=1000`, runs);
    results.push({
      name: "addresses API /16 with 5,000 hosts (1,000 rows): p95",
      ms: api.p95,
      note: `×${(api.p95 / server0.p95).toFixed(2)} the reference page`,
    });

    let exists = false;
    try {
      exists = Deno.statSync(CHROMIUM).isFile;
    } catch { /* no browser here */ }
    if (!exists) {
      results.push({ name: "load event in Chromium", value: NaN, note: `no ${CHROMIUM}` });
      return results;
    }
    server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, app.fetch);
    const base = `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}`;
    const { browser, close } = await launchBrowser();
    try {
      const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
      const [name, value] = cookie.split("=");
      await context.addCookies([{ name, value, url: base }]);
      const page = await context.newPage();
      const load = async (path: string) => {
        const samples: number[] = [];
        let nodes = 0;
        for (let r = 0; r < browserRuns + 1; r++) {
          await page.goto(`${base}${path}`, { waitUntil: "load" });
          const nav = await page.evaluate(() => {
            const e = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
            return {
              load: e.loadEventEnd - e.startTime,
              nodes: document.querySelectorAll("*").length,
            };
          });
          nodes = nav.nodes;
          if (r > 0) samples.push(nav.load);
        }
        return { median: percentile(samples, 50), nodes };
      };
      const load0 = await load(cases[0].path);
      for (const [i, k] of cases.entries()) {
        if (i > 2) break; // the reference, 5,000 and 20,000 hosts
        const t = i === 0 ? load0 : await load(k.path);
        results.push({
          name: `subnet page ${k.name}: load event`,
          ms: t.median,
          note: `median of ${browserRuns}, ${t.nodes.toLocaleString("en-US")} DOM nodes, ` +
            `×${(t.median / load0.median).toFixed(2)} the reference` +
            (k.goalLoadMs ? `, ${verdict(t.median, k.goalLoadMs, "ms")}` : ""),
        });
      }
    } finally {
      await close();
    }
    return results;
  } finally {
    await server?.shutdown();
    kv.close();
    await db.close();
  }
}

if (import.meta.main) {
  const quick = Deno.args.includes("--quick") || Deno.env.get("BENCH_QUICK") === "1";
  const results = await benchIpamRender(quick);
  const width = Math.max(...results.map((r) => r.name.length));
  console.log(`${"benchmark".padEnd(width)}  ${"value".padStart(9)}  note`);
  for (const r of results) {
    const v = r.ms ?? r.value ?? NaN;
    const unit = r.ms !== undefined ? "ms" : r.unit ?? "";
    console.log(
      `${r.name.padEnd(width)}  ${v.toFixed(1).padStart(6)} ${unit.padEnd(3)}  ${r.note ?? ""}`,
    );
  }
}
