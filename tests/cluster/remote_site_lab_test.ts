// A remote site: the scanner runs in its own network namespace, where the lab prefix lives (the
// central processes have no route to it), and reaches NATS over a veth. Its NATS link is cut
// (nftables drop) for ~30 s during sweeps and restored: every result arrives once, in order.
// Needs root; holds the lab tests' lock (and run it under `flock /tmp/pf-lab.lock` by hand).
import assert from "node:assert/strict";
import { migrate, openPostgres } from "@/services/store/mod.ts";
import { createSubnet, SubnetInputSchema } from "@/services/ipam/mod.ts";
import { ENGINES, TEST_DATABASE_URL } from "../support/test_db.ts";
import { startNats } from "../support/nats_server.ts";
import { roleLauncher, type RoleProcess } from "../support/role_process.ts";
import { LAB_LOCK_PATH } from "../lab/netns_lab.ts";

const INTERVAL_S = 6;
const CIDR = "198.51.100.0/28";
const LINK_CENTRAL = "203.0.113.1";
const LINK_SITE = "203.0.113.2";

async function sh(cmd: string, ...args: string[]) {
  const out = await new Deno.Command(cmd, { args, stdout: "null", stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`${cmd} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
}

const isRoot = Deno.uid() === 0;

Deno.test({
  name: "remote site: a scanner whose NATS link is cut for 30 s keeps sweeping, and every result " +
    "arrives once, in order",
  ignore: !ENGINES.includes("postgres") || !isRoot,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    // The lab lock the netns lab tests hold: no two labs change the network at once.
    using lock = await Deno.open(LAB_LOCK_PATH, { create: true, write: true });
    await lock.lock(true);
    const tag = crypto.randomUUID().slice(0, 4);
    const ns = `pfsc-${tag}`;
    const vethA = `pfsc${tag}a`, vethB = `pfsc${tag}b`;
    const dir = await Deno.makeTempDir({ prefix: "scale-site-" });
    const procs: RoleProcess[] = [];
    const dbName = `pf_scale_${tag}${Date.now() % 100000}`;
    const admin = openPostgres(TEST_DATABASE_URL, { max: 1 });
    let nats: ReturnType<typeof startNats> | null = null;
    try {
      await sh("ip", "netns", "add", ns);
      await sh("ip", "link", "add", vethA, "type", "veth", "peer", "name", vethB);
      await sh("ip", "link", "set", vethB, "netns", ns);
      await sh("ip", "addr", "add", `${LINK_CENTRAL}/30`, "dev", vethA);
      await sh("ip", "link", "set", vethA, "up");
      await sh("ip", "netns", "exec", ns, "ip", "addr", "add", `${LINK_SITE}/30`, "dev", vethB);
      await sh("ip", "netns", "exec", ns, "ip", "link", "set", vethB, "up");
      await sh("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
      // The site's hosts: 14 addresses of the lab prefix, only inside the namespace.
      for (let i = 1; i <= 14; i++) {
        await sh("ip", "netns", "exec", ns, "ip", "addr", "add", `198.51.100.${i}/32`, "dev", "lo");
      }

      nats = startNats(dir, { host: LINK_CENTRAL });
      await nats.ready();
      await admin.exec(`create database ${dbName}`);
      const url = TEST_DATABASE_URL.replace(/\/[^/]*$/, `/${dbName}`);
      const db = openPostgres(url, { max: 2 });
      try {
        await migrate(db);
        const subnet = await createSubnet(
          db,
          SubnetInputSchema.parse({ cidr: CIDR, scan_enabled: true, site: "branch-1" }),
        );
        await db.exec("alter table subnet drop constraint subnet_scan_interval_s_check");
        await db.query("update subnet set scan_interval_s = $1 where id = $2", [
          INTERVAL_S,
          subnet.id,
        ]);
        const common = {
          NATS_URL: nats.url,
          SCAN_ICMP_INTERVAL_SECONDS: "5",
          SCAN_JITTER: "0",
          SCAN_SCOPE: "198.51.100.0/24",
          PTR_LOOKUP_ENABLED: "0",
          SNMP_ENABLED: "0",
          NETFLOW_ENABLED: "0",
          ENABLE_NMAP_SCHEDULER: "0",
          PING_TIMEOUT_MS: "200",
        };
        const role = roleLauncher(dir, common, procs);
        role("scheduler", { ROLE: "scheduler", DATABASE_URL: url });
        const ingest = role("ingest", { ROLE: "ingest", DATABASE_URL: url });
        // The remote scanner has no database setting at all: it reaches only NATS.
        const scanner = role("scanner", { ROLE: "scanner", SITE: "branch-1" }, [
          "ip",
          "netns",
          "exec",
          ns,
        ]);
        const ingested = () =>
          ingest.lines.filter((l) => l.msg === "sweep result ingested" && l.outcome === "ingested");
        const spooled = () => scanner.lines.filter((l) => l.msg === "sweep result spooled");
        for (let i = 0; i < 300 && ingested().length < 2; i++) {
          await new Promise((r) => setTimeout(r, 200));
        }
        assert.ok(ingested().length >= 2, "results flow before the cut");

        // Cut the link silently: packets between the site and NATS are dropped.
        await sh("ip", "netns", "exec", ns, "nft", "add", "table", "inet", "pfsccut");
        await sh(
          "ip",
          "netns",
          "exec",
          ns,
          "nft",
          "add",
          "chain",
          "inet",
          "pfsccut",
          "out",
          "{ type filter hook output priority 0 ; policy accept ; }",
        );
        await sh(
          "ip",
          "netns",
          "exec",
          ns,
          "nft",
          "add",
          "rule",
          "inet",
          "pfsccut",
          "out",
          "ip",
          "daddr",
          LINK_CENTRAL,
          "drop",
        );
        const spooledAtCut = spooled().length;
        await new Promise((r) => setTimeout(r, 30_000));
        const offline = spooled().filter((l) => l.origin === "offline").length;
        assert.ok(spooled().length > spooledAtCut, "the scanner kept sweeping while cut off");
        assert.ok(offline > 0, "sweeps on its own schedule while no job could come");
        await sh("ip", "netns", "exec", ns, "nft", "delete", "table", "inet", "pfsccut");

        // Everything spooled arrives: wait until the ingest has seen every spooled result id.
        const want = () => new Set(spooled().map((l) => String(l.result_id)));
        const have = () => new Set(ingested().map((l) => String(l.result_id)));
        for (let i = 0; i < 400; i++) {
          const w = want(), h = have();
          if (spooled().length > spooledAtCut + offline && [...w].every((id) => h.has(id))) break;
          await new Promise((r) => setTimeout(r, 250));
        }
        const w = want();
        const rows = await db.query<{ result_id: string }>(
          "select result_id from ingested_result where subnet_id = $1",
          [subnet.id],
        );
        const inSql = rows.map((r) => r.result_id);
        assert.equal(new Set(inSql).size, inSql.length);
        for (const id of w) assert.ok(inSql.includes(id), `result ${id} was ingested`);
        assert.equal(inSql.length, w.size, "nothing ingested that the scanner did not sweep");
        // In order: ingest applied them in the scanner's spool order.
        const seqs = ingested().map((l) => Number(l.seq));
        assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
        const runs = await db.query<{ n: number }>(
          "select count(*)::int as n from scan_run where target = $1",
          [CIDR],
        );
        assert.equal(runs[0].n, inSql.length, "one run per result");
        console.log(
          `${w.size} results, ${offline} swept offline during the cut, all ingested once in order`,
        );
      } finally {
        for (const p of procs) await p.kill("SIGKILL");
        await db.close();
      }
    } finally {
      nats?.kill();
      await admin.exec(`drop database if exists ${dbName} with (force)`).catch(() => {});
      await admin.close();
      await sh("ip", "link", "del", vethA).catch(() => {});
      await sh("ip", "netns", "del", ns).catch(() => {});
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
