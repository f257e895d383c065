// Browser + netns lab (needs root), both engines: a lab host's own traffic, exported by softflowd to
// Pingfold's real NetFlow collector, tells that host's story on its page and in the drawer at 1366
// and 390 px: top peers, ports and bytes equal to what the collector stored, and the timeline.
//
// The traffic is real (curl, ping and UDP from one lab namespace to another, across the lab
// bridge) and softflowd exports it as NetFlow v9 to the collector of a running test server. The
// bridge is captured with dumpcap and softflowd reads that capture: softflowd 1.1.0 never hands
// live packets on a quiet interface to its flow table (no libpcap immediate mode; "Packets
// processed: 0" beside "Packets received by libpcap: 56" here, irino/softflowd#71).
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { artifactPath, launchBrowser, loginInBrowser } from "@/tests/support/browser.ts";
import { axeCheck, overflowCheck } from "@/tests/support/axe.ts";
import { startTestServer, type TestServer } from "@/tests/support/test_server.ts";
import { ENGINES } from "@/tests/support/test_db.ts";
import { freeUdpPortIn } from "@/tests/support/free_port.ts";
import { findSoftflowd, softflowdArgs } from "@/tests/support/netflow/mod.ts";
import { createLab, type Lab, labPreflight } from "@/tests/lab/netns_lab.ts";
import { childEnv } from "@/services/jobs/mod.ts";
import { formatBytes } from "@/shared/format_bytes.ts";

const PASSWORD = "e2e-host-story-lab-password";
const SUBNET = "198.51.100.0/24";
const SERVER_IP = "198.51.100.10"; // python http.server on 8080
const CLIENT_IP = "198.51.100.20";
const HTTP_PORT = 8080;
const UDP_PORT = 5353;
const CURLS = 3;
const WIDTHS = [
  { width: 1366, height: 900 },
  { width: 390, height: 844 },
] as const;

interface Ran {
  code: number;
  out: string;
}

/** Runs a command (argument array, minimal environment) with a time limit. */
async function run(cmd: string, args: string[], timeoutMs = 15_000): Promise<Ran> {
  const o = await new Deno.Command(cmd, {
    args,
    clearEnv: true,
    env: childEnv(),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(timeoutMs),
  }).output();
  const dec = new TextDecoder();
  return { code: o.code, out: dec.decode(o.stdout) + dec.decode(o.stderr) };
}

/**
 * TCP connections opened from `src` to `dst:port` in a classic pcap of Ethernet frames (dumpcap
 * -P): the SYNs without ACK. The capture may start a moment late on a loaded machine, so the test
 * expects one flow per connection that was captured, not per curl it ran.
 */
async function capturedConnections(file: string, src: string, dst: string, port: number) {
  const b = await Deno.readFile(file);
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const le = v.getUint32(0, true) === 0xa1b2c3d4;
  const ip4 = (at: number) => [0, 1, 2, 3].map((i) => b[at + i]).join(".");
  let n = 0;
  for (let at = 24; at + 16 <= b.length;) {
    const len = v.getUint32(at + 8, le);
    const f = at + 16;
    at = f + len;
    if (len < 54 || v.getUint16(f + 12) !== 0x0800 || b[f + 23] !== 6) continue;
    const tcp = f + 14 + (b[f + 14] & 0x0f) * 4;
    const flags = b[tcp + 13];
    if (ip4(f + 26) === src && ip4(f + 30) === dst && v.getUint16(tcp + 2) === port) {
      if ((flags & 0x02) && !(flags & 0x10)) n++;
    }
  }
  return n;
}

async function inHost(lab: Lab, ip: string, args: string[]): Promise<Ran> {
  const host = lab.hosts.find((h) => h.ip === ip)!;
  const r = await run("ip", ["netns", "exec", host.netns, ...args]);
  assert.equal(r.code, 0, `${args.join(" ")} in ${ip}: ${r.out}`);
  return r;
}

