// Browser, both engines: the subnet page's host rows have "Ping now" for editors (real fping on
// loopback, the same words as the host page's button), viewers see none, and a name saved in the
// drawer shows in the row behind it without a reload. A live redraw of the rows keeps what the
// row's Ping now said.
import assert from "node:assert/strict";
import { launchBrowser, loginInBrowser } from "@/tests/support/browser.ts";
import { startTestServer } from "@/tests/support/test_server.ts";
import { ENGINES } from "@/tests/support/test_db.ts";
import { createUser } from "@/services/auth/mod.ts";
import { axeCheck } from "@/tests/support/axe.ts";

const PASSWORD = "e2e-row-ping-password";

for (const engine of ENGINES) {
  Deno.test({
    name: `subnet page rows: Ping now per host row, drawer name patches the row [${engine}]`,
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
          `insert into subnet (cidr, name) values ('127.0.12.0/29', 'rows') returning id`,
        );
        const [{ id: hostId }] = await db.query<{ id: number }>(
          `insert into host (ip, subnet_id) values ('127.0.12.3', $1) returning id`,
          [subnetId],
        );
        await createUser(db, {
          username: "vic",
          password: "vic-viewer-password-1",
          role: "viewer",
          mustChangePassword: false,
        });

        const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
        const errors: string[] = [];
        page.on("pageerror", (e) => errors.push(String(e)));
        await loginInBrowser(page, server.url, "admin", PASSWORD);
        await page.goto(`${server.url}/subnets/${subnetId}`);
        const row = page.locator('tr[data-ip="127.0.12.3"]');
        await row.locator('[data-testid="row-ping"]').click();
        const result = row.locator('[data-testid="row-ping-result"][data-state="done"]');
        await result.waitFor();
        assert.match(await result.innerText(), /^Answered in/);
        assert.equal(await page.locator('[data-testid="host-drawer"]').count(), 0);
        assert.deepEqual(await axeCheck(page, "row with a ping result"), []);

        // A live event for the same row and for an address that just became a host: the island
        // reads the window again and swaps the table body. The answer must survive the swap.
        await page.waitForSelector('[data-testid="live-connection"][data-connected="true"]');
        await row.evaluate((el) => el.setAttribute("data-before-swap", ""));
        const [{ id: newId }] = await db.query<{ id: number }>(
          `insert into host (ip, subnet_id) values ('127.0.12.4', $1) returning id`,
          [subnetId],
        );
        const t = Date.now();
        const change = (ip: string, host_id: number) => ({
          ip,
          host_id,
          subnet_id: subnetId,
          up: true,
          prev_up: ip === "127.0.12.3" ? true : null,
          latency_ms: 0.2,
          since: t,
          last_seen: t,
          method: "fping",
          checked_at: t,
        });
        // The table's own stream may connect a moment after the pills' one: publish until seen.
        const fresh = page.locator('tr[data-ip="127.0.12.4"]');
        for (let i = 0; i < 20 && (await fresh.count()) === 0; i++) {
          server.deps.services.sweeps.live.publish({
            type: "hosts",
            changes: [change("127.0.12.3", hostId), change("127.0.12.4", newId)],
          });
          await fresh.waitFor({ timeout: 1000 }).catch(() => {});
        }
        await fresh.waitFor();
        assert.equal(
          await page.locator('tr[data-ip="127.0.12.3"][data-before-swap]').count(),
          0,
          "the row was redrawn from the server",
        );
        await result.waitFor();
        assert.match(await result.innerText(), /^Answered in/);
        assert.equal(await row.locator('[data-testid="row-ping"]').isEnabled(), true);
        assert.equal(
          await page.locator('tr[data-ip="127.0.12.4"] [data-testid="row-ping-result"]')
            .innerText(),
          "",
        );

        // The drawer: a name saved there shows in the row's name cell.
        await row.locator('[data-field="name"]').click();
        const drawer = page.locator('[data-testid="host-drawer"][data-state="ready"]');
        await drawer.waitFor();
        await drawer.locator(`#host-${hostId}-hostname_override`).fill("loop-3");
        await drawer.locator('[data-testid="host-edit-form"] button[type="submit"]').click();
        await page.waitForFunction(() =>
          document.querySelector('tr[data-ip="127.0.12.3"] [data-field="name"]')?.textContent ===
            "loop-3"
        );
        assert.deepEqual(errors, []);

        // A viewer sees the rows but no Ping button.
        const viewer = await browser.newPage({ viewport: { width: 1366, height: 900 } });
        await loginInBrowser(viewer, server.url, "vic", "vic-viewer-password-1");
        await viewer.goto(`${server.url}/subnets/${subnetId}`);
        await viewer.locator('tr[data-ip="127.0.12.3"]').waitFor();
        assert.equal(await viewer.locator('[data-testid="row-ping"]').count(), 0);
      } finally {
        await close();
        await server.stop();
      }
    },
  });
}
