// Live discovery through Pingfold against real network namespaces (needs root), on both engines:
// the scheduler finds a lab /24, a host going down flips state, history, events, pill and uptime;
// fping missing → ping; ICMP dropped → TCP; and a sweep never leaves its subnet.
import { openKvStateStore } from "@/services/store/mod.ts";
import assert from "node:assert/strict";
import { cookieFrom } from "@/tests/support/test_app.ts";
import { type Engine, ENGINES, openTestDb } from "@/tests/support/test_db.ts";
import { startTestServer, type TestServer } from "@/tests/support/test_server.ts";
import { parseConfig } from "@/services/config/config.ts";
import { createDeps, type Deps } from "@/services/services.ts";
import { VERSION } from "@/web/version.ts";
import {
  type CommandRunner,
  createCommandRunner,
  resolveProgram,
  runCommand,
} from "@/services/jobs/mod.ts";
import { createDiscovery, type HostState, readStates, sweepSubnet } from "@/services/sweeps/mod.ts";
import { createLab, type Lab, labPreflight } from "./netns_lab.ts";
import { TEST_SCAN_SCOPE } from "@/tests/support/test_scope.ts";

const PASSWORD = "lab-admin-password-1";
const SUBNET = "198.51.100.0/24";
const LIVE = ["198.51.100.1", "198.51.100.10", "198.51.100.20", "198.51.100.30"];
const HOSTS = [
  { ip: "198.51.100.10", services: [{ port: 8080 }] },
  { ip: "198.51.100.20" },
  { ip: "198.51.100.30" },
];
/** Short probes keep the 250 empty addresses of the /24 cheap; the lab answers in < 1 ms. */
const PROBE_ENV = {
  PTR_LOOKUP_ENABLED: "0",
  PING_TIMEOUT_MS: "300",
  PING_RETRIES: "1",
  // The lab's ranges are documentation ranges, outside the default scope: allow them explicitly.
  SCAN_SCOPE: TEST_SCAN_SCOPE,
};

const labTest = (name: string, fn: (engine: Engine) => Promise<void>) => {
  for (const engine of ENGINES) {
    Deno.test({
      name: `lab: ${name} [${engine}]`,
      sanitizeOps: false,
      sanitizeResources: false,
      fn: () => fn(engine),
    });
  }
};

async function withLabs<T>(
  specs: Array<Parameters<typeof createLab>[0]>,
  fn: (labs: Lab[]) => Promise<T>,
) {
  await labPreflight();
  const labs: Lab[] = [];
  try {
    for (const spec of specs) labs.push(await createLab(spec));
    return await fn(labs);
  } finally {
    for (const lab of labs) await lab.destroy();
  }
}

/** Polls `check` (bounded) until it returns a value; for work done by background tasks. */
async function eventually<T>(
  what: string,
  check: () => Promise<T | null>,
  tries = 300,
): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await check();
    if (v !== null) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`gave up waiting for ${what}`);
}

async function insertSubnet(db: Deps["db"], cidr: string, scan = false): Promise<number> {
  const [{ id }] = await db.query<{ id: number }>(
    `insert into subnet (cidr, scan_enabled, scan_interval_s) values ($1, $2, 30) returning id`,
    [cidr, scan],
  );
  return id;
}

async function hostIps(db: Deps["db"]): Promise<string[]> {
  const rows = await db.query<{ ip: string }>(`select host(ip) as ip from host order by host.ip`);
  return rows.map((r) => r.ip);
}

/** Service-level deps on a fresh database, as main.ts builds them (no HTTP). */
async function openDeps(engine: Engine, env: Record<string, string> = {}) {
  const { db, dispose } = await openTestDb(engine);
  const kv = await openKvStateStore(":memory:");
  const cfg = parseConfig({ DISABLE_SCHEDULER: "1", ...PROBE_ENV, ...env });
  const deps: Deps = createDeps({ cfg, db, kv, now: Date.now, version: VERSION });
  return {
    deps,
    async [Symbol.asyncDispose]() {
      kv.close();
      await dispose();
    },
  };
}