/** dumpcap on the lab bridge, writing a classic pcap; returns once it captures. */
async function startCapture(bridge: string, file: string) {
  const child = new Deno.Command("dumpcap", {
    args: ["-i", bridge, "-P", "-w", file],
    clearEnv: true,
    env: childEnv(),
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let log = "";
  const deadline = Date.now() + 10_000;
  while (!/Capturing on/.test(log)) {
    const timer = new Promise<"late">((r) => setTimeout(() => r("late"), 500));
    const next = await Promise.race([reader.read(), timer]);
    if (next !== "late") {
      if (next.done) throw new Error(`dumpcap ended before capturing: ${log}`);
      log += next.value;
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`dumpcap did not start capturing on ${bridge} within 10 s: ${log}`);
    }
  }
  // "Capturing on" can come a moment before the first packet is taken: let it settle.
  await new Promise((r) => setTimeout(r, 500));
  // Keep draining its stderr so it never blocks on a full pipe.
  const drained = (async () => {
    for (;;) {
      const next = await reader.read();
      if (next.done) return;
      log += next.value;
    }
  })();
  return {
    async stop(): Promise<string> {
      child.kill("SIGINT"); // dumpcap flushes and closes the file on SIGINT
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await child.status;
      clearTimeout(timer);
      await drained;
      return log;
    },
  };
}

/** The lab host talks to the server: CURLS HTTP fetches, three pings, three UDP datagrams. */
async function makeTraffic(lab: Lab) {
  for (let i = 0; i < CURLS; i++) {
    const r = await inHost(lab, CLIENT_IP, [
      "curl",
      "-s",
      "-o",
      "/dev/null",
      "-w",
      "%{http_code}",
      "--max-time",
      "5",
      `http://${SERVER_IP}:${HTTP_PORT}/`,
    ]);
    assert.equal(r.out.trim(), "200");
  }
  await inHost(lab, CLIENT_IP, ["ping", "-c", "3", "-i", "0.2", "-W", "1", SERVER_IP]);
  // One UDP socket, so one flow; nothing listens, the server's kernel answers "port unreachable".
  await inHost(lab, CLIENT_IP, [
    "python3",
    "-c",
    "import socket,sys\n" +
    "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n" +
    "s.bind((sys.argv[1], 40053))\n" +
    "for _ in range(3): s.sendto(b'pingfold-lab' * 20, (sys.argv[2], int(sys.argv[3])))\n",
    CLIENT_IP,
    SERVER_IP,
    String(UDP_PORT),
  ]);
}

async function waitFor(what: string, ok: () => Promise<boolean>, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What the collector stored for the server, per peer (from the roll-up the page reads). */
async function storedPeers(server: TestServer) {
  return await server.deps.db.query<{ peer: string; sent: number; recv: number }>(
    `select host(case when src_addr = $1::inet then dst_addr else src_addr end) as peer,
       sum(case when src_addr = $1::inet then bytes else 0 end)::bigint as sent,
       sum(case when src_addr = $1::inet then 0 else bytes end)::bigint as recv
     from netflow_pair_minute where src_addr = $1::inet or dst_addr = $1::inet
     group by 1 order by 1`,
    [SERVER_IP],
  );
}

/** The traffic block (page or drawer) shows the stored peers, ports and bytes. */
async function checkTraffic(
  page: Page,
  scope: string,
  peers: Array<{ peer: string; sent: number; recv: number }>,
) {
  const traffic = page.locator(`${scope} [data-testid="host-traffic"]`);
  await traffic.waitFor();
  const sent = peers.reduce((n, p) => n + Number(p.sent), 0);
  const recv = peers.reduce((n, p) => n + Number(p.recv), 0);
  const text = await traffic.innerText();
  assert.ok(text.includes(`${formatBytes(sent)} sent`), `${scope}: ${text}`);
  assert.ok(text.includes(`${formatBytes(recv)} received`), `${scope}: ${text}`);
  // Every byte stayed inside the lab subnet, which is in IPAM.
  assert.match(text, /internal 100% · external 0%/);
  for (const p of peers) {
    const row = traffic.locator(`[data-testid="host-peers"] tr[data-peer="${p.peer}"]`);
    const cells = await row.locator("td").allInnerTexts();
    assert.equal(cells[1], formatBytes(Number(p.sent)), `${scope}: sent to ${p.peer}`);
    assert.equal(cells[2], formatBytes(Number(p.recv)), `${scope}: received from ${p.peer}`);
  }
  const ports = await traffic.locator('[data-testid="host-ports"] tbody td:first-child')
    .allInnerTexts();
  for (const want of [`${HTTP_PORT}/tcp`, `${UDP_PORT}/udp`, "icmp"]) {
    assert.ok(ports.includes(want), `${scope}: port ${want} in ${ports.join(", ")}`);
  }
}

for (const engine of ENGINES) {
  Deno.test({
    name: `host story from a lab host's real traffic via softflowd, page and drawer [${engine}]`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      await labPreflight(["ip", "python3", "curl", "ping", "fping", "dumpcap", "softflowd"]);
      const softflowd = findSoftflowd();
      // Takes the lab lock (tests/lab/netns_lab.ts) for as long as the lab exists.
      const lab = await createLab({
        name: `hs${engine === "pglite" ? "l" : "p"}`,
        hosts: [{ ip: SERVER_IP, services: [{ port: HTTP_PORT }] }, { ip: CLIENT_IP }],
      });
      const dir = await Deno.makeTempDir({ prefix: "pingfold-hoststory-" });
      let server: TestServer | null = null;
      let closeBrowser: (() => Promise<void>) | null = null;
      try {
        const port = freeUdpPortIn(18300, 18399);
        server = await startTestServer(engine, {
          ADMIN_PASSWORD: PASSWORD,
          PTR_LOOKUP_ENABLED: "0",
          NETFLOW_BIND_PORT: String(port),
          NETFLOW_FLUSH_INTERVAL_MS: "100",
        }, { background: true });
        const collector = server.deps.services.netflow;
        assert.ok(collector, "the test server runs the NetFlow collector");
        assert.equal(collector.port, port);

        const { browser, close } = await launchBrowser();
        closeBrowser = close;
        const page = await browser.newPage({ viewport: WIDTHS[0] });
        const errors: string[] = [];
        page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
        page.on("pageerror", (e) => errors.push(String(e)));
        await loginInBrowser(page, server.url, "admin", PASSWORD);
        const csrf = await page.evaluate(() =>
          document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? ""
        );
        const headers = { "x-csrf-token": csrf };

        // The lab subnet in IPAM, swept for real: the hosts and their "first seen" come from it.
        const created = await page.request.post(`${server.url}/api/v1/subnets`, {
          data: { cidr: SUBNET, name: "story lab" },
          headers,
        });
        assert.equal(created.status(), 201, await created.text());
        const subnetId = (await created.json()).id as number;
        const swept = await page.request.post(`${server.url}/api/v1/subnets/${subnetId}/sweep`, {
          headers,
        });
        assert.equal(swept.status(), 202, await swept.text());
        await server.deps.services.tasks.drain();
        const [host] = await server.deps.db.query<{ id: number }>(
          `select id from host where ip = $1::inet`,
          [SERVER_IP],
        );
        assert.ok(host, `the sweep found ${SERVER_IP}`);

        // Real traffic across the lab bridge, captured, then exported by softflowd.
        const pcap = join(dir, "lab.pcap");
        const capture = await startCapture(lab.bridge, pcap);
        await makeTraffic(lab);
        await new Promise((r) => setTimeout(r, 300)); // the last replies cross the bridge
        const captureLog = await capture.stop();
        const exported = await run(
          softflowd,
          softflowdArgs({ pcap, port, version: "9", pidFile: join(dir, "softflowd.pid") }),
          30_000,
        );
        assert.equal(exported.code, 0, `softflowd: ${exported.out}\ndumpcap: ${captureLog}`);
        const flowsOut = Number(/Flows exported: (\d+)/.exec(exported.out)?.[1] ?? NaN);

        const stored = async () => {
          const [r] = await server!.deps.db.query<{ n: number }>(
            `select count(*)::int as n from netflow_flow where exporter = '127.0.0.1'`,
          );
          return r.n;
        };
        if (Number.isFinite(flowsOut)) {
          await waitFor(`${flowsOut} stored flows`, async () => (await stored()) >= flowsOut);
        } else {
          await waitFor("stored flows", async () => (await stored()) > 0);
        }
        await collector.sync();
        // One flow per HTTP connection, from the client to the server's port.
        const connections = await capturedConnections(pcap, CLIENT_IP, SERVER_IP, HTTP_PORT);
        assert.ok(connections >= 1, `no HTTP connection captured\ndumpcap: ${captureLog}`);
        const [http] = await server.deps.db.query<{ n: number }>(
          `select count(*)::int as n from netflow_flow
           where src_addr = $1::inet and dst_addr = $2::inet and dst_port = $3 and protocol = 6`,
          [CLIENT_IP, SERVER_IP, HTTP_PORT],
        );
        assert.equal(http.n, connections, `${CURLS} curls, softflowd:\n${exported.out}`);
        const peers = await storedPeers(server);
        assert.ok(peers.some((p) => p.peer === CLIENT_IP), JSON.stringify(peers));

        const a11y: string[] = [];
        for (const viewport of WIDTHS) {
          const w = viewport.width;
          await page.setViewportSize(viewport);

          // The host page.
          await page.goto(`${server.url}/hosts/${host.id}`);
          await checkTraffic(page, "main", peers);
          const lines = await page.locator('[data-testid="host-timeline"] li').allInnerTexts();
          // The sweep that found the host: its first sighting and the discovery event.
          assert.ok(lines.some((l) => /first seen at 198\.51\.100\.10/.test(l)), lines.join("\n"));
          assert.ok(lines.some((l) => /discovered by a sweep/.test(l)), lines.join("\n"));
          a11y.push(...await axeCheck(page, `host page at ${w} px`));
          a11y.push(...await overflowCheck(page, `host page at ${w} px`));
          await page.screenshot({
            path: await artifactPath(`host-story-lab-page-${w}-${engine}.png`),
            fullPage: true,
          });

          // The drawer from the subnet page: the same story.
          await page.goto(`${server.url}/subnets/${subnetId}`);
          await page.click(`tr[data-ip="${SERVER_IP}"] td:nth-child(3)`);
          const drawer = '[data-testid="host-drawer"][data-state="ready"]';
          await page.locator(drawer).waitFor();
          await checkTraffic(page, drawer, peers);
          assert.ok(
            (await page.locator(`${drawer} [data-testid="host-timeline"] li`).count()) >= 1,
            "timeline in the drawer",
          );
          a11y.push(...await axeCheck(page, `drawer at ${w} px`));
          a11y.push(...await overflowCheck(page, `drawer at ${w} px`));
          await page.locator(`${drawer} [data-testid="host-traffic"]`).scrollIntoViewIfNeeded();
          await page.screenshot({
            path: await artifactPath(`host-story-lab-drawer-${w}-${engine}.png`),
          });
          await page.keyboard.press("Escape");
        }
        assert.deepEqual(a11y, []);
        assert.deepEqual(errors, []);
      } finally {
        await closeBrowser?.();
        await server?.stop();
        await lab.destroy();
        await Deno.remove(dir, { recursive: true }).catch(() => {});
      }
    },
  });
}
