// Real exporter end to end: softflowd reads a pcap we wrote and exports NetFlow v5, v9 and IPFIX
// to the collector (listener + worker + batcher + SQL) on loopback; what lands in the database
// must equal the pcap exactly, on both SQL engines.
import assert from "node:assert/strict";
import { join } from "node:path";
import { writePcapFile } from "@/tests/support/netflow/mod.ts";
import { ENGINES, openTestDb } from "@/tests/support/test_db.ts";
import { labFlows, runSoftflowd, startTestCollector, waitFor } from "./collector_support.ts";

for (const engine of ENGINES) {
  for (const version of ["5", "9", "10"] as const) {
    Deno.test({
      name: `softflowd ${
        version === "10" ? "IPFIX" : `NetFlow v${version}`
      } lands in SQL with the pcap's exact totals [${engine}]`,
      sanitizeOps: false,
      sanitizeResources: false,
      async fn() {
        const { db, dispose } = await openTestDb(engine);
        const dir = await Deno.makeTempDir({ prefix: "pingfold-nfc-" });
        // A small batch so the run spans many inserts and roll-up merges.
        const collector = await startTestCollector(db, { batchSize: 50 });
        try {
          const flows = labFlows(version === "5");
          const pcap = join(dir, "trace.pcap");
          const startMs = Date.now() - 5_000;
          const totals = await writePcapFile(pcap, flows, { startMs });
          const run = await runSoftflowd(pcap, collector.port, version, dir);
          const where = `softflowd -v ${version} exit ${run.code}:\n${run.log}`;
          assert.equal(run.code, 0, where);

          await waitFor(
            `${totals.flows} decoded records`,
            () => (collector.counters()["127.0.0.1"]?.records_decoded ?? 0) >= totals.flows,
          );
          await collector.sync();

          const [stored] = await db.query<{ flows: number; packets: number; bytes: number }>(
            `select count(*)::int as flows, coalesce(sum(packets), 0)::bigint as packets,
               coalesce(sum(bytes), 0)::bigint as bytes
             from netflow_flow where exporter = '127.0.0.1'`,
          );
          assert.deepEqual(
            { flows: stored.flows, packets: stored.packets, ipBytes: stored.bytes },
            totals,
            where,
          );

          // Every flow came back once, with its addresses, ports, protocol and packets.
          const rows = await db.query<Record<string, unknown>>(
            `select host(src_addr) as src, host(dst_addr) as dst, src_port, dst_port, protocol,
               packets, version, start_at, end_at from netflow_flow`,
          );
          const byKey = new Map(rows.map((r) => [
            `${r.protocol} ${r.src} ${r.src_port} ${r.dst} ${r.dst_port}`,
            r,
          ]));
          assert.equal(byKey.size, flows.length, "no flow stored twice");
          for (const f of flows) {
            const r = byKey.get(`${f.protocol} ${f.src} ${f.srcPort} ${f.dst} ${f.dstPort}`);
            assert.ok(r, `flow ${f.src}:${f.srcPort} -> ${f.dst}:${f.dstPort} missing`);
            assert.equal(r.packets, f.packets);
            assert.equal(r.version, Number(version));
            const start = (r.start_at as Date).getTime();
            const end = (r.end_at as Date).getTime();
            // v9 headers carry whole seconds, so times may read up to 1 s early.
            assert.ok(start >= startMs - 1000 && start <= end, `start ${start}`);
          }

          // Roll-ups hold the same traffic (no sampling here), exporters their stored count.
          const [pairs] = await db.query<{ bytes: number; packets: number; flows: number }>(
            `select sum(bytes)::bigint as bytes, sum(packets)::bigint as packets,
               sum(flows)::bigint as flows from netflow_pair_minute`,
          );
          assert.deepEqual(pairs, {
            bytes: totals.ipBytes,
            packets: totals.packets,
            flows: totals.flows,
          });
          const [ports] = await db.query<{ bytes: number }>(
            `select sum(bytes)::bigint as bytes from netflow_port_minute`,
          );
          assert.equal(ports.bytes, totals.ipBytes);
          const [exporter] = await db.query<{ records_stored: number }>(
            `select records_stored from netflow_exporter where addr = '127.0.0.1'`,
          );
          assert.equal(exporter.records_stored, totals.flows);

          const c = collector.counters()["127.0.0.1"];
          assert.equal(c.records_decoded, totals.flows);
          assert.equal(c.records_inserted, totals.flows);
          assert.equal(c.packets, collector.status().datagrams);
          for (
            const k of ["malformed", "unknown_template", "sequence_gaps", "queue_drops"] as const
          ) {
            assert.equal(c[k], 0, `${k} should be 0: ${JSON.stringify(c)}`);
          }
        } finally {
          await collector.stop();
          await Deno.remove(dir, { recursive: true });
          await dispose();
        }
      },
    });
  }
}
