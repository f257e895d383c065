// The acceptance test of the whole product, in real Chromium against a running Pingfold and a
// netns lab (needs root), on both engines: log in → add the lab /24 in the UI and turn scanning on
// → the scheduler sweeps → alive hosts show Up with gaps folded → a host's drawer scans its ports
// and shows the open port chip → the host goes down → after the next sweep the pill shows Down and
// the drawer's events, uptime and sparkline show the flip. Along the way: the "Alive now" filters
// and keys, hostile strings in the drawer, screenshots (desktop and 375 px) and axe-core checks.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { artifactPath, launchBrowser, loginInBrowser } from "@/tests/support/browser.ts";
import { startTestServer } from "@/tests/support/test_server.ts";
import { ENGINES } from "@/tests/support/test_db.ts";
import { axeCheck } from "@/tests/support/axe.ts";
import { createLab, labPreflight } from "@/tests/lab/netns_lab.ts";

const PASSWORD = "e2e-network-password";
// 203.0.113.0/24 (TEST-NET-3): discovery's lab tests use 198.51.100.0/24, so both can run at once.
const SUBNET = "203.0.113.0/24";
const SERVER_IP = "203.0.113.10"; // listens on 8080
const QUIET_IP = "203.0.113.11";
const BRIDGE_IP = "203.0.113.1"; // the lab's host side: answers too
const ENV = {
  ADMIN_PASSWORD: PASSWORD,
  DISABLE_SCHEDULER: "0",
  // The scheduler ticks every 5 s; the subnet's own interval (30 s, the minimum) sets the sweeps.
  SCAN_ICMP_INTERVAL_SECONDS: "5",
  PTR_LOOKUP_ENABLED: "0",
  PING_TIMEOUT_MS: "300",
  PING_RETRIES: "1",
  // One port with light version detection: seconds, not minutes.
  NMAP_ARGS: "-Pn -T4 -sT -sV --version-light -p 8080",
};
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 375, height: 740 };
const HOSTILE = `<script>window.__pwned=1</script>"'><img src=x onerror="window.__pwned=2">`;

/** Reloads `path` until `selector` shows (work done by the scheduler in the background). */
async function reloadUntil(page: Page, url: string, selector: string, what: string, tries = 60) {
  for (let i = 0; i < tries; i++) {
    await page.goto(url);
    if (await page.locator(selector).count() > 0) return;
    await page.waitForTimeout(1000);
  }
  throw new Error(`gave up waiting for ${what} (${selector} on ${url})`);
}

async function openDrawer(page: Page, ip: string) {
  // The name cell (a click anywhere on the row but its links and buttons opens the drawer; the
  // status cell holds the row's Ping now button).
  await page.click(`tr[data-ip="${ip}"] td:nth-child(3)`);
  const drawer = page.locator('[data-testid="host-drawer"]');
  await drawer.locator(".host-detail").waitFor();
  return drawer;
}

