// The server's environment never reaches its child processes: with NMAP_ARGS exported for
// Pingfold itself, nmap must not read it a second time ("Only 1 -p option allowed").
import assert from "node:assert/strict";
import { listening, loginOverHttp, mainCommand } from "@/tests/support/main_process.ts";

const PASSWORD = "child-env-test-password";

Deno.test({
  name: "a port scan succeeds with NMAP_ARGS exported in the server's real environment",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "pf-child-env-" });
    const child = mainCommand(dir, {
      HOST: "127.0.0.1",
      ADMIN_PASSWORD: PASSWORD,
      DISABLE_SCHEDULER: "1",
      NETFLOW_ENABLED: "0",
      SCAN_SCOPE: "127.0.0.0/8",
      // Pingfold's own setting, and an option nmap also reads from its environment.
      NMAP_ARGS: "-Pn -T4 -p 22,80,443,8080 -sT -sV",
    }, { stdout: "null" }).spawn();
    try {
      const { url, log } = await listening(child.stderr);
      const { cookie, csrf: csrf_token } = await loginOverHttp(url, "admin", PASSWORD);
      const call = async (method: string, path: string, json?: unknown) => {
        const res = await fetch(`${url}${path}`, {
          method,
          headers: {
            cookie,
            "x-csrf-token": csrf_token,
            ...(json === undefined ? {} : { "content-type": "application/json" }),
          },
          body: json === undefined ? undefined : JSON.stringify(json),
        });
        return { status: res.status, body: await res.json() };
      };
      assert.equal((await call("POST", "/api/v1/subnets", { cidr: "127.0.0.0/24" })).status, 201);
      const host = await call("POST", "/api/v1/hosts", { ip: "127.0.0.1" });
      assert.equal(host.status, 201, JSON.stringify(host.body));
      const queued = await call("POST", `/api/v1/hosts/${host.body.id}/portscan`);
      assert.equal(queued.status, 202, JSON.stringify(queued.body));
      let task = { status: "queued", error: null as string | null, result: null as unknown };
      for (let i = 0; i < 240 && ["queued", "running"].includes(task.status); i++) {
        await new Promise((r) => setTimeout(r, 250));
        task = (await call("GET", `/api/v1/tasks/${queued.body.task_id}`)).body;
      }
      assert.equal(task.status, "succeeded", `${JSON.stringify(task)}\n${log.join("\n")}`);
      assert.doesNotMatch(JSON.stringify(task), /Only 1 -p option allowed/);
      const scans = await call("GET", `/api/v1/scanner/portscans?host_id=${host.body.id}`);
      assert.equal(scans.body.items[0].status, "succeeded", JSON.stringify(scans.body));
    } finally {
      child.kill("SIGTERM");
      await child.status;
      await Deno.remove(dir, { recursive: true });
    }
  },
});
