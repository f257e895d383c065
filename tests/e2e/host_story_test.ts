// Browser: a host's story on its page and in the drawer: traffic (peers, split, chart) and the
// timeline, at 1366 and 390 px, with no sideways scrolling on the phone. Flows go through the
// collector's insert path (host_story_lab_test.ts has a lab host's real traffic exported by
// softflowd); the edit is a real PATCH through the API.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { artifactPath, launchBrowser, loginInBrowser } from "@/tests/support/browser.ts";
import { startTestServer } from "@/tests/support/test_server.ts";
import { ENGINES } from "@/tests/support/test_db.ts";
import { FlowChunkBuilder, type FlowRecord, insertFlowBatch } from "@/services/netflow/mod.ts";

const PASSWORD = "e2e-hoststory-password";

async function noOverflow(page: Page, what: string) {
  const wide = await page.evaluate(() =>
    document.documentElement.scrollWidth - document.documentElement.clientWidth
  );
  assert.ok(wide <= 1, `${what}: the page scrolls sideways by ${wide} px`);
}

function flow(src: string, dst: string, bytes: number, now: number): FlowRecord {
  return {
    exporter: "127.0.2.254",
    version: 9,
    sourceId: 0,
    srcAddr: src,
    dstAddr: dst,
    srcPort: 50000,
    dstPort: 443,
    protocol: 6,
    bytes,
    packets: 10,
    startMs: now - 20_000,
    endMs: now - 10_000,
    inputIf: 1,
    outputIf: 2,
    tcpFlags: 0x18,
    samplingInterval: 1,
  };
}

for (const engine of ENGINES) {
  Deno.test({
    name: `host story: traffic and timeline on the host page and in the drawer [${engine}]`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const server = await startTestServer(engine, {
        ADMIN_PASSWORD: PASSWORD,
        PTR_LOOKUP_ENABLED: "0",
      });
      const { browser, close } = await launchBrowser();
      try {
        const { db } = server.deps;
        const [{ id: subnetId }] = await db.query<{ id: number }>(
          `insert into subnet (cidr, name) values ('127.0.12.0/29', 'story') returning id`,
        );
        const [{ id }] = await db.query<{ id: number }>(
          `insert into host (ip, subnet_id, hostname, first_seen_at, discovered)
           values ('127.0.12.2', $1, 'story-host.example', now(), true) returning id`,
          [subnetId],
        );
        await db.query(`insert into host (ip, subnet_id) values ('127.0.12.3', $1)`, [subnetId]);
        await db.query(
          `insert into host_event (host_id, ts, kind, detail) values
             ($1, now(), 'down', '{}'), ($1, now() + interval '1 second', 'up', '{}'),
             ($1, now() + interval '2 seconds', 'port_opened', '{"port":22,"proto":"tcp"}')`,
          [id],
        );
        const now = Date.now();
        const b = new FlowChunkBuilder("127.0.2.254", 16);
        b.push(flow("127.0.12.2", "127.0.12.3", 120_000, now), now);
        b.push(flow("203.0.113.9", "127.0.12.2", 480_000, now), now);
        await insertFlowBatch(db, [b.take()], { nowMs: now, collector: "t" });

        const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
        const errors: string[] = [];
        page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
        page.on("pageerror", (e) => errors.push(String(e)));
        await loginInBrowser(page, server.url, "admin", PASSWORD);
        // An IPAM edit through the API, as a script would do it, lands in the timeline.
        const csrf = await page.evaluate(() =>
          document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? ""
        );
        const patched = await page.request.patch(`${server.url}/api/v1/hosts/${id}`, {
          data: { description: "the host with a story" },
          headers: { "x-csrf-token": csrf },
        });
        assert.equal(patched.status(), 200, await patched.text());

        await page.goto(`${server.url}/hosts/${id}`);
        const traffic = page.locator('[data-testid="host-traffic"]');
        await traffic.waitFor();
        assert.match(await traffic.innerText(), /internal 20% · external 80%/);
        assert.equal(await page.locator('[data-testid="host-peers"] tr[data-peer]').count(), 2);
        const timeline = page.locator('[data-testid="host-timeline"]');
        const lines = await timeline.locator("li").allInnerTexts();
        assert.ok(lines.some((l) => /edited host/.test(l)), lines.join("\n"));
        assert.ok(lines.some((l) => /opened a port 22\/tcp/.test(l)), lines.join("\n"));
        assert.ok(/first seen/.test(lines.at(-1) ?? ""), lines.join("\n"));
        await page.screenshot({
          path: await artifactPath(`host-story-1366-${engine}.png`),
          fullPage: true,
        });

        await page.setViewportSize({ width: 390, height: 844 });
        await page.goto(`${server.url}/hosts/${id}`);
        await page.locator('[data-testid="host-timeline"]').waitFor();
        await noOverflow(page, "host page at 390 px");
        await page.screenshot({
          path: await artifactPath(`host-story-390-${engine}.png`),
          fullPage: true,
        });

        // The drawer from the subnet page shows the same story.
        await page.setViewportSize({ width: 1366, height: 900 });
        await page.goto(`${server.url}/subnets/${subnetId}`);
        // The name cell: the status cell holds the row's Ping now button.
        await page.click(`tr[data-host-id="${id}"] td:nth-child(3)`);
        const drawer = page.locator('[data-testid="host-drawer"][data-state="ready"]');
        await drawer.waitFor();
        await drawer.locator('[data-testid="host-traffic"]').waitFor();
        assert.ok(
          (await drawer.locator('[data-testid="host-timeline"] li').count()) >= 5,
          "timeline in the drawer",
        );
        await drawer.locator('[data-testid="host-traffic"]').scrollIntoViewIfNeeded();
        await page.screenshot({ path: await artifactPath(`host-story-drawer-1366-${engine}.png`) });
        assert.deepEqual(errors, []);
      } finally {
        await close();
        await server.stop();
      }
    },
  });
}
