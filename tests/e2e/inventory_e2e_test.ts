// Browser: create an organization and a server, link a host, define an action, run it from the
// host drawer (live output and exit code), then run an ad-hoc scan and export its result as CSV.
import assert from "node:assert/strict";
import { artifactPath, launchBrowser, loginInBrowser } from "@/tests/support/browser.ts";
import { startTestServer } from "@/tests/support/test_server.ts";
import { ENGINES } from "@/tests/support/test_db.ts";

const PASSWORD = "e2e-inventory-password";

for (const engine of ENGINES) {
  Deno.test({
    name: `inventory: org → server → host → action from the drawer → scan export [${engine}]`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const dataDir = await Deno.makeTempDir({ prefix: "pf_e2e_inv_" });
      await Deno.mkdir(`${dataDir}/actions`);
      await Deno.writeTextFile(
        `${dataDir}/actions/hello.sh`,
        '#!/bin/sh\necho "hello from $1"\nsleep 0.5\necho "bye from $2"\n',
      );
      await Deno.chmod(`${dataDir}/actions/hello.sh`, 0o755);
      const server = await startTestServer(engine, {
        ADMIN_PASSWORD: PASSWORD,
        PTR_LOOKUP_ENABLED: "0",
        PING_TIMEOUT_MS: "300",
        DATA_DIR: dataDir,
      });
      const { browser, close } = await launchBrowser();
      const page = await browser.newPage({ acceptDownloads: true });
      const errors: string[] = [];
      page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
      page.on("pageerror", (e) => errors.push(String(e)));
      try {
        await loginInBrowser(page, server.url, "admin", PASSWORD);

        // 1. An organization.
        await page.goto(`${server.url}/inventory/organizations`);
        await page.fill("#f-name", "Acme Hosting");
        await page.fill("#f-contact_email", "ops@example.org");
        await Promise.all([page.waitForNavigation(), page.click('[data-testid="org-create"]')]);
        assert.equal(await page.innerText('[data-testid="org-name"]'), "Acme Hosting");

        // 2. A server of it, then a host linked to it.
        await page.goto(`${server.url}/inventory/servers`);
        await page.fill("#f-name", "web-01");
        await page.selectOption("#f-organization_id", { label: "Acme Hosting" });
        await page.fill("#f-role", "web");
        await Promise.all([page.waitForNavigation(), page.click('[data-testid="server-create"]')]);
        assert.equal(await page.innerText('[data-testid="server-name"]'), "web-01");
        await page.fill("#f-ip", "127.0.0.90");
        await Promise.all([page.waitForNavigation(), page.click('[data-testid="server-link"]')]);
        const row = page.locator('[data-testid="server-addresses"] tr[data-host-id]');
        assert.equal(await row.count(), 1);
        assert.match(await row.innerText(), /127\.0\.0\.90/);
        const serverUrl = page.url();

        // 3. An action (admins define them on the actions page).
        await page.goto(`${server.url}/operations/actions`);
        await page.fill("#f-name", "Say hello");
        await page.fill("#f-executable", "hello.sh");
        await page.fill("#f-args", "{ip}\n{server}");
        await Promise.all([page.waitForNavigation(), page.click('[data-testid="action-create"]')]);
        assert.match(
          await page.innerText('[data-testid="actions-table"]'),
          /hello\.sh \{ip\} \{server\}/,
        );

        // 4. The drawer of the server's host shows its server and organization and runs it.
        await page.goto(serverUrl);
        await page.waitForSelector('html[data-host-drawer="ready"]');
        await page.click('[data-testid="server-addresses"] a[href^="/hosts/"]');
        const drawer = page.locator('[role="dialog"]');
        await drawer.locator('[data-testid="hd-server"]').waitFor();
        assert.equal(await drawer.locator('[data-testid="hd-server"]').innerText(), "web-01");
        assert.equal(
          await drawer.locator('[data-testid="hd-organization"]').innerText(),
          "Acme Hosting",
        );
        await drawer.locator('[data-testid="action-select"]').selectOption({ label: "Say hello" });
        await drawer.locator('[data-testid="action-run"]').click();
        const status = drawer.locator('[data-testid="action-status"]');
        await page.waitForFunction(
          () =>
            /succeeded/.test(
              document.querySelector('[data-testid="action-status"]')?.textContent ?? "",
            ),
          null,
          { timeout: 20_000 },
        );
        assert.match(await status.innerText(), /Run \d+: succeeded \(exit code 0\)/);
        assert.equal(
          (await drawer.locator('[data-testid="action-output"]').innerText()).trim(),
          "hello from 127.0.0.90\nbye from web-01",
        );
        await page.screenshot({ path: await artifactPath(`inventory-drawer-${engine}.png`) });
        await page.keyboard.press("Escape");

        // The runs page lists it.
        await page.goto(`${server.url}/operations/runs?status=succeeded`);
        assert.match(
          await page.innerText('[data-testid="runs-table"]'),
          /Say hello\s+127\.0\.0\.90\s+admin/,
        );

        // 5. An ad-hoc scan, and its result exported as CSV from the button.
        await page.goto(`${server.url}/operations/scans`);
        await page.fill("#f-target", "127.0.0.90");
        await page.selectOption("#f-kind", "ping");
        await Promise.all([page.waitForNavigation(), page.click('[data-testid="adhoc-run"]')]);
        assert.match(await page.innerText('[data-testid="scan-summary"]'), /up via fping/);
        const [download] = await Promise.all([
          page.waitForEvent("download"),
          page.click('[data-testid="export-csv"]'),
        ]);
        assert.match(download.suggestedFilename(), /^scan-\d+\.csv$/);
        const csv = await Deno.readTextFile((await download.path())!);
        const lines = csv.trim().split("\n");
        assert.equal(
          lines[0],
          "scan_id,kind,target,host_id,status,started_at,finished_at,ip,port,proto,state,service,product,version",
        );
        assert.match(lines[1], /^\d+,ping,127\.0\.0\.90,\d+,succeeded,.*,127\.0\.0\.90,,,up,,,$/);
        // 6. A sweep from the same form is a task whose progress the page follows to the end.
        await page.goto(`${server.url}/operations/scans`);
        await page.fill("#f-target", "127.0.0.0/29");
        await page.selectOption("#f-kind", "sweep");
        await Promise.all([page.waitForNavigation(), page.click('[data-testid="adhoc-run"]')]);
        await page.waitForSelector('[data-testid="task-progress"][data-status="succeeded"]', {
          timeout: 20_000,
        });
        assert.match(await page.innerText('[data-testid="task-progress"]'), /done — result \d+/);
        assert.deepEqual(errors, []);
      } catch (err) {
        await page.screenshot({ path: await artifactPath(`inventory-failure-${engine}.png`) })
          .catch(() => {});
        throw err;
      } finally {
        await close();
        await server.stop();
        await Deno.remove(dataDir, { recursive: true }).catch(() => {});
      }
    },
  });
}
