import { openKvStateStore } from "@/services/store/mod.ts";
import assert from "node:assert/strict";
import { dbTest } from "@/tests/support/test_db.ts";
import { scriptedNmap } from "@/tests/support/nmap_fixture.ts";
import { TEST_SCAN_SCOPE } from "@/tests/support/test_scope.ts";
import { parseConfig } from "@/services/config/config.ts";
import { createDeps, type Deps } from "@/services/services.ts";
import type { Db } from "@/services/store/mod.ts";
import { createPorts } from "./port_requests.ts";
import { startPortScanScheduler } from "./port_starter.ts";
import { hostStateKey } from "@/services/sweeps/mod.ts";

async function deps(db: Db, env: Record<string, string>): Promise<Deps> {
  const kv = await openKvStateStore(":memory:");
  const cfg = parseConfig({
    DISABLE_SCHEDULER: "0",
    PTR_LOOKUP_ENABLED: "0",
    SCAN_SCOPE: TEST_SCAN_SCOPE,
    ...env,
  });
  return createDeps({ cfg, db, kv, now: Date.now, version: "test" });
}

dbTest("the starter scans alive hosts on its own and stops cleanly", async (db) => {
  const d = await deps(db, { NMAP_ARGS: "-Pn -sT -p 22" });
  try {
    const nmap = scriptedNmap();
    nmap.script.set("198.51.100.10", { ports: [{ port: 22, service: "ssh" }] });
    createPorts(d, { runner: nmap.runner, isRoot: false });
    await db.query(`insert into host (ip) values ('198.51.100.10'), ('198.51.100.11')`);
    // .10 is up, .11 down: only alive hosts are scanned.
    await d.kv.set(hostStateKey("198.51.100.10"), {
      up: true,
      latency_ms: 1,
      since: 0,
      last_seen: 0,
      method: "fping",
      checked_at: 0,
    });
    await d.kv.set(hostStateKey("198.51.100.11"), {
      up: false,
      latency_ms: null,
      since: 0,
      last_seen: null,
      method: "fping",
      checked_at: 0,
    });
    const task = await startPortScanScheduler(d);
    assert.ok(task);
    assert.ok(d.services.portScheduler);
    let rows: Array<{ target: string; trigger: string; status: string }> = [];
    for (let i = 0; i < 100 && rows.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      rows = await db.query(`select target, trigger, status from port_scan`);
    }
    await task.stop();
    assert.equal(d.services.portScheduler, null);
    assert.deepEqual(rows, [{ target: "198.51.100.10", trigger: "schedule", status: "succeeded" }]);
    assert.deepEqual(nmap.calls, [["-Pn", "-sT", "-p", "22", "-oX", "-", "--", "198.51.100.10"]]);
  } finally {
    d.kv.close();
  }
});

dbTest("the starter is off with ENABLE_NMAP_SCHEDULER=0 or DISABLE_SCHEDULER=1", async (db) => {
  const envs: Array<Record<string, string>> = [
    { ENABLE_NMAP_SCHEDULER: "0" },
    { DISABLE_SCHEDULER: "1" },
  ];
  for (const env of envs) {
    const d = await deps(db, env);
    try {
      assert.equal(await startPortScanScheduler(d), null);
    } finally {
      d.kv.close();
    }
  }
});
