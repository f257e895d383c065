// Browser: a subnet page's pills and "Alive now" follow live events (SSE) without a reload.
// The sweep is real (fping on loopback); the later flip is written and published the way a sweep
// does it, since loopback addresses cannot be taken down.
import assert from "node:assert/strict";
import { artifactPath, launchBrowser, loginInBrowser } from "@/tests/support/browser.ts";
import { startTestServer } from "@/tests/support/test_server.ts";
import { ENGINES } from "@/tests/support/test_db.ts";
import { sweepSubnet, writeObservations } from "@/services/sweeps/mod.ts";

const PASSWORD = "e2e-live-password";

for (const engine of ENGINES) {
  Deno.test({
    name: `subnet page: pills and the alive count update live [${engine}]`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const server = await startTestServer(engine, {
        ADMIN_PASSWORD: PASSWORD,
        PTR_LOOKUP_ENABLED: "0",
      });
      const { browser, close } = await launchBrowser();
      try {
        const { db, kv } = server.deps;
        const [{ id }] = await db.query<{ id: number }>(
          `insert into subnet (cidr, name) values ('127.0.9.0/29', 'live') returning id`,
        );
        const d = server.deps.services.sweeps;
        const run = await sweepSubnet(d.env, id, { trigger: "manual" });
        assert.equal(run.hosts_up, 6);

        const page = await browser.newPage();
        const errors: string[] = [];
        page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
        page.on("pageerror", (e) => errors.push(String(e)));
        await loginInBrowser(page, server.url, "admin", PASSWORD);
        await page.goto(`${server.url}/subnets/${id}`);
        const pill = page.locator('tr[data-ip="127.0.9.3"] .pill');
        assert.equal(await pill.getAttribute("class"), "pill pill-up");
        assert.match((await pill.getAttribute("title")) ?? "", /^up \d+s ago/);
        assert.equal(await page.innerText('[data-testid="alive-now"] strong'), "6");
        await page.waitForSelector('[data-testid="live-connection"][data-connected="true"]');

        // .3 goes down: state written atomically and published, as a sweep would.
        const t = Date.now();
        const [flip] = await writeObservations(kv, [
          { ip: "127.0.9.3", up: false, latencyMs: null, method: "fping" },
        ], t);
        assert.ok(flip.flipped);
        const [host] = await db.query<{ id: number }>(`select id from host where ip = '127.0.9.3'`);
        d.live.publish({
          type: "hosts",
          changes: [{
            ip: "127.0.9.3",
            host_id: host.id,
            subnet_id: id,
            up: false,
            prev_up: true,
            latency_ms: null,
            since: t,
            last_seen: flip.next.last_seen,
            method: "fping",
            checked_at: t,
          }],
        });
        await page.waitForSelector('tr[data-ip="127.0.9.3"] .pill.pill-down');
        assert.equal(await pill.innerText(), "Down");
        assert.match((await pill.getAttribute("title")) ?? "", /^down \d+s ago \(last seen/);
        assert.equal(
          await page.getAttribute('tr[data-ip="127.0.9.3"]', "data-status"),
          "down",
        );
        await page.waitForFunction(() =>
          document.querySelector('[data-testid="alive-now"] strong')?.textContent === "5"
        );
        // Other pills are untouched, and nothing was reloaded.
        assert.equal(
          await page.getAttribute('tr[data-ip="127.0.9.4"] .pill', "class"),
          "pill pill-up",
        );
        await page.screenshot({ path: await artifactPath(`live-pills-${engine}.png`) });

        // The scanner page lists the run, and offers a refresh when another one finishes.
        await page.goto(`${server.url}/scanner`);
        assert.match(await page.innerText('[data-testid="runs-table"]'), /127\.0\.9\.0\/29/);
        await page.waitForSelector('[data-testid="live-connection"][data-connected="true"]');
        await sweepSubnet(d.env, id, { trigger: "manual" });
        await page.waitForSelector('[data-testid="new-runs"]');
        await page.screenshot({
          path: await artifactPath(`scanner-${engine}.png`),
          fullPage: true,
        });
        assert.deepEqual(errors, [], "no console errors (CSP, hydration, EventSource)");
      } finally {
        await close();
        await server.stop();
      }
    },
  });
}
