// Scale-out with real processes: nats-server, PostgreSQL, and main.ts started once per role with
// ROLE/SITE/NATS_URL/DATABASE_URL in its environment. (a) a loopback /28 swept by the scanner is
// ingested once, also when a result is delivered again, and a scanner of another site never
// takes its jobs; (b) killing the active scheduler hands
// scheduling to the other one, and no interval is issued twice.
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { jetstream } from "@nats-io/jetstream";
import { createSubnet, SubnetInputSchema } from "@/services/ipam/mod.ts";
import { resultSubject } from "@/services/cluster/mod.ts";
import { ENGINES } from "../support/test_db.ts";
import { freshDatabase } from "../support/fresh_database.ts";
import { startNats } from "../support/nats_server.ts";
import { roleLauncher, type RoleProcess } from "../support/role_process.ts";
import { mainCommand } from "../support/main_process.ts";

const INTERVAL_S = 6;
const CIDR = "127.0.61.0/28";

const ignore = { sanitizeOps: false, sanitizeResources: false };

Deno.test({
  name: "cluster: scheduler, scanner and ingest processes sweep a /28 and ingest it once; a " +
    "killed scheduler hands over without issuing an interval twice",
  ignore: !ENGINES.includes("postgres"),
  ...ignore,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "scale-roles-" });
    const nats = startNats(dir);
    const procs: RoleProcess[] = [];
    await using pg = await freshDatabase();
    try {
      await nats.ready();
      const subnet = await createSubnet(
        pg.db,
        SubnetInputSchema.parse({ cidr: CIDR, scan_enabled: true, site: "local" }),
      );
      // Below the 30 s floor of the API (and its check), so the test sees several intervals quickly.
      await pg.db.exec("alter table subnet drop constraint subnet_scan_interval_s_check");
      await pg.db.query("update subnet set scan_interval_s = $1 where id = $2", [
        INTERVAL_S,
        subnet.id,
      ]);
      const common = {
        NATS_URL: nats.url,
        DATABASE_URL: pg.url,
        SCAN_ICMP_INTERVAL_SECONDS: "5",
        SCAN_JITTER: "0",
        SCHEDULER_LEASE_SECONDS: "3",
        PTR_LOOKUP_ENABLED: "0",
        SNMP_ENABLED: "0",
        NETFLOW_ENABLED: "0",
        ENABLE_NMAP_SCHEDULER: "0",
        PING_TIMEOUT_MS: "200",
      };
      const role = roleLauncher(dir, common, procs);
      const schedA = role("schedA", { ROLE: "scheduler" });
      await schedA.waitFor((l) => l.msg === "took the scheduler lease");
      const schedB = role("schedB", { ROLE: "scheduler" });
      const scanner = role("scanner", { ROLE: "scanner", SITE: "local" });
      const ingest = role("ingest", { ROLE: "ingest" });
      // A scanner of another site: it must never take this site's jobs.
      const stranger = role("stranger", { ROLE: "scanner", SITE: "branch-9" });
      await scanner.waitFor((l) => l.msg === "scanner waiting for sweep jobs");
      await stranger.waitFor((l) => l.msg === "scanner waiting for sweep jobs");

      // (a) the first sweep arrives in SQL exactly once: 14 addresses answered on loopback.
      const first = await ingest.waitFor((l) =>
        l.msg === "sweep result ingested" && l.outcome === "ingested"
      );
      // Rows by batch (a batch shares its ts): the scheduler's known-host cycle may add its own
      // batches of checks as soon as the hosts exist, but only later ones.
      const batches = await pg.db.query<{ n: number }>(
        `select count(*)::int as n from host_status s join host h on h.id = s.host_id
         where h.ip <<= $1::cidr group by s.ts order by s.ts`,
        [CIDR],
      );
      assert.equal(batches[0]?.n, 14, "one status row per address of the /28");
      assert.ok(batches.every((b) => b.n <= 14), "no batch was written twice");
      // The same result again under a new message id (past JetStream's dedupe): SQL refuses it.
      const row = await pg.db.query<{ result_id: string }>(
        "select result_id from ingested_result where result_id = $1",
        [String(first.result_id)],
      );
      assert.equal(row.length, 1);
      const nc = await connect({ servers: nats.url });
      try {
        const stored = await jetstream(nc).publish(
          resultSubject("local"),
          JSON.stringify({
            result_id: first.result_id,
            job_id: first.result_id,
            site: "local",
            subnet_id: subnet.id,
            cidr: CIDR,
            seq: 0,
            instance: "replay",
            origin: "job",
            started_at: Date.now(),
            finished_at: Date.now(),
            status: "succeeded",
            method: "fping",
            targets: 14,
            results: [{ ip: "127.0.61.1", up: true, latencyMs: 0.1, method: "fping" }],
            errors: [],
            notes: [],
          }),
          { msgID: `replay-${first.result_id}` },
        );
        assert.equal(stored.duplicate, false);
      } finally {
        await nc.close();
      }
      await ingest.waitFor((l) =>
        l.msg === "sweep result ingested" && l.outcome === "duplicate" &&
        l.result_id === first.result_id
      );

      // (b) kill the leader hard; the other scheduler takes the lease and keeps the rhythm.
      await ingest.waitFor((l) =>
        l.msg === "sweep result ingested" && l.outcome === "ingested" &&
        l.result_id !== first.result_id
      );
      const killedAt = Date.now();
      await schedA.kill("SIGKILL");
      await schedB.waitFor((l) => l.msg === "took the scheduler lease", 30_000);
      const takeoverMs = Date.now() - killedAt;
      console.log(`takeover after ${takeoverMs} ms (lease TTL 3000 ms)`);
      const countAfter = async () =>
        (await pg.db.query<{ n: number }>("select count(*)::int as n from ingested_result"))[0].n;
      const before = await countAfter();
      for (let i = 0; i < 150 && await countAfter() < before + 2; i++) {
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.ok(await countAfter() >= before + 2, "sweeps continue under the new scheduler");

      const runs = await pg.db.query<{ result_id: string }>(
        `select result_id from ingested_result where subnet_id = $1 and result_id not like 'replay%'
         order by result_id`,
        [subnet.id],
      );
      const issued = runs.map((r) => Number(r.result_id.split("-")[1])).sort((a, b) => a - b);
      assert.equal(new Set(issued).size, issued.length, "every interval once");
      for (let i = 1; i < issued.length; i++) {
        assert.ok(
          issued[i] - issued[i - 1] >= INTERVAL_S * 1000,
          `jobs ${issued[i - 1]} and ${issued[i]} are less than one interval apart`,
        );
      }
      const scanRuns = await pg.db.query<{ n: number }>(
        "select count(*)::int as n from scan_run where target = $1",
        [CIDR],
      );
      assert.equal(scanRuns[0].n, issued.length, "one run row per result");
      assert.equal(
        stranger.lines.filter((l) => l.msg === "sweep result spooled").length,
        0,
        "only the subnet's own site sweeps it",
      );
    } finally {
      for (const p of procs) await p.kill("SIGKILL");
      nats.kill();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name: "main.ts refuses a split ROLE without NATS_URL, unknown roles and a wrong NATS password",
  ...ignore,
  async fn() {
    const cwd = await Deno.makeTempDir({ prefix: "scale-refuse-" });
    try {
      const out = await mainCommand(cwd, { ROLE: "scanner", SITE: "branch-1" }).output();
      const err = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 1);
      assert.match(err, /ROLE="scanner"/);
      assert.match(err, /set NATS_URL/);
      const bad = await mainCommand(cwd, { ROLE: "web,pinger", NATS_URL: "nats://127.0.0.1:1" })
        .output();
      assert.equal(bad.code, 1);
      assert.match(new TextDecoder().decode(bad.stderr), /unknown role "pinger"/);
      // A wrong NATS password stops the start with a message naming the settings.
      const nats = startNats(cwd, { auth: { user: "pf", pass: "right" } });
      try {
        await nats.ready();
        const denied = await mainCommand(cwd, {
          ROLE: "scanner",
          NATS_URL: nats.url,
          NATS_USER: "pf",
          NATS_PASSWORD: "wrong",
        }).output();
        assert.equal(denied.code, 1);
        assert.match(new TextDecoder().decode(denied.stderr), /NATS_USER\/NATS_PASSWORD/);
      } finally {
        nats.kill();
      }
    } finally {
      await Deno.remove(cwd, { recursive: true });
    }
  },
});