async function login(server: TestServer) {
  const res = await fetch(`${server.url}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "admin", password: PASSWORD }),
  });
  assert.equal(res.status, 200);
  const { csrf_token } = await res.json();
  const cookie = cookieFrom(res);
  return (method: string, path: string) =>
    fetch(`${server.url}${path}`, {
      method,
      headers: { cookie, "x-csrf-token": csrf_token },
    });
}

labTest(
  "the scheduler finds exactly the live hosts; a host going down flips once",
  async (engine) => {
    await withLabs([{ hosts: HOSTS }], async ([lab]) => {
      assert.equal(lab.subnet, SUBNET);
      const server = await startTestServer(engine, {
        DISABLE_SCHEDULER: "0",
        ADMIN_PASSWORD: PASSWORD,
        // A 5 s tick (timer, below cron's minute) so the first sweep comes quickly.
        SCAN_ICMP_INTERVAL_SECONDS: "5",
        ...PROBE_ENV,
      }, { background: true });
      try {
        const { db, kv } = server.deps;
        const subnetId = await insertSubnet(db, SUBNET, true);

        // 1. The scheduler sweeps the new subnet on its own.
        const first = await eventually("the first scheduled sweep", async () => {
          const rows = await db.query<Record<string, unknown>>(
            `select * from scan_run where subnet_id = $1 and trigger = 'schedule'`,
            [subnetId],
          );
          return rows[0] ?? null;
        });
        assert.equal(first.status, "succeeded", JSON.stringify(first.errors));
        assert.equal(first.method, "fping");
        assert.equal(first.targets, 254);
        assert.equal(first.hosts_up, 4);
        assert.equal(first.hosts_new, 4);
        assert.deepEqual(await hostIps(db), LIVE);
        const states = await readStates(kv, LIVE);
        assert.deepEqual(LIVE.map((ip) => states.get(ip)?.up), [true, true, true, true]);
        const [h10] = await db.query<{ mac: string | null }>(
          `select mac from host where ip = '198.51.100.10'`,
        );
        assert.match(
          h10.mac ?? "",
          /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/,
          "MAC from the neighbour table",
        );

        // 2. One host goes down; "scan now" sweeps again while the API stays responsive.
        await lab.hostDown("198.51.100.20");
        const call = await login(server);
        const accepted = await call("POST", `/api/v1/subnets/${subnetId}/sweep`);
        assert.equal(accepted.status, 202);
        const { task_id } = await accepted.json();
        const during = await call("GET", `/api/v1/tasks/${task_id}`);
        assert.equal(during.status, 200);
        assert.ok(["queued", "running"].includes((await during.json()).status), "still sweeping");
        const runsDuring = await call("GET", "/api/v1/scanner/runs?limit=5");
        assert.equal(runsDuring.status, 200);
        await runsDuring.body?.cancel();

        const task = await eventually("the manual sweep", async () => {
          const t = await (await call("GET", `/api/v1/tasks/${task_id}`)).json();
          return t.status === "succeeded" || t.status === "failed" ? t : null;
        });
        assert.equal(task.status, "succeeded", task.error);
        assert.equal(task.result.hosts_up, 3);
        assert.equal(task.result.hosts_down, 1);
        assert.equal(task.result.flips, 1);

        // KV state: down since this sweep, last seen at the first one.
        const down = (await readStates(kv, ["198.51.100.20"])).get("198.51.100.20") as HostState;
        assert.equal(down.up, false);
        assert.equal(down.latency_ms, null);
        assert.ok(down.since > down.last_seen!, "down since after last seen");
        // One new host_status row (down) and exactly one host_event for the flip.
        const [host] = await db.query<{ id: number }>(
          `select id from host where ip = '198.51.100.20'`,
        );
        const statuses = await db.query<{ is_up: boolean }>(
          `select is_up from host_status where host_id = $1 order by ts`,
          [host.id],
        );
        assert.deepEqual(statuses.map((s) => s.is_up), [true, false]);
        const events = await db.query<{ kind: string }>(
          `select kind from host_event where host_id = $1 order by id`,
          [host.id],
        );
        assert.deepEqual(events.map((e) => e.kind), ["discovered", "down"]);
        const others = await db.query<{ n: number }>(
          `select count(*)::int as n from host_event where kind in ('up', 'down') and host_id <> $1`,
          [host.id],
        );
        assert.equal(others[0].n, 0, "no other host flipped");

        // The subnet page shows the pill Down with "down … ago"; uptime dropped.
        const html = await (await call("GET", `/subnets/${subnetId}`)).text();
        const row = new RegExp(`<tr[^>]*data-ip="198\\.51\\.100\\.20"[^>]*>.*?</tr>`, "s").exec(
          html,
        );
        assert.ok(row, "the host row is on the subnet page");
        assert.match(row[0], /class="pill pill-down"/);
        assert.match(row[0], /title="down \d+[smhd] ago/);
        const uptime = await (await call("GET", `/api/v1/hosts/${host.id}/uptime`)).json();
        assert.equal(uptime.uptime_24h.samples, 2);
        assert.equal(uptime.uptime_24h.ratio, 0.5);
        assert.equal(uptime.state.status, "down");
        const up10 = await db.query<{ id: number }>(
          `select id from host where ip = '198.51.100.10'`,
        );
        const steady = await (await call("GET", `/api/v1/hosts/${up10[0].id}/uptime`)).json();
        assert.equal(steady.uptime_24h.ratio, 1);
      } finally {
        await server.stop();
      }
    });
  },
);

labTest("with fping missing from PATH, Pingfold sweeps with ping", async (engine) => {
  await withLabs([{ hosts: HOSTS }], async () => {
    await using ctx = await openDeps(engine);
    const id = await insertSubnet(ctx.deps.db, SUBNET);
    await withPath(["ping"], async (runner) => {
      const d = createDiscovery(ctx.deps, { runner, neighbors: null });
      const run = await sweepSubnet(d.env, id, { trigger: "manual" });
      assert.equal(run.status, "succeeded");
      assert.equal(run.method, "ping");
      assert.match(run.errors.join("\n"), /fping unavailable \(not installed\)/);
      assert.equal(run.hosts_up, 4);
      assert.deepEqual(await hostIps(ctx.deps.db), LIVE);
      const states = await readStates(ctx.deps.kv, LIVE);
      assert.deepEqual(LIVE.map((ip) => states.get(ip)?.method), ["ping", "ping", "ping", "ping"]);
      const methods = await ctx.deps.db.query<{ method: string }>(
        `select distinct method from host_status`,
      );
      assert.deepEqual(methods.map((m) => m.method), ["ping"]);
    });
  });
});

labTest(
  "with ICMP dropped in a namespace, TCP still finds the host's open port",
  async (engine) => {
    await withLabs([{ hosts: HOSTS }], async ([lab]) => {
      await lab.blockIcmp("198.51.100.10"); // serves HTTP on 8080
      await using ctx = await openDeps(engine);
      const id = await insertSubnet(ctx.deps.db, SUBNET);
      const d = createDiscovery(ctx.deps, { neighbors: null });
      d.env.tunables.tcpPorts = [8080];
      const run = await sweepSubnet(d.env, id, { trigger: "manual" });
      assert.equal(run.status, "succeeded");
      assert.equal(run.method, "fping");
      assert.equal(run.hosts_up, 4);
      assert.deepEqual(await hostIps(ctx.deps.db), LIVE);
      const states = await readStates(ctx.deps.kv, LIVE);
      assert.equal(states.get("198.51.100.10")?.method, "tcp");
      assert.equal(states.get("198.51.100.20")?.method, "fping");
      const [row] = await ctx.deps.db.query<{ method: string; is_up: boolean }>(
        `select s.method, s.is_up from host_status s join host h on h.id = s.host_id
       where h.ip = '198.51.100.10'`,
      );
      assert.deepEqual(row, { method: "tcp", is_up: true });
    });
  },
);

labTest("a sweep never probes outside its subnet", async (engine) => {
  await withLabs([{ hosts: HOSTS }, { hosts: [{ ip: "203.0.113.7" }] }], async ([, other]) => {
    await using ctx = await openDeps(engine);
    const inside = await insertSubnet(ctx.deps.db, SUBNET);
    const outside = await insertSubnet(ctx.deps.db, other.subnet);
    await countIpv4(other.hosts[0].netns);

    const probed: string[] = [];
    const spy: CommandRunner = (cmd, args, opts) => {
      if (cmd === "fping") probed.push(...(opts?.stdin ?? "").split("\n").filter(Boolean));
      if (cmd === "ping") probed.push(args.at(-1)!);
      return runCommand(cmd, args, opts);
    };
    const dials: string[] = [];
    const d = createDiscovery(ctx.deps, {
      runner: spy,
      neighbors: null,
      dial: (o) => {
        dials.push(o.hostname);
        return Deno.connect({ hostname: o.hostname, port: o.port, signal: o.signal });
      },
    });
    const run = await sweepSubnet(d.env, inside, { trigger: "manual" });
    assert.equal(run.hosts_up, 4);
    assert.equal(new Set(probed).size, 254);
    const stray = [...probed, ...dials].filter((ip) => !ip.startsWith("198.51.100."));
    assert.deepEqual(stray, [], "every probe stayed inside 198.51.100.0/24");
    assert.equal(await countIpv4(other.hosts[0].netns), 0, "the other lab saw no packet");
    assert.deepEqual(await hostIps(ctx.deps.db), LIVE);
    assert.equal((await readStates(ctx.deps.kv, ["203.0.113.7"])).size, 0);

    // The counter does count: sweeping the other subnet reaches its host.
    await sweepSubnet(d.env, outside, { trigger: "manual" });
    assert.ok((await countIpv4(other.hosts[0].netns)) > 0);
    assert.ok((await hostIps(ctx.deps.db)).includes("203.0.113.7"));
  });
});

/** Counts IPv4 packets entering a namespace (nftables); the first call installs the counter. */
async function countIpv4(netns: string): Promise<number> {
  const run = async (args: string[], stdin?: string) => {
    const child = new Deno.Command("ip", {
      args: ["netns", "exec", netns, "nft", ...args],
      stdin: stdin ? "piped" : "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    if (stdin) {
      const w = child.stdin.getWriter();
      await w.write(new TextEncoder().encode(stdin));
      await w.close();
    }
    const out = await child.output();
    return { code: out.code, text: new TextDecoder().decode(out.stdout) };
  };
  const listed = await run(["list", "table", "inet", "pf_count"]);
  if (listed.code !== 0) {
    const made = await run(
      ["-f", "-"],
      `table inet pf_count {
  chain input {
    type filter hook input priority -10; policy accept;
    meta nfproto ipv4 counter
  }
}
`,
    );
    assert.equal(made.code, 0, "nft counter installed");
    return 0;
  }
  return Number(/counter packets (\d+)/.exec(listed.text)?.[1] ?? NaN);
}

/** Runs `fn` with a runner whose PATH holds only the named programs. */
async function withPath(programs: string[], fn: (runner: CommandRunner) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "pf_path_" });
  try {
    for (const program of programs) {
      const real = await resolveProgram(program, Deno.env.get("PATH") ?? "");
      assert.ok(real, `${program} must be installed`);
      await Deno.symlink(real, `${dir}/${program}`);
    }
    await fn(createCommandRunner({ path: dir }));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
