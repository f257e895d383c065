// A 3-node NATS cluster with every stream and bucket replicated three times (NATS_REPLICAS=3):
// killing the results stream's leader node while sweeps run loses no result and doubles none.
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { migrate, openPostgres } from "@/services/store/mod.ts";
import { createSubnet, SubnetInputSchema } from "@/services/ipam/mod.ts";
import { RESULT_STREAM } from "@/services/cluster/mod.ts";
import { ENGINES, TEST_DATABASE_URL } from "../support/test_db.ts";
import { rangePort, startNats } from "../support/nats_server.ts";
import { roleLauncher, type RoleProcess } from "../support/role_process.ts";

const INTERVAL_S = 5;
const CIDR = "127.0.62.0/28";

/** Waits (bounded) until the fresh cluster has elected its JetStream meta leader. */
async function jetStreamReady(servers: string[]) {
  const nc = await connect({ servers });
  try {
    // checkAPI: false, or making the manager would itself wait for the API.
    const jsm = await jetstreamManager(nc, { checkAPI: false });
    for (let i = 0; i < 120; i++) {
      try {
        await jsm.getAccountInfo();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    throw new Error("the cluster's JetStream did not come up within a minute");
  } finally {
    await nc.close();
  }
}

Deno.test({
  name: "3-node NATS cluster, R3 streams: killing a node during sweeps loses no result",
  ignore: !ENGINES.includes("postgres"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "scale-r3-" });
    const clientPorts = [rangePort(), rangePort(), rangePort()];
    const routePorts = [rangePort(), rangePort(), rangePort()];
    const nodes = clientPorts.map((port, i) =>
      startNats(dir, {
        port,
        name: `r${i}`,
        cluster: { port: routePorts[i], routes: routePorts.filter((_, j) => j !== i) },
      })
    );
    const procs: RoleProcess[] = [];
    const dbName = `pf_scale_r3${Date.now() % 1_000_000}`;
    const admin = openPostgres(TEST_DATABASE_URL, { max: 1 });
    await admin.exec(`create database ${dbName}`);
    const url = TEST_DATABASE_URL.replace(/\/[^/]*$/, `/${dbName}`);
    const db = openPostgres(url, { max: 2 });
    try {
      for (const n of nodes) await n.ready();
      await jetStreamReady(nodes.map((n) => n.url));
      await migrate(db);
      const subnet = await createSubnet(
        db,
        SubnetInputSchema.parse({ cidr: CIDR, scan_enabled: true }),
      );
      await db.exec("alter table subnet drop constraint subnet_scan_interval_s_check");
      await db.query("update subnet set scan_interval_s = $1 where id = $2", [
        INTERVAL_S,
        subnet.id,
      ]);
      const common = {
        NATS_URL: nodes.map((n) => n.url).join(","),
        NATS_REPLICAS: "3",
        DATABASE_URL: url,
        SCAN_ICMP_INTERVAL_SECONDS: "5",
        SCAN_JITTER: "0",
        PTR_LOOKUP_ENABLED: "0",
        SNMP_ENABLED: "0",
        NETFLOW_ENABLED: "0",
        ENABLE_NMAP_SCHEDULER: "0",
        PING_TIMEOUT_MS: "200",
      };
      const role = roleLauncher(dir, common, procs);
      const central = role("central", { ROLE: "scheduler,ingest" });
      const scanner = role("scanner", { ROLE: "scanner" });
      const ingested = () =>
        central.lines.filter((l) => l.msg === "sweep result ingested" && l.outcome === "ingested");
      const spooled = () => scanner.lines.filter((l) => l.msg === "sweep result spooled");
      const waitUntil = async (ok: () => boolean, what: string) => {
        for (let i = 0; i < 600 && !ok(); i++) await new Promise((r) => setTimeout(r, 200));
        assert.ok(ok(), `${what}\n${central.tail()}\n${scanner.tail()}`);
      };
      await waitUntil(() => ingested().length >= 2, "results flow on the cluster");

      // Kill the node leading the results stream, right after a sweep started.
      const nc = await connect({ servers: nodes.map((n) => n.url) });
      const info = await (await jetstreamManager(nc)).streams.info(RESULT_STREAM);
      await nc.close();
      assert.equal(info.config.num_replicas, 3);
      const leader = nodes.find((n) => n.name === info.cluster?.leader) ?? nodes[0];
      const atKill = spooled().length;
      leader.kill();
      console.log(`killed ${leader.name} (leader of ${RESULT_STREAM})`);

      await waitUntil(() => spooled().length >= atKill + 3, "sweeps go on after the kill");
      const want = () => new Set(spooled().map((l) => String(l.result_id)));
      await waitUntil(
        () => {
          const have = new Set(ingested().map((l) => String(l.result_id)));
          return [...want()].every((id) => have.has(id));
        },
        "every spooled result is ingested",
      );
      const rows = await db.query<{ result_id: string }>(
        "select result_id from ingested_result where subnet_id = $1",
        [subnet.id],
      );
      const ids = rows.map((r) => r.result_id);
      assert.equal(new Set(ids).size, ids.length, "none twice");
      for (const id of want()) assert.ok(ids.includes(id), `result ${id} kept`);
      const seqs = ingested().map((l) => Number(l.seq));
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), "in order");
      console.log(`${ids.length} results, all once, ${spooled().length - atKill} after the kill`);
    } finally {
      for (const p of procs) await p.kill("SIGKILL");
      for (const n of nodes) n.kill();
      await db.close();
      await admin.exec(`drop database if exists ${dbName} with (force)`).catch(() => {});
      await admin.close();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