for (const engine of ENGINES) {
  Deno.test({
    name: `e2e: a lab network through the browser, from sweep to drawer to flip [${engine}]`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      await labPreflight(["ip", "fping", "nmap", "python3"]);
      const lab = await createLab({
        name: `e2e${engine === "pglite" ? "l" : "p"}`,
        hosts: [{ ip: SERVER_IP, services: [{ port: 8080 }] }, { ip: QUIET_IP }],
      });
      let server: Awaited<ReturnType<typeof startTestServer>> | null = null;
      let browserClose: (() => Promise<void>) | null = null;
      try {
        server = await startTestServer(engine, ENV, { background: true });
        const url = server.url;
        const { browser, close } = await launchBrowser();
        browserClose = close;
        const a11y: string[] = [];
        const context = await browser.newContext({ viewport: DESKTOP });
        const page = await context.newPage();
        const errors: string[] = [];
        page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
        page.on("pageerror", (e) => errors.push(String(e)));
        const shot = async (name: string, fullPage = false) =>
          await page.screenshot({
            path: await artifactPath(`e2e-${name}-${engine}.png`),
            fullPage,
          });

        // 1. Log in, add the lab /24 on the dashboard.
        await loginInBrowser(page, url, "admin", PASSWORD);
        assert.equal(new URL(page.url()).pathname, "/");
        await page.click('[data-testid="add-subnet-button"]');
        await page.fill("#add-cidr", SUBNET);
        await page.fill("#add-name", "netns lab");
        await Promise.all([
          page.waitForNavigation(),
          page.click('form[action="/"] button[type="submit"]'),
        ]);
        await page.click('[data-testid="created-notice"] a');
        await page.waitForURL(/\/subnets\/\d+$/);
        const subnetUrl = page.url();
        assert.equal(await page.innerText('[data-testid="subnet-cidr"]'), SUBNET);

        // 2. Turn scanning on (every 30 s) in the subnet's edit form.
        await page.click("#edit-title");
        const edit = page.locator('form:has(input[name="_action"][value="update"])');
        await edit.locator('input[name="scan_enabled"]').check();
        await edit.locator('input[name="scan_interval_s"]').fill("30");
        await Promise.all([
          page.waitForNavigation(),
          edit.locator('button[type="submit"]').click(),
        ]);
        assert.match(await page.innerText('[data-testid="notice"]'), /Changes saved/);

        // 3. The scheduler sweeps: alive hosts appear Up, the unused ranges fold into gap rows.
        await reloadUntil(
          page,
          subnetUrl,
          `tr[data-ip="${SERVER_IP}"] .pill-up`,
          "the first scheduled sweep",
        );
        for (const ip of [BRIDGE_IP, SERVER_IP, QUIET_IP]) {
          assert.equal(
            await page.getAttribute(`tr[data-ip="${ip}"] .pill`, "class"),
            "pill pill-up",
            ip,
          );
        }
        assert.equal(await page.locator("tr[data-host-id]").count(), 3, "only the live hosts");
        assert.deepEqual(
          await page.$$eval(
            "tr.gap",
            (rows) =>
              rows.map((r) => `${r.getAttribute("data-first")}-${r.getAttribute("data-last")}`),
          ),
          ["203.0.113.2-203.0.113.9", "203.0.113.12-203.0.113.254"],
        );
        await page.waitForSelector('[data-testid="live-connection"][data-connected="true"]');
        await shot("subnet-desktop");
        a11y.push(...await axeCheck(page, "subnet page"));

        // 4. The server host's drawer: scan its ports now, the open port chip appears.
        let drawer = await openDrawer(page, SERVER_IP);
        assert.equal(await drawer.locator("#drawer-title").innerText(), SERVER_IP);
        assert.ok(
          await page.evaluate(() => document.activeElement?.closest(".drawer") !== null),
          "focus moves into the drawer",
        );
        // Name sources are listed, strongest first (nothing named this host yet).
        const sources = drawer.locator('[data-testid="name-sources"] [data-source]');
        assert.deepEqual(
          await sources.evaluateAll((els) => els.map((e) => e.getAttribute("data-source"))),
          ["override", "ptr", "entered", "snmp"],
        );
        await drawer.locator('[data-testid="portscan-now"]').click();
        const chip = drawer.locator('[data-testid="port-chips"] li[data-port="8080"]');
        await chip.waitFor({ timeout: 90_000 });
        assert.match(await chip.innerText(), /^8080\/\S+/);
        const product = await chip.getAttribute("title");
        assert.ok(product && product !== "no version information", `version info: ${product}`);
        await chip.hover();
        await shot("drawer-desktop");
        a11y.push(...await axeCheck(page, "drawer"));

        // Esc closes it and gives focus back to the row.
        await page.keyboard.press("Escape");
        await drawer.waitFor({ state: "detached" });
        assert.equal(
          await page.evaluate(() => document.activeElement?.getAttribute("data-ip")),
          SERVER_IP,
        );

        // 5. The dashboard: "Alive now" with the service filter in the URL, and the keys.
        await page.goto(`${url}/`);
        const alive = page.locator('[data-testid="alive-table"]');
        assert.equal(await alive.locator("tr[data-host-id]").count(), 3);
        const rowChip = await page.locator(`tr[data-ip="${SERVER_IP}"] .chip`).first().innerText();
        assert.match(rowChip, /^8080\/\S+$/, "the dashboard row shows the open port");
        const service = rowChip.split("/")[1];
        await page.waitForSelector('form#alive-filters[data-enhanced="true"]');
        await Promise.all([
          page.waitForURL((u) => u.searchParams.get("service") === service),
          page.selectOption("#alive-service", service),
        ]);
        assert.deepEqual(
          await alive.locator("tr[data-host-id]").evaluateAll((rows) =>
            rows.map((r) => r.getAttribute("data-ip"))
          ),
          [SERVER_IP],
          "only the host running the service",
        );
        await page.goto(`${url}/`);
        await page.waitForSelector('html[data-keyboard-nav="ready"][data-host-drawer="ready"]');
        await page.keyboard.press("j");
        await page.keyboard.press("j");
        assert.equal(
          await page.evaluate(() => document.activeElement?.getAttribute("data-ip")),
          SERVER_IP,
          "j moves down the list (.1, then .10)",
        );
        await page.keyboard.press("k");
        await page.keyboard.press("j");
        await page.keyboard.press("Enter");
        drawer = page.locator('[data-testid="host-drawer"]');
        await drawer.locator(".host-detail").waitFor();
        assert.equal(
          await drawer.getAttribute("data-host-id"),
          await page.getAttribute(
            `tr[data-ip="${SERVER_IP}"]`,
            "data-host-id",
          ),
        );
        await page.keyboard.press("Escape");
        await drawer.waitFor({ state: "detached" });
        // Keys are ignored while the drawer is open; wait until it has fully let go.
        await page.waitForFunction(() =>
          !document.documentElement.classList.contains("drawer-open")
        );
        await page.keyboard.press("?");
        await page.waitForSelector('[data-testid="keys-dialog"][open]');
        await page.keyboard.press("Escape");
        await page.waitForSelector('[data-testid="keys-dialog"]:not([open])', {
          state: "attached",
        });
        await shot("dashboard-desktop");
        a11y.push(...await axeCheck(page, "dashboard"));

        // 6. Hostile strings in a drawer stay text (the same as the HTML pages, tested over HTTP).
        const quiet = await server.deps.db.query<{ id: number }>(
          `update host set hostname_override = $1, description = $1, notes = $1, tags = $2::text[]
           where ip = $3::inet returning id`,
          [HOSTILE, [HOSTILE], QUIET_IP],
        );
        assert.equal(quiet.length, 1);
        await page.goto(subnetUrl);
        drawer = await openDrawer(page, QUIET_IP);
        assert.equal(await drawer.locator("#drawer-title").innerText(), HOSTILE);
        assert.equal(await drawer.locator("script, img").count(), 0);
        assert.equal(
          await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned),
          undefined,
        );
        await page.keyboard.press("Escape");

        // 7. The server host goes down. With its drawer open, the next sweep flips the pill
        //    (live, over SSE) and the drawer reloads: Down, a "down" event, uptime below 100 %.
        drawer = await openDrawer(page, SERVER_IP);
        await lab.hostDown(SERVER_IP);
        await drawer.locator('[data-testid="hd-status"] .pill-down').waitFor({ timeout: 90_000 });
        assert.equal(
          await page.getAttribute(`tr[data-ip="${SERVER_IP}"] .pill`, "class"),
          "pill pill-down",
          "the row's pill flipped without a reload",
        );
        const down = drawer.locator('[data-testid="host-events"] li[data-kind="down"]');
        await down.waitFor();
        assert.match(await down.innerText(), /Went down after \d+[smh] up/);
        const ratio = Number(
          await drawer.locator('[data-testid="uptime-24h"]').getAttribute(
            "data-ratio",
          ),
        );
        assert.ok(ratio > 0 && ratio < 1, `uptime 24 h below 100 %: ${ratio}`);
        const downBuckets = Number(
          await drawer.locator('[data-testid="sparkline"]').getAttribute("data-down-buckets"),
        );
        assert.ok(downBuckets >= 1, "the sparkline marks the outage");
        assert.ok(await drawer.locator("rect.spark-partial, rect.spark-down").count() >= 1);
        await shot("drawer-down-desktop");

        // 8. Phones (375 px): dashboard, subnet page, drawer, host page.
        await page.keyboard.press("Escape");
        await page.setViewportSize(PHONE);
        await page.goto(`${url}/#alive`);
        await shot("dashboard-375", true);
        const overflow = await page.evaluate(() =>
          document.documentElement.scrollWidth - document.documentElement.clientWidth
        );
        assert.ok(
          overflow <= 0,
          `the dashboard fits 375 px without sideways scrolling (${overflow})`,
        );
        await page.goto(subnetUrl);
        await shot("subnet-375", true);
        drawer = await openDrawer(page, SERVER_IP);
        const box = await drawer.boundingBox();
        assert.ok(box && box.width <= PHONE.width && box.x >= 0, "the drawer fits the screen");
        await shot("drawer-375");
        a11y.push(...await axeCheck(page, "drawer at 375 px"));
        const hostId = await drawer.getAttribute("data-host-id");
        await page.goto(`${url}/hosts/${hostId}`);
        await shot("host-page-375", true);
        a11y.push(...await axeCheck(page, "host page"));

        assert.deepEqual(a11y, [], "no serious or critical accessibility violations");
        assert.deepEqual(errors, [], "no console errors (CSP, hydration, fetch)");
        await context.close();
      } finally {
        await browserClose?.();
        await server?.stop();
        await lab.destroy();
      }
    },
  });
}
