// Browser: lab traffic exported by softflowd (NetFlow v9) to the app's own collector shows on
// /netflow as a subnet map (SVG) and top talkers with IPAM hostnames, on desktop and mobile.
import assert from "node:assert/strict";
import { join } from "node:path";
import { artifactPath, launchBrowser, loginInBrowser } from "@/tests/support/browser.ts";
import { startTestServer } from "@/tests/support/test_server.ts";
import { ENGINES } from "@/tests/support/test_db.ts";
import { type Collector } from "@/services/netflow/mod.ts";
import { writePcapFile } from "@/tests/support/netflow/mod.ts";
import { labFlows, runSoftflowd, waitFor } from "@/tests/netflow/collector_support.ts";

const PASSWORD = "e2e-netflow-password";

for (const engine of ENGINES) {
  Deno.test({
    name: `/netflow shows the subnet map and top talkers for lab traffic [${engine}]`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      // background: the collector starts like in main.ts (127.0.0.1, random port in tests).
      const server = await startTestServer(engine, { ADMIN_PASSWORD: PASSWORD }, {
        background: true,
      });
      const dir = await Deno.makeTempDir({ prefix: "pingfold-nf-e2e-" });
      const { browser, close } = await launchBrowser();
      try {
        const { db } = server.deps;
        const collector = server.deps.services.netflow as Collector;
        assert.ok(collector, "the background collector is running");
        await db.query(
          `insert into subnet (cidr, name) values ('127.0.2.0/24', 'Office LAN'),
             ('198.51.100.0/24', 'Servers')`,
        );
        await db.query(
          `insert into host (ip, hostname, hostname_override) values
             ('127.0.2.104', 'pc-104.lan', null), ('198.51.100.3', 'web', 'web.servers.lan')`,
        );

        const flows = labFlows(false);
        const pcap = join(dir, "lab.pcap");
        const totals = await writePcapFile(pcap, flows, { startMs: Date.now() - 4_000 });
        const run = await runSoftflowd(pcap, collector.port, "9", dir);
        assert.equal(run.code, 0, run.log);
        await waitFor(
          "the lab flows",
          () => (collector.counters()["127.0.0.1"]?.records_decoded ?? 0) >= totals.flows,
        );
        await collector.sync();

        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        const errors: string[] = [];
        page.on("pageerror", (e) => errors.push(String(e)));
        await loginInBrowser(page, server.url, "admin", PASSWORD);
        await page.goto(`${server.url}/netflow?window=15m`);

        const map = page.locator('svg[data-testid="traffic-map"]');
        await map.waitFor();
        assert.ok(await map.isVisible());
        const nodes = await page.locator("svg[data-testid=traffic-map] [data-node]").evaluateAll(
          (els) => els.map((e) => e.getAttribute("data-node")),
        );
        assert.ok(nodes.includes("external"), nodes.join(","));
        assert.equal(nodes.filter((n) => n?.startsWith("subnet:")).length, 2, nodes.join(","));
        // SVG text has no innerText: read textContent.
        const labels = await map.locator("text.nf-label").evaluateAll((els) =>
          els.map((e) => e.textContent ?? "")
        );
        assert.ok(labels.some((l) => l.startsWith("Office LAN")), labels.join(" | "));
        assert.ok(labels.includes("External"));
        const edges = await map.locator("path[data-edge]").count();
        assert.ok(
          edges >= 3,
          `expected LAN→Servers, External→LAN and Servers-side links: ${edges}`,
        );
        // The office talks to the servers: that link exists and carries bytes.
        const lanToServers = await map.locator("path[data-edge]").evaluateAll((els) =>
          els.map((e) => [e.getAttribute("data-edge"), Number(e.getAttribute("data-bytes"))])
        );
        assert.ok(
          lanToServers.some(([edge, bytes]) =>
            /^subnet:\d+>subnet:\d+$/.test(String(edge)) && Number(bytes) > 0
          ),
          JSON.stringify(lanToServers),
        );

        const talkers = page.locator('[data-testid="top-talkers"]');
        await talkers.waitFor();
        const rows = await talkers.locator("tbody tr").count();
        assert.equal(rows, 10);
        const text = await talkers.innerText();
        assert.match(text, /pc-104\.lan/, text);
        assert.match(text, /web\.servers\.lan/, `hostnames from IPAM, override first:\n${text}`);
        assert.match(await page.innerText('[data-testid="top-ports"]'), /tcp\/443/);
        assert.match(await page.innerText('[data-testid="exporters"]'), /127\.0\.0\.1/);
        await page.screenshot({ path: await artifactPath("netflow_page.png"), fullPage: true });

        // Mobile: the map scales to the screen and the page does not scroll sideways.
        await page.setViewportSize({ width: 390, height: 844 });
        await page.reload();
        await map.waitFor();
        const box = await map.boundingBox();
        assert.ok(box && box.width <= 390, `map ${box?.width}px wide on a 390px screen`);
        const overflow = await page.evaluate(() =>
          document.documentElement.scrollWidth - globalThis.innerWidth
        );
        assert.ok(overflow <= 1, `page scrolls ${overflow}px sideways on mobile`);
        await page.screenshot({
          path: await artifactPath("netflow_page_mobile.png"),
          fullPage: true,
        });
        assert.deepEqual(errors, []);
      } finally {
        await close();
        await server.stop();
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}
