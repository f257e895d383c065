// Browser: add a subnet on the dashboard, open it, expand a gap chip, claim a free address (named
// first, undoable), see it become a host.
import assert from "node:assert/strict";
import { artifactPath, launchBrowser, loginInBrowser } from "@/tests/support/browser.ts";
import { startTestServer } from "@/tests/support/test_server.ts";
import { ENGINES } from "@/tests/support/test_db.ts";
import { createHost, getSubnetByCidr, HostInputSchema } from "@/services/ipam/mod.ts";

const PASSWORD = "e2e-admin-password";

for (const engine of ENGINES) {
  Deno.test({
    name: `subnet page: expand a gap, claim an address, it becomes a host [${engine}]`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const server = await startTestServer(engine, { ADMIN_PASSWORD: PASSWORD });
      const { browser, close } = await launchBrowser();
      try {
        const page = await browser.newPage();
        const consoleErrors: string[] = [];
        page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
        page.on("pageerror", (e) => consoleErrors.push(String(e)));
        await loginInBrowser(page, server.url, "admin", PASSWORD);
        assert.equal(new URL(page.url()).pathname, "/");

        // "/" jumps to the header search box (once the island has attached its listener).
        await page.waitForSelector('#quick-search[aria-keyshortcuts="/"]', { state: "attached" });
        await page.keyboard.press("/");
        await page.waitForFunction(() => document.activeElement?.id === "quick-search");

        // Add the subnet through the dashboard form, behind its button; a bad CIDR first shows
        // the error inline.
        await page.click('[data-testid="add-subnet-button"]');
        await page.waitForSelector('[data-testid="add-subnet"][open]');
        await page.fill("#add-cidr", "198.51.100.0/33");
        await Promise.all([
          page.waitForNavigation(),
          page.click('form[action="/"] button[type="submit"]'),
        ]);
        assert.match(await page.innerText('[data-field-error="cidr"]'), /prefix \/33 > 32/);
        await page.fill("#add-cidr", "198.51.100.0/24");
        await page.fill("#add-name", "Servers");
        await Promise.all([
          page.waitForNavigation(),
          page.click('form[action="/"] button[type="submit"]'),
        ]);
        assert.ok(await page.isVisible('[data-testid="created-notice"]'));
        assert.ok(await page.isVisible('tr[data-cidr="198.51.100.0/24"]'));

        const subnet = (await getSubnetByCidr(server.deps.db, "198.51.100.0/24"))!;
        for (const ip of ["198.51.100.1", "198.51.100.10"]) {
          await createHost(
            server.deps.db,
            HostInputSchema.parse({ ip, hostname: `h${ip.at(-1)}` }),
          );
        }
        await page.goto(`${server.url}/subnets/${subnet.id}`);
        const gapRow = page.locator('tr.gap[data-first="198.51.100.2"]');
        assert.match(await gapRow.innerText(), /198\.51\.100\.2–198\.51\.100\.9\s*·\s*8 unused/);

        // Expand: the free addresses appear in place.
        await gapRow.locator("button.chip-button").click();
        const items = gapRow.locator("li.free-item");
        await items.first().waitFor();
        assert.deepEqual(
          await items.evaluateAll((els) => els.map((e) => e.getAttribute("data-ip"))),
          [
            "198.51.100.2",
            "198.51.100.3",
            "198.51.100.4",
            "198.51.100.5",
            "198.51.100.6",
            "198.51.100.7",
            "198.51.100.8",
            "198.51.100.9",
          ],
        );
        assert.equal(
          await gapRow.locator("button.chip-button").getAttribute("aria-expanded"),
          "true",
        );

        // One delegated island serves the table: no island per gap row.
        assert.equal(await page.locator('pf-island[data-island="AddressTable"]').count(), 1);
        assert.equal(await page.locator("tr.gap pf-island").count(), 0);

        // Claim one: it asks for a name first, then becomes a host; Undo gives it back.
        const item = gapRow.locator('li[data-ip="198.51.100.5"]');
        await item.getByRole("button", { name: "Claim 198.51.100.5" }).click();
        const name = item.getByLabel("Name for 198.51.100.5");
        await name.waitFor();
        assert.equal(
          await item.locator('button[type="submit"]').isDisabled(),
          true,
          "no claim without a name",
        );
        await name.fill("printer-5");
        await item.locator('button[type="submit"]').click();
        await item.locator('[data-testid="claimed"]').waitFor();
        assert.match(await item.locator('[data-testid="claimed"]').innerText(), /printer-5/);
        await page.waitForFunction(() =>
          document.querySelector('[data-testid="used"]')?.textContent === "3"
        );
        await page.screenshot({ path: await artifactPath(`ipam-expand-claim-${engine}.png`) });
        await item.getByRole("button", { name: "Undo claim of 198.51.100.5" }).click();
        await page.locator('li[data-ip="198.51.100.5"][data-claim="free"]').waitFor();
        await page.waitForFunction(() =>
          document.querySelector('[data-testid="used"]')?.textContent === "2"
        );
        // Claimed again for good.
        await item.getByRole("button", { name: "Claim 198.51.100.5" }).click();
        await item.getByLabel("Name for 198.51.100.5").fill("printer-5");
        await item.locator('button[type="submit"]').click();
        await item.locator('[data-testid="claimed"]').waitFor();
        // Closing the list redraws the window: the claimed address is a host row now.
        await gapRow.locator("button.chip-button").click();
        await page.locator("#ip-198-51-100-5").waitFor();
        await page.reload();
        const hostRow = page.locator("#ip-198-51-100-5");
        await hostRow.waitFor();
        assert.equal(await hostRow.getAttribute("data-status"), "unknown");
        assert.match(await hostRow.innerText(), /printer-5/);
        assert.ok(
          await page.isVisible('tr.gap[data-first="198.51.100.6"][data-last="198.51.100.9"]'),
        );
        assert.equal(await page.innerText('[data-testid="used"]'), "3");

        // A big gap pages: 64 at a time.
        const big = page.locator('tr.gap[data-first="198.51.100.11"]');
        await big.locator("button.chip-button").click();
        await big.locator("li.free-item").nth(63).waitFor();
        await big.getByRole("button", { name: "Show 64 more" }).click();
        await big.locator("li.free-item").nth(127).waitFor();
        assert.equal(await big.locator("li.free-item").count(), 128);

        // The one expected: the browser logs the deliberate 422 of the bad CIDR form.
        const unexpected = consoleErrors.filter((m) => !/status of 422/.test(m));
        assert.deepEqual(unexpected, [], "no console errors (CSP or hydration)");
      } finally {
        await close();
        await server.stop();
      }
    },
  });
}
