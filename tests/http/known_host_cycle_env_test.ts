// The known-host cycle the way users run it: main.ts as a real process with
// SCAN_ICMP_INTERVAL_SECONDS=5 (the minimum) and hour-long subnet sweeps exported in its
// environment. A loopback /30 holding two known hosts is swept once; its hosts are checked
// again every 5 s in between (fresh last-seen times and status rows), with no further sweep.
import assert from "node:assert/strict";
import { engineEnv, listening, loginOverHttp, mainCommand } from "@/tests/support/main_process.ts";
import { ENGINES } from "@/tests/support/test_db.ts";

const PASSWORD = "known-host-cycle-test-password";
const CIDR = "127.0.93.0/30";
const IPS = ["127.0.93.1", "127.0.93.2"];
/** Checks each host must get beyond the sweep's, and the most this test waits for them. */
const CHECKS = 3;
const DEADLINE_MS = 60_000;

for (const engine of ENGINES) {
  Deno.test({
    name: `known hosts are checked every SCAN_ICMP_INTERVAL_SECONDS between sweeps [${engine}]`,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      const dir = await Deno.makeTempDir({ prefix: "known-host-cycle-" });
      const store = await engineEnv(engine, dir);
      const child = mainCommand(dir, {
        HOST: "127.0.0.1",
        ADMIN_PASSWORD: PASSWORD,
        SCAN_ICMP_INTERVAL_SECONDS: "5",
        SCAN_SWEEP_INTERVAL_MINUTES: "60",
        SCAN_JITTER: "0",
        PING_TIMEOUT_MS: "300",
        LOG_LEVEL: "debug",
        NETFLOW_ENABLED: "0",
        PTR_LOOKUP_ENABLED: "0",
        SNMP_ENABLED: "0",
        ENABLE_NMAP_SCHEDULER: "0",
        ...store.env,
      }, { stdout: "null" }).spawn();
      try {
        const { url, log } = await listening(child.stderr);
        const { cookie, csrf } = await loginOverHttp(url, "admin", PASSWORD);
        const api = async (method: string, path: string, json?: unknown) => {
          const res = await fetch(`${url}/api/v1${path}`, {
            method,
            headers: { cookie, "x-csrf-token": csrf, "content-type": "application/json" },
            ...(json !== undefined && { body: JSON.stringify(json) }),
          });
          const body = await res.json();
          assert.ok(res.ok, `${method} ${path}: ${res.status} ${JSON.stringify(body)}`);
          return body;
        };
        const subnet = await api("POST", "/subnets", { cidr: CIDR });
        assert.equal(subnet.scan_interval_s, 3600, "SCAN_SWEEP_INTERVAL_MINUTES sets the sweeps");
        const hosts: Array<{ id: number }> = [];
        for (const ip of IPS) hosts.push(await api("POST", "/hosts", { ip }));
        await api("PATCH", `/subnets/${subnet.id}`, { scan_enabled: true });
        const enabledAt = Date.now();

        // Each check marks the host seen and adds a status row: watch both until every host has
        // the sweep's one plus CHECKS more, or the deadline passes.
        const seen = hosts.map(() => new Set<string>());
        const samples = hosts.map(() => 0);
        const done = () => samples.every((n) => n >= CHECKS + 1);
        while (!done() && Date.now() - enabledAt < DEADLINE_MS) {
          await new Promise((r) => setTimeout(r, 1000));
          for (const [i, h] of hosts.entries()) {
            const row = await api("GET", `/hosts/${h.id}`);
            if (row.last_seen_at) seen[i].add(row.last_seen_at);
            const series = await api("GET", `/hosts/${h.id}/status?step=3600`);
            samples[i] = series.items.reduce(
              (n: number, b: { samples: number }) => n + b.samples,
              0,
            );
          }
        }
        const took = Date.now() - enabledAt;
        assert.ok(done(), `status rows per host ${samples} after ${took} ms:\n${log.join("\n")}`);
        for (const s of seen) assert.ok(s.size >= CHECKS, `last seen moved ${s.size} times`);
        // Five-second checks: CHECKS of them need at least CHECKS × 5 s minus one period of slack.
        assert.ok(took >= (CHECKS - 1) * 5000, `${CHECKS} checks came too fast: ${took} ms`);

        const runs = await api("GET", `/scanner/runs?subnet_id=${subnet.id}&kind=subnet`);
        assert.equal(runs.items.length, 1, "the full sweep ran once");
        assert.equal(runs.items[0].targets, 2);
        const checks = log.filter((l) => l.includes('"msg":"known hosts checked"'));
        assert.ok(checks.length >= CHECKS, log.join("\n"));

        const page = await (await fetch(`${url}/scanner`, { headers: { cookie } })).text();
        assert.match(page, /Known hosts are pinged every 5 s between sweeps; the last check/);
      } finally {
        child.kill("SIGTERM");
        await child.status;
        await store.dispose();
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}
