// The inventory/operations CLI: scan, action and inventory tasks, in-process on both engines and
// once as a real process with its settings in the environment.
import assert from "node:assert/strict";
import { dbTest } from "@/tests/support/test_db.ts";
import { parseConfig } from "@/services/config/config.ts";
import { createAction, listRuns } from "@/services/operations/mod.ts";
import { listServers } from "@/services/inventory/mod.ts";
import { runScan } from "./scan.ts";
import { runAction } from "./action.ts";
import { runInventory } from "./inventory.ts";

const DATA_DIR = Deno.makeTempDirSync({ prefix: "pf_cli_" });
Deno.mkdirSync(`${DATA_DIR}/actions`);
Deno.writeTextFileSync(`${DATA_DIR}/actions/greet.sh`, '#!/bin/sh\necho "hi $1"\nexit 4\n');
Deno.chmodSync(`${DATA_DIR}/actions/greet.sh`, 0o755);
const cfg = parseConfig({ DATA_DIR, PING_TIMEOUT_MS: "300" });

dbTest(
  "scan: ping, sweep and port scan of loopback are stored; out of scope is refused",
  async (db) => {
    const ping = await runScan(["127.0.0.1"], db, cfg);
    assert.equal(ping.summary.alive, true);
    const sweep = await runScan(["127.0.0.0/30", "--json"], db, cfg);
    assert.equal(sweep.summary.hosts_up, 2);
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    try {
      const port = (listener.addr as Deno.NetAddr).port;
      const ports = await runScan(["127.0.0.1", "--ports", String(port)], db, cfg);
      assert.deepEqual(ports.open_ports.map((p) => p.port), [port]);
    } finally {
      listener.close();
    }
    await assert.rejects(runScan(["8.8.8.8"], db, cfg), /outside the scan scope/);
    await assert.rejects(runScan([], db, cfg), /give an address/);
  },
);

dbTest("action run prints the output and returns the action's exit code", async (db) => {
  await createAction(db, cfg.ACTIONS_DIR, {
    name: "greet",
    description: "",
    executable: "greet.sh",
    args: ["{ip}"],
    timeout_s: 10,
    editors_may_run: false,
  });
  await db.query(`insert into host (ip) values ('127.0.0.50')`);
  assert.equal(await runAction(["list"], db, cfg), 0);
  assert.equal(await runAction(["run", "greet", "127.0.0.50"], db, cfg), 4);
  const [run] = await listRuns(db, { limit: 1 });
  assert.equal(run.stdout, "hi 127.0.0.50\n");
  assert.equal(run.username, "cli");
  await assert.rejects(
    runAction(["run", "nope", "127.0.0.50"], db, cfg),
    /action "nope" not found/,
  );
  await assert.rejects(
    runAction(["run", "greet", "127.0.0.99"], db, cfg),
    /host 127\.0\.0\.99 not found/,
  );
});

dbTest("inventory export → import round trip, with refused lines reported", async (db) => {
  const file = `${DATA_DIR}/inv.csv`;
  await Deno.writeTextFile(
    file,
    "type,name,organization,code,role,os,location,rack,serial,tags,notes,addresses\n" +
      "organization,Acme,,AC,,,,,,a;b,'=1+1,\n" +
      "server,web1,Acme,,web,Debian,Paris,R2,SN1,prod,,127.0.0.60;127.0.0.61\n" +
      "server,orphan,Nowhere,,,,,,,,,\n" +
      "thing,x,,,,,,,,,,\n",
  );
  assert.equal(await runInventory(["import", file], db), 2);
  const servers = await listServers(db);
  assert.equal(servers.length, 1);
  assert.deepEqual(servers[0].addresses.map((a) => a.ip), ["127.0.0.60", "127.0.0.61"]);
  const out = `${DATA_DIR}/out.csv`;
  assert.equal(await runInventory(["export", "--out", out], db), 0);
  const text = await Deno.readTextFile(out);
  assert.match(text, /^organization,Acme,,AC,,,,,,a;b,'=1\+1,$/m);
  assert.match(
    text,
    /^server,web1,Acme,,web,Debian,Paris,R2,SN1,prod,,127\.0\.0\.60;127\.0\.0\.61$/m,
  );
  // Importing the export again changes nothing but counts updates.
  assert.equal(await runInventory(["import", out], db), 0);
  assert.equal((await listServers(db)).length, 1);
});

Deno.test({
  name: "deno task scan runs as a real process with its settings from the environment",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "pf_cli_proc_" });
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--unstable-kv",
        "--unstable-cron",
        "--unstable-net",
        "scripts/scan.ts",
        "127.0.0.0/30",
        "--json",
      ],
      cwd: new URL("..", import.meta.url).pathname,
      env: { DATA_DIR: dir, PING_TIMEOUT_MS: "300", LOG_LEVEL: "error" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const result = JSON.parse(stdout);
    assert.equal(result.kind, "sweep");
    assert.equal(result.summary.hosts_up, 2);
    const bad = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--unstable-kv", "scripts/scan.ts", "192.0.2.0/24"],
      cwd: new URL("..", import.meta.url).pathname,
      env: { DATA_DIR: dir, LOG_LEVEL: "error" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(bad.code, 1);
    assert.match(
      new TextDecoder().decode(bad.stderr),
      /^error: prefix 192\.0\.2\.0\/24 is outside the scan scope/,
    );
    await Deno.remove(dir, { recursive: true });
  },
});
