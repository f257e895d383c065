// Scaled-out NetFlow with real processes: nats-server, PostgreSQL, and main.ts as ROLE=collector
// (no DATABASE_URL: it reaches only NATS) and ROLE=ingest, each logged in as its user of
// deploy/nats/nats.conf (so its permissions are the ones tested). NetFlow v5 and v9 sent to the
// collector land in PostgreSQL once, and the collector's GET /health shows its delivery.
import assert from "node:assert/strict";
import { ENGINES } from "../support/test_db.ts";
import { freshDatabase } from "../support/fresh_database.ts";
import { rangePort, startNats } from "../support/nats_server.ts";
import { QUIET_ROLE_ENV, roleLauncher, type RoleProcess } from "../support/role_process.ts";
import {
  buildDataSet,
  buildTemplateSet,
  buildV5Packet,
  buildV9Packet,
  encodeRecord,
} from "../support/netflow/mod.ts";

const ignore = { sanitizeOps: false, sanitizeResources: false };

/** The passwords deploy/nats/nats.conf reads from its environment. */
const PASSWORDS = {
  NATS_WEB_PASSWORD: "w",
  NATS_SCHEDULER_PASSWORD: "s",
  NATS_INGEST_PASSWORD: "i",
  NATS_SCANNER_PASSWORD: "sc",
  NATS_COLLECTOR_PASSWORD: "c",
};

/** The health URL a role logged. */
async function healthUrl(p: RoleProcess): Promise<string> {
  return String((await p.waitFor((l) => l.msg === "health check listening")).url);
}

async function send(port: number, packets: Uint8Array[]) {
  const sock = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  try {
    for (const p of packets) await sock.send(p, { transport: "udp", hostname: "127.0.0.1", port });
  } finally {
    sock.close();
  }
}

/** 40 v5 flows and 10 v9 flows (one template, then its data), all from 127.0.0.1. */
function packets(): Uint8Array[] {
  const now = Math.floor(Date.now() / 1000);
  const v5 = buildV5Packet(
    { sysUptime: 5000, unixSecs: now, sequence: 1 },
    Array.from({ length: 40 }, (_, i) => ({
      src: `127.0.4.${1 + i}`,
      dst: "198.51.100.7",
      packets: 2,
      bytes: 1000 + i,
      first: 1000,
      last: 2000,
      srcPort: 30000 + i,
      dstPort: 443,
      protocol: 6,
    })),
  );
  // IPV4_SRC_ADDR, IPV4_DST_ADDR, L4 ports, PROTOCOL, IN_BYTES, IN_PKTS.
  const fields: Array<[number, number]> = [[8, 4], [12, 4], [7, 2], [11, 2], [4, 1], [1, 4], [
    2,
    4,
  ]];
  const template = buildTemplateSet(0, [{ id: 300, fields }]);
  const data = buildDataSet(
    300,
    Array.from({ length: 10 }, (_, i) =>
      encodeRecord([
        [4, `127.0.5.${1 + i}`],
        [4, "203.0.113.9"],
        [2, 40000 + i],
        [2, 53],
        [1, 17],
        [4, 500 + i],
        [4, 1],
      ])),
  );
  const v9 = buildV9Packet({ sysUptime: 5000, unixSecs: now, sequence: 1, sourceId: 7 }, [
    template,
    data,
  ]);
  return [v5, v9];
}

Deno.test({
  name: "cluster: a collector without a database publishes NetFlow v5/v9 to JetStream; the " +
    "ingest stores it once; the collector's /health shows the delivery",
  ignore: !ENGINES.includes("postgres"),
  ...ignore,
  async fn() {
    await Deno.mkdir("/tmp/nfnats", { recursive: true });
    const dir = await Deno.makeTempDir({ dir: "/tmp/nfnats", prefix: "flows-" });
    // The users and permissions of deploy/nats/nats.conf; port, monitoring and JetStream's
    // directory this test's own (flags cannot repeat what the file sets).
    const conf = (await Deno.readTextFile(
      new URL("../../deploy/nats/nats.conf", import.meta.url),
    )).replace(/^(port|http_port): .*$/gm, "").replace(/^jetstream \{[^}]*\}$/m, "");
    await Deno.writeTextFile(`${dir}/nats.conf`, conf);
    const nats = startNats(dir, {
      port: rangePort(19400, 19449),
      configFile: `${dir}/nats.conf`,
      env: { ...PASSWORDS },
    });
    const procs: RoleProcess[] = [];
    await using pg = await freshDatabase("pf_nfnats");
    try {
      await nats.ready();
      const role = roleLauncher(dir, { NATS_URL: nats.url, ...QUIET_ROLE_ENV }, procs);
      const flowPort = rangePort(19450, 19499);
      const collector = role("collector", {
        ROLE: "collector",
        SITE: "local",
        NATS_USER: "collector",
        NATS_PASSWORD: PASSWORDS.NATS_COLLECTOR_PASSWORD,
        NETFLOW_ENABLED: "1",
        NETFLOW_BIND_HOST: "127.0.0.1",
        NETFLOW_BIND_PORT: String(flowPort),
        PORT: String(rangePort(19450, 19499)),
      });
      const ingest = role("ingest", {
        ROLE: "ingest",
        NATS_USER: "ingest",
        NATS_PASSWORD: PASSWORDS.NATS_INGEST_PASSWORD,
        STATE_STORE: "nats", // as in docker-compose.yml
        DATABASE_URL: pg.url,
        PORT: String(rangePort(19450, 19499)),
      });
      await collector.waitFor((l) => l.msg === "NetFlow collector listening");
      const url = await healthUrl(collector);
      await ingest.waitFor((l) => l.msg === "health check listening");
      await send(flowPort, packets());

      let rows: Array<{ n: number; bytes: number }> = [];
      for (let i = 0; i < 100; i++) {
        rows = await pg.db.query(
          `select count(*)::int as n, sum(bytes)::bigint as bytes from netflow_flow`,
        );
        if (rows[0].n >= 50) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      let want = 0;
      for (let i = 0; i < 40; i++) want += 1000 + i;
      for (let i = 0; i < 10; i++) want += 500 + i;
      assert.equal(rows[0].n, 50, `${collector.tail()}\n${ingest.tail()}`);
      assert.equal(Number(rows[0].bytes), want);
      const [ex] = await pg.db.query<{ collector: string; records_stored: number }>(
        `select collector, records_stored::int from netflow_exporter where addr = '127.0.0.1'`,
      );
      assert.equal(ex.collector, `local/127.0.0.1:${flowPort}`);
      assert.equal(Number(ex.records_stored), 50);

      const res = await fetch(url);
      const body = await res.json();
      assert.equal(res.status, 200, JSON.stringify(body));
      assert.deepEqual(body.roles, ["collector"]);
      assert.equal(body.site, "local");
      assert.equal(body.nats, "connected");
      assert.equal(body.db, undefined, "a collector alone opens no database");
      assert.equal(body.netflow.state, "listening");
      assert.equal(body.netflow.publish.published_records, 50);
      assert.equal(body.netflow.publish.pending, 0);
      assert.equal(body.netflow.spool_refused_datagrams, 0);
    } finally {
      for (const p of procs) await p.kill();
      nats.kill();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
