// Browser: the subnet page and list of issues 15/16 — windowed rows reachable to the last one,
// Sweep now with its result and live rows/counts, the new-subnet offer, the honest interval.
// Screenshots at 1366 and 390 px go to test-results/.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { artifactPath, launchBrowser, loginInBrowser } from "@/tests/support/browser.ts";
import { startTestServer } from "@/tests/support/test_server.ts";
import { ENGINES } from "@/tests/support/test_db.ts";
import { bigIntToIp, createSubnet, parseCidr, SubnetInputSchema } from "@/services/ipam/mod.ts";

const PASSWORD = "e2e-admin-password";
const DESKTOP = { width: 1366, height: 900 };
const PHONE = { width: 390, height: 844 };

async function shots(page: Page, name: string) {
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: await artifactPath(`${name}-1366.png`), fullPage: false });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: await artifactPath(`${name}-390.png`), fullPage: false });
  const overflow = await page.evaluate(() =>
    document.documentElement.scrollWidth - document.documentElement.clientWidth
  );
  await page.setViewportSize(DESKTOP);
  return overflow;
}

for (const engine of ENGINES) {
  Deno.test({
    name: `subnet page: windows, jump, sweep now with live rows, new-subnet offer [${engine}]`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn(t) {
      const server = await startTestServer(engine, { ADMIN_PASSWORD: PASSWORD });
      const { browser, close } = await launchBrowser();
      const { db } = server.deps;
      try {
        const page = await browser.newPage({ viewport: DESKTOP });
        const consoleErrors: string[] = [];
        page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
        page.on("pageerror", (e) => consoleErrors.push(String(e)));
        await loginInBrowser(page, server.url, "admin", PASSWORD);

        await t.step("windowed rows: every row reachable, jump to an address", async () => {
          // 400 hosts on every other address of a /22: 800 rows, never probed.
          const s = await createSubnet(db, SubnetInputSchema.parse({ cidr: "127.3.0.0/22" }));
          const c = parseCidr(s.cidr);
          const ips = Array.from(
            { length: 400 },
            (_, i) => bigIntToIp(c.first + 1n + 2n * BigInt(i), 4),
          );
          await db.query(
            `insert into host (ip, subnet_id, hostname)
             select u.ip, $2, 'w-' || u.n from unnest($1::inet[]) with ordinality as u(ip, n)`,
            [ips, s.id],
          );
          await page.goto(`${server.url}/subnets/${s.id}`);
          const range = page.locator('[data-testid="window-range"]');
          const total = "800";
          assert.equal(await range.innerText(), `Rows 1–250 of ${total}`);
          assert.equal(await page.locator("#address-table tbody tr").count(), 250);
          assert.equal(await page.locator('pf-island[data-island="AddressTable"]').count(), 1);
          await Promise.all([page.waitForNavigation(), page.click('[data-testid="window-next"]')]);
          assert.equal(await range.innerText(), `Rows 251–500 of ${total}`);
          await Promise.all([page.waitForNavigation(), page.click('[data-testid="window-last"]')]);
          assert.match(await range.innerText(), new RegExp(`–${total} of ${total}$`));
          // The last gap (after the last host) is on the last window, exact.
          const last = page.locator("#address-table tbody tr").last();
          assert.equal(await last.getAttribute("data-last"), "127.3.3.254");
          // Jump to an address far into the subnet: its row is on the window and marked.
          await page.fill("#jump-at", "127.3.3.150");
          await Promise.all([page.waitForNavigation(), page.click('form[role="search"] button')]);
          const focus = page.locator("#address-table tr.row-focus");
          assert.equal(await focus.count(), 1);
          assert.equal(
            await focus.getAttribute("data-ip"),
            null,
            ".150 is free: its gap is marked",
          );
          assert.equal(await focus.getAttribute("data-first"), "127.3.3.32");
          await page.fill("#jump-at", "127.3.2.175");
          await Promise.all([page.waitForNavigation(), page.click('form[role="search"] button')]);
          assert.equal(
            await page.getAttribute("#address-table tr.row-focus", "data-ip"),
            "127.3.2.175",
          );
          await page.fill("#jump-at", "10.9.9.9");
          await Promise.all([page.waitForNavigation(), page.click('form[role="search"] button')]);
          assert.equal(
            await page.innerText("#jump-at-error"),
            "10.9.9.9 is not inside 127.3.0.0/22.",
          );
          const overflow = await shots(page, `subnet-window-${engine}`);
          assert.ok(overflow <= 0, `the window page fits 390 px (${overflow})`);
        });

        await t.step("Sweep now: progress, result, live rows and counts", async () => {
          const s = await createSubnet(db, SubnetInputSchema.parse({ cidr: "127.0.9.0/29" }));
          await page.goto(`${server.url}/subnets/${s.id}`);
          await page.waitForSelector('#address-table[data-live="ready"]');
          await page.waitForSelector('[data-testid="live-connection"][data-connected="true"]');
          assert.equal(await page.innerText('[data-testid="used"]'), "0");
          const gap = page.locator('tr.gap[data-first="127.0.9.1"]');
          assert.match(await gap.innerText(), /127\.0\.9\.1–127\.0\.9\.6\s*·\s*6 unused/);
          await page.click(`button[data-sweep-subnet="${s.id}"]`);
          const status = page.locator(`[data-sweep-status="${s.id}"]`);
          await page.waitForSelector(`[data-sweep-status="${s.id}"][data-state="succeeded"]`, {
            timeout: 60_000,
          });
          assert.match(await status.innerText(), /^Swept 6 addresses: 6 up, 0 down, 6 new, in /);
          // Without a reload: the hosts replace their "6 unused" row, the figures follow.
          await page.waitForSelector('tr[data-ip="127.0.9.3"] .pill-up');
          assert.equal(await page.locator('tr.gap[data-first="127.0.9.1"]').count(), 0);
          await page.waitForFunction(() =>
            document.querySelector('[data-testid="used"]')?.textContent === "6" &&
            document.querySelector('[data-testid="alive"]')?.textContent === "6" &&
            document.querySelector('[data-testid="free"]')?.textContent === "0" &&
            document.querySelector('[data-testid="window-range"]')?.textContent ===
              "Rows 1–6 of 6"
          );
          assert.match(
            await page.innerText('tr[data-ip="127.0.9.3"] [data-col="last-seen"]'),
            /just now/,
          );
          assert.match(await page.innerText('tr[data-ip="127.0.9.3"] [data-col="latency"]'), /ms/);
          const overflow = await shots(page, `subnet-sweep-now-${engine}`);
          assert.ok(overflow <= 0, `the subnet page fits 390 px (${overflow})`);

          // A second sweep at once is answered (debounced or rate-limited), never a double sweep.
          await page.click(`button[data-sweep-subnet="${s.id}"]`);
          await page.waitForSelector(
            `[data-sweep-status="${s.id}"]:is([data-state="succeeded"], [data-state="refused"])`,
            { timeout: 60_000 },
          );
        });

        await t.step("Sweep now in the subnets list", async () => {
          const s = await createSubnet(db, SubnetInputSchema.parse({ cidr: "127.0.10.0/30" }));
          await page.goto(`${server.url}/subnets`);
          const button = page.getByRole("button", { name: "Sweep now: 127.0.10.0/30" });
          await button.click();
          await page.waitForSelector(`[data-sweep-status="${s.id}"][data-state="succeeded"]`, {
            timeout: 60_000,
          });
          assert.match(
            await page.innerText(`[data-sweep-status="${s.id}"]`),
            /^Swept 2 addresses: 2 up, 0 down, 2 new/,
          );
          // The row's figures follow the result without a reload.
          assert.equal(await page.innerText(`#subnet-${s.id} [data-col="used"]`), "2");
          assert.equal(await page.innerText(`#subnet-${s.id} [data-col="alive"]`), "2");
          await shots(page, `subnets-list-sweep-${engine}`);
        });

        await t.step("a new subnet offers Sweep now and Scan every …", async () => {
          await page.goto(`${server.url}/subnets`);
          await page.fill("#new-cidr", "127.0.11.0/29");
          await Promise.all([
            page.waitForNavigation(),
            page.click('form[method="post"][action="/subnets"] button[type="submit"]'),
          ]);
          const offer = page.locator('[data-testid="created-offer"]');
          await offer.waitFor();
          assert.ok(await offer.locator("button[data-sweep-subnet]").isVisible());
          await shots(page, `subnet-created-offer-${engine}`);
          await offer.locator("#offer-interval").selectOption("300");
          await Promise.all([
            page.waitForNavigation(),
            offer.locator('button[type="submit"]').click(),
          ]);
          assert.equal(
            await page.innerText('[data-testid="scan-interval"]'),
            "Scanned every 5 min",
          );
        });

        await t.step("the form refuses an interval the scheduler cannot keep", async () => {
          await page.click("#edit-title");
          const edit = page.locator('form:has(input[name="_action"][value="update"])');
          await edit.locator('input[name="scan_interval_s"]').fill("30");
          await Promise.all([
            page.waitForNavigation(),
            edit.locator('button[type="submit"]').click(),
          ]);
          assert.match(
            await page.innerText('[data-field-error="scan_interval_s"]'),
            /Sweeps start every 1 min here .* 30 s would really be 1 min/,
          );
          assert.equal(
            await page.innerText('[data-testid="scan-interval"]'),
            "Scanned every 5 min",
          );
          await shots(page, `subnet-interval-refused-${engine}`);
        });

        assert.deepEqual(
          consoleErrors.filter((m) => !/status of (422|429)/.test(m)),
          [],
          "no console errors (CSP or hydration)",
        );
      } finally {
        await close();
        await server.stop();
      }
    },
  });
}
