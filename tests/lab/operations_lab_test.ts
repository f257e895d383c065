// Operations against a network-namespace lab (needs root; run under flock /tmp/pf-lab.lock), on
// both engines: a real action script checks a lab host over the network, an ad-hoc sweep of the
// lab prefix finds who answers (and not a host taken down), an ad-hoc port scan sees its service.
// Only lab addresses are probed.
import assert from "node:assert/strict";
import { json } from "@/tests/support/http_json.ts";
import { appTest, type TestApp } from "@/tests/support/test_app.ts";
import { createLab, type Lab, labPreflight } from "./netns_lab.ts";

const PORT = 8080;
const DATA_DIR = Deno.makeTempDirSync({ prefix: "pf_ops_lab_" });
Deno.mkdirSync(`${DATA_DIR}/actions`);
// The action a team would write: is the machine reachable, and does its web service answer?
Deno.writeTextFileSync(
  `${DATA_DIR}/actions/check_web.sh`,
  `#!/bin/sh
set -u
ip="$1"; port="$2"
if ping -c 1 -W 2 "$ip" > /dev/null 2>&1; then echo "ping $ip ok"; else echo "ping $ip failed"; exit 2; fi
code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' "http://$ip:$port/")
echo "http $code"
[ "$code" = "200" ]
`,
);
Deno.chmodSync(`${DATA_DIR}/actions/check_web.sh`, 0o755);
const ENV = { DATA_DIR, PTR_LOOKUP_ENABLED: "0", PING_TIMEOUT_MS: "500", PING_RETRIES: "1" };

/** Another lab (a colleague's test) may hold one TEST-NET range: try the other. */
async function createOpsLab(): Promise<Lab> {
  let last: unknown;
  for (const net of ["203.0.113", "198.51.100"]) {
    try {
      return await createLab({
        hosts: [{ ip: `${net}.10`, services: [{ port: PORT }] }, { ip: `${net}.11` }],
      });
    } catch (err) {
      if (!/already routed/.test(String(err))) throw err;
      last = err;
    }
  }
  throw last;
}

async function task(t: TestApp, res: Response) {
  assert.equal(res.status, 202, await res.clone().text());
  const { task_id } = await json(res);
  await t.deps.services.tasks.drain();
  await t.deps.services.operations.actions.tasks.drain();
  return await json(await t.call("GET", `/api/v1/tasks/${task_id}`));
}

appTest(
  "lab: an action script checks a namespace host; ad-hoc sweep and port scan of the lab",
  async (t) => {
    await labPreflight(["ip", "fping", "ping", "nmap", "python3", "curl"]);
    const lab = await createOpsLab();
    try {
      const [web, other] = lab.hosts;
      const org = await json(
        await t.call("POST", "/api/v1/organizations", { json: { name: "Lab" } }),
      );
      const server = await json(
        await t.call("POST", "/api/v1/servers", {
          json: { name: "lab-web", organization_id: org.id, addresses: [web.ip] },
        }),
      );
      const hostId = server.addresses[0].host_id;

      // 1. A real action script against the namespace host.
      const action = await json(
        await t.call("POST", "/api/v1/actions", {
          json: { name: "check web", executable: "check_web.sh", args: ["{ip}", String(PORT)] },
        }),
      );
      const run = await task(
        t,
        await t.call("POST", `/api/v1/actions/${action.id}/run`, { json: { host_id: hostId } }),
      );
      assert.equal(run.status, "succeeded", run.error);
      assert.equal(run.result.exit_code, 0);
      assert.equal(run.result.stdout, `ping ${web.ip} ok\nhttp 200\n`);

      // 2. An ad-hoc sweep of the lab prefix: the bridge side and both hosts answer.
      const sweep = await task(
        t,
        await t.call("POST", "/api/v1/scans/sweep", { json: { target: lab.subnet } }),
      );
      assert.equal(sweep.status, "succeeded", sweep.error);
      const result = await json(await t.call("GET", `/api/v1/scans/${sweep.result.scan_id}`));
      const alive = result.summary.alive.map((a: { ip: string }) => a.ip).sort();
      assert.deepEqual(alive, [lab.hostIp, web.ip, other.ip].sort());
      assert.equal(result.summary.targets, 254);

      // A host taken down no longer answers a sweep, nor an ad-hoc ping (fping, ping, then TCP).
      await lab.hostDown(other.ip);
      const after = await task(
        t,
        await t.call("POST", "/api/v1/scans/sweep", { json: { target: web.ip } }),
      );
      const afterScan = await json(await t.call("GET", `/api/v1/scans/${after.result.scan_id}`));
      assert.ok(!afterScan.summary.alive.some((a: { ip: string }) => a.ip === other.ip));
      const ping = await json(
        await t.call("POST", "/api/v1/scans/ping", { json: { target: other.ip } }),
      );
      assert.equal(ping.summary.alive, false);
      assert.deepEqual(ping.summary.attempts.map((a: { method: string }) => a.method), [
        "fping",
        "ping",
        "tcp",
      ]);
      const pingWeb = await json(
        await t.call("POST", "/api/v1/scans/ping", { json: { target: web.ip } }),
      );
      assert.equal(pingWeb.summary.answered_by, "fping");

      // 3. Port scans of the lab host: synchronous for a short list, asynchronous for a range.
      const sync = await t.call("POST", "/api/v1/scans/portscan", {
        json: { target: web.ip, ports: `22,${PORT}` },
      });
      assert.equal(sync.status, 200, await sync.clone().text());
      const ports = await json(sync);
      assert.deepEqual(ports.open_ports.map((p: { port: number }) => p.port), [PORT]);
      assert.equal(ports.host_id, hostId);
      const asyncScan = await task(
        t,
        await t.call("POST", "/api/v1/scans/portscan", {
          json: { target: web.ip, ports: `1-1024,${PORT}`, async: true },
        }),
      );
      assert.equal(asyncScan.status, "succeeded", asyncScan.error);
      assert.deepEqual(asyncScan.result.open_ports.map((p: { port: number }) => p.port), [PORT]);
      const csv = await (await t.call("GET", `/api/v1/scans/${ports.id}/export?format=csv`)).text();
      assert.match(csv, new RegExp(`,${web.ip.replaceAll(".", "\\.")},${PORT},tcp,open,`));

      // The server page shows the address with its live status from discovery's state.
      const detail = await json(await t.call("GET", `/api/v1/servers/${server.id}`));
      assert.equal(detail.addresses[0].ip, web.ip);
    } finally {
      await lab.destroy();
    }
  },
  ENV,
);
