// Port scans across sites, with real processes: nats-server, PostgreSQL, nmap, and main.ts as
// ROLE=scheduler,ingest and as ROLE=scanner. The scheduler's port scan batch for hosts of a site's
// subnet becomes a port job on that site's job stream; the site's scanner runs nmap and publishes
// nmap's output on the results stream; ingest stores the scan (the open port, the run row) once.
import assert from "node:assert/strict";
import { createSubnet, SubnetInputSchema } from "@/services/ipam/mod.ts";
import { ENGINES } from "../support/test_db.ts";
import { freshDatabase } from "../support/fresh_database.ts";
import { rangePort, startNats } from "../support/nats_server.ts";
import { QUIET_ROLE_ENV, roleLauncher, type RoleProcess } from "../support/role_process.ts";

const CIDR = "127.0.94.0/30";
const HOST = "127.0.94.1";

Deno.test({
  name: "cluster: a scheduled port scan runs on the site's scanner and is ingested once",
  ignore: !ENGINES.includes("postgres"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "natsroles-ports-" });
    const nats = startNats(dir, { port: rangePort(19300, 19399) });
    const procs: RoleProcess[] = [];
    // An open port on the lab host (every 127.x address is this machine's loopback).
    const openPort = rangePort(19300, 19399);
    const listener = Deno.listen({ hostname: HOST, port: openPort });
    const accepting = (async () => {
      for await (const c of listener) c.close();
    })().catch(() => {});
    try {
      await nats.ready();
      await using pg = await freshDatabase("pf_nr_ports");
      await createSubnet(
        pg.db,
        SubnetInputSchema.parse({ cidr: CIDR, scan_enabled: true, site: "local" }),
      );
      const role = roleLauncher(dir, {
        ...QUIET_ROLE_ENV,
        NATS_URL: nats.url,
        NMAP_ARGS: `-sT -Pn -p ${openPort}`,
      }, procs);
      const central = role("central", {
        ROLE: "scheduler,ingest",
        DATABASE_URL: pg.url,
        ENABLE_NMAP_SCHEDULER: "1",
      });
      const scanner = role("scanner", { ROLE: "scanner", SITE: "local" });
      // The sweep makes the hosts alive; the port scheduler's next tick (within a minute) takes them.
      const issued = await central.waitFor((l) => l.msg === "port job issued", 120_000);
      assert.equal(issued.site, "local");
      await scanner.waitFor((l) => l.msg === "port result published" && l.error === null, 120_000);
      const ingested = await central.waitFor(
        (l) => l.msg === "port result ingested" && l.outcome === "ingested",
        120_000,
      );
      assert.equal(ingested.result_id, issued.job_id);

      const scans = await pg.db.query<{ status: string; instance: string; target: string }>(
        `select s.status, s.instance, s.target from port_scan s join host h on h.id = s.host_id
         where host(h.ip) = $1`,
        [HOST],
      );
      assert.equal(scans.length, 1, "one scan row for the host");
      assert.equal(scans[0].status, "succeeded");
      assert.match(scans[0].instance, /^local\//, "scanned by the site's scanner");
      const ports = await pg.db.query<{ port: number; state: string }>(
        `select p.port, p.state from host_open_port p join host h on h.id = p.host_id
         where host(h.ip) = $1 and p.current`,
        [HOST],
      );
      assert.deepEqual(ports, [{ port: openPort, state: "open" }]);
      const claimed = await pg.db.query<{ n: number }>(
        "select count(*)::int as n from ingested_port_result where result_id = $1",
        [String(issued.job_id)],
      );
      assert.equal(claimed[0].n, 1);
      assert.equal(central.lines.some((l) => l.level === "error"), false);
    } finally {
      for (const p of procs) await p.kill("SIGKILL");
      nats.kill();
      listener.close();
      await accepting;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
