// Server render time of the folded subnet page: a /16 with 5,000 hosts and a /64 with 1,000 hosts.
//
// Run: deno run -A --unstable-kv bench/ipam_render_bench.ts   (PGlite in memory; nothing is scanned)
import { createApp } from "@/app.ts";
import { parseConfig } from "@/services/config/config.ts";
import { ensureDefaultAdmin } from "@/services/auth/mod.ts";
import { migrate, openPglite } from "@/services/store/mod.ts";
import { createDeps, type Deps } from "@/services/services.ts";
import { setLogLevel } from "@/services/logger.ts";
import { VERSION } from "@/web/version.ts";
import {
  bigIntToIp,
  createSubnet,
  HOST_STATE_PREFIX,
  parseCidr,
  SubnetInputSchema,
} from "@/services/ipam/mod.ts";

export interface BenchResult {
  name: string;
  ms: number;
  note?: string;
}

const RUNS = 7;
const PASSWORD = "bench-admin-password";

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
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

export async function benchIpamRender(): Promise<BenchResult[]> {
  setLogLevel("error");
  const db = await openPglite("memory://");
  const kv = await Deno.openKv(":memory:");
  try {
    await migrate(db);
    const cfg = parseConfig({
      DISABLE_SCHEDULER: "1",
      ADMIN_PASSWORD: PASSWORD,
      LOG_LEVEL: "error",
    });
    await ensureDefaultAdmin(db, cfg.ADMIN_PASSWORD);
    const deps: Deps = createDeps({ cfg, db, kv, now: Date.now, version: VERSION });
    const app = createApp(deps);

    const setups = [
      { name: "/16 with 5,000 hosts", cidr: "10.20.0.0/16", hosts: 5000, stride: 7919n },
      { name: "/64 with 1,000 hosts", cidr: "2001:db8:0:10::/64", hosts: 1000, stride: 104729n },
    ];
    const ids: number[] = [];
    for (const s of setups) {
      const subnet = await createSubnet(db, SubnetInputSchema.parse({ cidr: s.cidr }));
      ids.push(subnet.id);
      const ips = spread(s.cidr, s.hosts, s.stride);
      await db.query(
        `insert into host (ip, subnet_id, hostname, tags)
         select u.ip, $2, 'host-' || u.n, array['bench']
         from unnest($1::inet[]) with ordinality as u(ip, n)`,
        [ips, subnet.id],
      );
      // Every other host has a live state, as discovery would write it.
      for (let i = 0; i < ips.length; i += 2 * 500) {
        const op = kv.atomic();
        for (let j = i; j < Math.min(ips.length, i + 1000); j += 2) {
          op.set([HOST_STATE_PREFIX, ips[j]], {
            up: j % 4 === 0,
            latency_ms: 0.5,
            since: Date.now() - 60_000,
            last_seen: Date.now(),
            method: "icmp",
          });
        }
        await op.commit();
      }
    }

    const login = await app.request("/api/v1/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: PASSWORD }),
    });
    const cookie = login.headers.getSetCookie().find((c) => c.startsWith("pf_session="))!
      .split(";")[0];

    const time = async (path: string): Promise<{ ms: number; bytes: number }> => {
      const samples: number[] = [];
      let bytes = 0;
      for (let r = 0; r < RUNS + 1; r++) {
        const started = performance.now();
        const res = await app.request(path, { headers: { cookie } });
        const body = await res.text();
        const ms = performance.now() - started;
        if (res.status !== 200) throw new Error(`${path}: ${res.status} ${body.slice(0, 200)}`);
        bytes = body.length;
        if (r > 0) samples.push(ms); // the first run warms caches and JIT
      }
      return { ms: median(samples), bytes };
    };

    const results: BenchResult[] = [];
    for (const [i, s] of setups.entries()) {
      const pageRun = await time(`/subnets/${ids[i]}`);
      results.push({
        name: `subnet page ${s.name}`,
        ms: pageRun.ms,
        note: `median of ${RUNS}, ${(pageRun.bytes / 1024).toFixed(0)} KiB HTML`,
      });
      const api = await time(`/api/v1/subnets/${ids[i]}/addresses?limit=1000`);
      results.push({
        name: `addresses API ${s.name} (1,000 rows)`,
        ms: api.ms,
        note: `median of ${RUNS}`,
      });
    }
    const dash = await time("/");
    results.push({ name: "dashboard (both subnets)", ms: dash.ms, note: `median of ${RUNS}` });
    return results;
  } finally {
    kv.close();
    await db.close();
  }
}

if (import.meta.main) {
  const results = await benchIpamRender();
  const width = Math.max(...results.map((r) => r.name.length));
  console.log(`${"benchmark".padEnd(width)}  ${"ms".padStart(8)}  note`);
  for (const r of results) {
    console.log(`${r.name.padEnd(width)}  ${r.ms.toFixed(1).padStart(8)}  ${r.note ?? ""}`);
  }
}
