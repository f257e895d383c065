// Port scans with real nmap against a network-namespace lab host (needs root), on both engines:
// scan now through the API sees 8080 open; the port is firewalled shut inside the host → a rescan
// records port_closed; reopened → the scheduler's own scan (with -sV) records port_opened.
// Only the lab host's address is ever scanned (-Pn, one target, no sweep of the bridge side).
import assert from "node:assert/strict";
import { appTest, type TestApp } from "@/tests/support/test_app.ts";
import {
  aliveScanTargets,
  createPorts,
  createPortScheduler,
  lastPortScanTimes,
  scanHosts,
} from "@/services/portscans/mod.ts";
import { createLab, type Lab, labPreflight } from "./netns_lab.ts";

const PORT = 8080;
/** Scheduled scans in this test: the one port, version detection on, no ping first. */
const ENV = {
  NMAP_ARGS: `-Pn -T4 -sT -sV --version-light -p ${PORT}`,
  PTR_LOOKUP_ENABLED: "0",
  PING_TIMEOUT_MS: "500",
};
const MANUAL_ARGS = `-Pn -p ${PORT} -T4 -sT`;
const NFT_TABLE = "pingfold_ports";

/** Another lab (a colleague's test) may hold one TEST-NET range: try the other. */
async function createPortLab(): Promise<Lab> {
  let last: unknown;
  for (const ip of ["203.0.113.10", "198.51.100.10"]) {
    try {
      return await createLab({ hosts: [{ ip, services: [{ port: PORT }] }] });
    } catch (err) {
      if (!/already routed/.test(String(err))) throw err;
      last = err;
    }
  }
  throw last;
}

async function nft(netns: string, args: string[], stdin?: string): Promise<void> {
  const child = new Deno.Command("ip", {
    args: ["netns", "exec", netns, "nft", ...args],
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
  }
  const out = await child.output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
}

/** Refuses TCP to the port inside the lab host (RST, so nmap reports it closed at once). */
const closePort = (lab: Lab) =>
  nft(
    lab.hosts[0].netns,
    ["-f", "-"],
    `table inet ${NFT_TABLE} {
  chain input {
    type filter hook input priority 0; policy accept;
    tcp dport ${PORT} reject with tcp reset
  }
}
`,
  );
const openPort = (lab: Lab) => nft(lab.hosts[0].netns, ["delete", "table", "inet", NFT_TABLE]);

async function json(res: Response) {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`expected JSON, got ${res.status}: ${text.slice(0, 300)}`);
  }
}

async function finished(t: TestApp, res: Response) {
  assert.equal(res.status, 202, await res.clone().text());
  const { task_id } = await json(res);
  await t.deps.services.tasks.drain();
  return await json(await t.call("GET", `/api/v1/tasks/${task_id}`));
}

type PortView = { port: number; state: string; service: string; product: string };
const portsOf = async (t: TestApp, hostId: number): Promise<PortView[]> =>
  (await json(await t.call("GET", `/api/v1/hosts/${hostId}/ports`))).items;

appTest("lab: nmap sees a service open, closed, and open again via the scheduler", async (t) => {
  await labPreflight(["ip", "nft", "python3", "nmap"]);
  const lab = await createPortLab();
  try {
    const ip = lab.hosts[0].ip;
    const subnet = await json(
      await t.call("POST", "/api/v1/subnets", { json: { cidr: lab.subnet, name: "port lab" } }),
    );
    const host = await json(await t.call("POST", "/api/v1/hosts", { json: { ip } }));
    assert.equal(host.subnet_id, subnet.id);
    createPorts(t.deps); // real nmap, this process's root status, NMAP_ARGS from ENV

    // 1. Scan now: 8080 open.
    const first = await finished(
      t,
      await t.call("POST", `/api/v1/hosts/${host.id}/portscan`, { json: { args: MANUAL_ARGS } }),
    );
    assert.equal(first.status, "succeeded", first.error);
    assert.equal(first.result.target, ip);
    assert.deepEqual(first.result.args, ["-Pn", "-p", "8080", "-T4", "-sT"]);
    let ports = await portsOf(t, host.id);
    assert.deepEqual(ports.map((p) => [p.port, p.state]), [[PORT, "open"]]);

    // 2. The port is refused inside the host: the rescan records port_closed.
    await closePort(lab);
    const second = await finished(
      t,
      await t.call("POST", `/api/v1/hosts/${host.id}/portscan`, { json: { args: MANUAL_ARGS } }),
    );
    assert.equal(second.status, "succeeded", second.error);
    assert.deepEqual(second.result.changes, [{ kind: "port_closed", port: PORT, proto: "tcp" }]);
    ports = await portsOf(t, host.id);
    assert.deepEqual(ports.map((p) => [p.port, p.state]), [[PORT, "closed"]]);
    const events = await json(await t.call("GET", `/api/v1/hosts/${host.id}/events`));
    assert.deepEqual(events.items.map((e: { kind: string }) => e.kind), ["port_closed"]);
    assert.equal(events.items[0].detail.port, PORT);
    assert.equal(events.items[0].detail.state, "closed");

    // 3. Reopened. The host answers a ping (live state up), so the scheduler picks it once its
    //    interval has passed, and scans it with NMAP_ARGS (version detection).
    await openPort(lab);
    const ping = await finished(t, await t.call("POST", `/api/v1/hosts/${host.id}/ping`));
    assert.equal(ping.status, "succeeded", ping.error);
    assert.equal(ping.result.hosts_up, 1);
    const ports_ = createPorts(t.deps);
    const scheduler = createPortScheduler({
      kv: t.kv,
      now: t.deps.now,
      instance: ports_.env.instance,
      intervalMs: ports_.intervalMs,
      jitter: ports_.jitter,
      maxConcurrent: t.deps.cfg.NMAP_MAX_CONCURRENT,
      batchSize: ports_.env.batchSize,
      listAliveHosts: () => aliveScanTargets(t.kv, t.db),
      lastScans: (ids) => lastPortScanTimes(t.db, ids),
      runBatch: (hosts, signal) => scanHosts(ports_.env, hosts, { trigger: "schedule", signal }),
    });
    try {
      assert.deepEqual((await scheduler.tick()).due, [], "scanned moments ago");
      t.clock.now += 2 * ports_.intervalMs;
      const tick = await scheduler.tick();
      assert.deepEqual(tick.started, [[host.id]]);
      await scheduler.idle();
    } finally {
      await scheduler.stop();
    }
    const log = await json(await t.call("GET", `/api/v1/scanner/portscans?host_id=${host.id}`));
    const scheduled = log.items[0];
    assert.equal(scheduled.trigger, "schedule");
    assert.equal(scheduled.status, "succeeded", scheduled.error);
    assert.deepEqual(scheduled.args, ENV.NMAP_ARGS.split(" "));
    assert.equal(scheduled.changes, 1);
    ports = await portsOf(t, host.id);
    assert.equal(ports[0].state, "open");
    assert.equal(ports[0].service, "http");
    assert.match(ports[0].product, /SimpleHTTPServer/);
    const after = await json(await t.call("GET", `/api/v1/hosts/${host.id}/events`));
    assert.deepEqual(
      after.items.map((e: { kind: string }) => e.kind).filter((k: string) => k.startsWith("port")),
      ["port_opened", "port_closed"],
    );

    // Every scan targeted the lab host alone.
    const targets = log.items.map((s: { target: string }) => s.target);
    assert.deepEqual([...new Set(targets)], [ip]);
  } finally {
    await lab.destroy();
  }
}, ENV);
