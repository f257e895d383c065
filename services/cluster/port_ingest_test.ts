import assert from "node:assert/strict";
import { dbTest } from "@/tests/support/test_db.ts";
import { scriptedNmap } from "@/tests/support/nmap_fixture.ts";
import { testScope } from "@/tests/support/test_scope.ts";
import { createProbeBudget } from "@/services/jobs/mod.ts";
import { type Db, openKvStateStore } from "@/services/store/mod.ts";
import { portscan, type PortscanEnv, type ScanTarget } from "@/services/portscans/mod.ts";
import { ingestPortResult } from "./port_ingest.ts";
import {
  isPortMessage,
  PORT_KIND,
  type PortResult,
  type RecordedRun,
  recordingRunner,
} from "./port_job_messages.ts";

const T0 = Date.UTC(2026, 0, 10, 12);
const ARGS = ["-sT", "-Pn", "-p", "22,80"];

async function hostsOf(db: Db, ips: string[]): Promise<ScanTarget[]> {
  const out: ScanTarget[] = [];
  for (const ip of ips) {
    const [{ id }] = await db.query<{ id: number }>(
      "insert into host (ip) values ($1) returning id",
      [ip],
    );
    out.push({ id: Number(id), ip, subnet_id: null });
  }
  return out;
}

function ingestEnv(db: Db, kv: PortscanEnv["kv"]): PortscanEnv {
  return {
    db,
    kv,
    now: () => Date.now(),
    // Ingest never runs nmap: every call is answered from the result.
    runner: () => Promise.reject(new Error("ingest ran a command")),
    live: null,
    instance: "ingest",
    args: ARGS,
    isRoot: false,
    timeoutMs: 60_000,
    batchSize: 16,
    slots: createProbeBudget(1),
    scope: testScope,
  };
}

const result = (hosts: ScanTarget[], runs: RecordedRun[], error: string | null): PortResult => ({
  kind: PORT_KIND,
  result_id: `ports-${crypto.randomUUID()}`,
  site: "branch-2",
  instance: "scanner-a",
  hosts,
  args: ARGS,
  started_at: T0,
  finished_at: T0 + 5000,
  runs,
  error,
});

dbTest("a port result from a scanner is stored like a local scan, once", async (db) => {
  const kv = await openKvStateStore(":memory:");
  try {
    const hosts = await hostsOf(db, ["198.51.100.10", "198.51.100.11"]);
    // What the scanner does: nmap (scripted here) through the recording runner.
    const nmap = scriptedNmap();
    nmap.script.set("198.51.100.10", { ports: [{ port: 22, service: "ssh" }] });
    nmap.script.set("198.51.100.11", { status: "down", ports: [] });
    const runs: RecordedRun[] = [];
    await portscan(hosts.map((h) => h.ip), {
      runner: recordingRunner(nmap.runner, runs),
      args: ARGS,
      batchSize: hosts.length,
    });
    const r = result(hosts, runs, null);
    assert.ok(isPortMessage(new TextEncoder().encode(JSON.stringify(r))));

    assert.equal(await ingestPortResult(ingestEnv(db, kv), r), "ingested");
    assert.equal(await ingestPortResult(ingestEnv(db, kv), r), "duplicate");
    const scans = await db.query<{ host_id: number; status: string; instance: string; ms: number }>(
      `select host_id, status, instance, extract(epoch from started_at) * 1000 as ms
       from port_scan order by host_id`,
    );
    assert.deepEqual(scans.map((s) => [Number(s.host_id), s.status, s.instance, Number(s.ms)]), [
      [hosts[0].id, "succeeded", "branch-2/scanner-a", T0],
      [hosts[1].id, "failed", "branch-2/scanner-a", T0],
    ]);
    const open = await db.query<{ port: number }>(
      "select port from host_open_port where host_id = $1 and current",
      [hosts[0].id],
    );
    assert.deepEqual(open.map((p) => p.port), [22]);
  } finally {
    kv.close();
  }
});

dbTest("a port job the scanner could not run is stored as a failed scan saying why", async (db) => {
  const kv = await openKvStateStore(":memory:");
  try {
    const hosts = await hostsOf(db, ["198.51.100.20"]);
    const why = "nmap option -sS needs root (raw sockets)";
    assert.equal(await ingestPortResult(ingestEnv(db, kv), result(hosts, [], why)), "ingested");
    const [scan] = await db.query<{ status: string; error: string }>(
      "select status, error from port_scan where host_id = $1",
      [hosts[0].id],
    );
    assert.equal(scan.status, "failed");
    assert.match(scan.error, /needs root/);
  } finally {
    kv.close();
  }
});
