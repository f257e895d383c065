// Browser: add a subnet on the dashboard, open it, expand a gap chip, claim a free address, see it become a host.
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

        // Add the subnet through the dashboard form; a bad CIDR first shows the error inline.
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

        // Claim one: it becomes a host.
        await gapRow.locator('li[data-ip="198.51.100.5"] button').click();
        await gapRow.locator('li[data-ip="198.51.100.5"] [data-testid="claimed"]').waitFor();
        await page.screenshot({ path: await artifactPath(`ipam-expand-claim-${engine}.png`) });
        await page.reload();
        const hostRow = page.locator("#ip-198-51-100-5");
        await hostRow.waitFor();
        assert.equal(await hostRow.getAttribute("data-status"), "unknown");
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
