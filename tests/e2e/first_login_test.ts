// Browser: first login on admin/admin, the forced password change, then the high-contrast toggle.
import assert from "node:assert/strict";
import { artifactPath, launchBrowser, loginInBrowser } from "@/tests/support/browser.ts";
import { startTestServer } from "@/tests/support/test_server.ts";
import { ENGINES } from "@/tests/support/test_db.ts";

for (const engine of ENGINES) {
  Deno.test({
    name: `first login forces a new password, then the contrast toggle works [${engine}]`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const server = await startTestServer(engine);
      const { browser, close } = await launchBrowser();
      try {
        const page = await browser.newPage();
        const consoleErrors: string[] = [];
        page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));

        await loginInBrowser(page, server.url, "admin", "admin");
        assert.match(page.url(), /\/account\/password$/);
        assert.ok(await page.isVisible('[data-testid="forced-change"]'));

        // Anything else still leads back to the password form.
        await page.goto(`${server.url}/`);
        assert.match(page.url(), /\/account\/password$/);

        await page.fill('input[name="current"]', "admin");
        await page.fill('input[name="password"]', "a-much-better-secret");
        await Promise.all([
          page.waitForNavigation(),
          page.click('form[action="/account/password"] button[type="submit"]'),
        ]);
        assert.equal(new URL(page.url()).pathname, "/");
        assert.ok(await page.isVisible("text=Dashboard"));

        const html = page.locator("html");
        assert.equal(await html.getAttribute("data-contrast"), "normal");
        await page.click('[data-testid="contrast-toggle"]');
        await page.waitForFunction(() => document.documentElement.dataset.contrast === "high");
        assert.equal(
          await page.getAttribute('[data-testid="contrast-toggle"]', "aria-pressed"),
          "true",
        );
        // The choice survives a reload because the server renders it from the cookie.
        await page.reload();
        assert.equal(await html.getAttribute("data-contrast"), "high");
        await page.screenshot({
          path: await artifactPath(`dashboard-high-contrast-${engine}.png`),
        });
        assert.deepEqual(consoleErrors, [], "no console errors (CSP or hydration)");

        // The old password no longer works; the new one does.
        const res = await fetch(`${server.url}/api/v1/auth/login`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ username: "admin", password: "admin" }),
        });
        assert.equal(res.status, 401);
        await res.body?.cancel();
      } finally {
        await close();
        await server.stop();
      }
    },
  });
}
