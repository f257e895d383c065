// Browser: the dashboard shows what is wrong first and stays true live; hosts can be pinged, edited,
// moved and deleted in one click from the rows, the drawer and the host page. Sweeps and pings are
// real (fping on loopback); the down flip is written and published the way a sweep does it, since
// loopback addresses cannot be taken down.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { artifactPath, launchBrowser, loginInBrowser } from "@/tests/support/browser.ts";
import { startTestServer } from "@/tests/support/test_server.ts";
import { ENGINES } from "@/tests/support/test_db.ts";
import { sweepSubnet, writeObservations } from "@/services/sweeps/mod.ts";

const PASSWORD = "e2e-cockpit-password";

async function noOverflow(page: Page, what: string) {
  const wide = await page.evaluate(() =>
    document.documentElement.scrollWidth - document.documentElement.clientWidth
  );
  assert.ok(wide <= 1, `${what}: the page scrolls sideways by ${wide} px`);
}

for (const engine of ENGINES) {
  Deno.test({
    name: `dashboard cockpit: what is wrong first, live, one-click host actions [${engine}]`,
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
        const subnet = async (cidr: string, name: string) =>
          (await db.query<{ id: number }>(
            `insert into subnet (cidr, name) values ($1, $2) returning id`,
            [cidr, name],
          ))[0].id;
        const live = await subnet("127.0.9.0/29", "live");
        const many = await subnet("127.0.10.0/26", "many");
        await subnet("127.0.11.0/29", "spare");
        const d = server.deps.services.sweeps;
        assert.equal((await sweepSubnet(d.env, live, { trigger: "manual" })).hosts_up, 6);
        assert.equal((await sweepSubnet(d.env, many, { trigger: "manual" })).hosts_up, 62);
        const idOf = async (ip: string) =>
          (await db.query<{ id: number }>(`select id from host where ip = $1::inet`, [ip]))[0].id;

        const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
        const errors: string[] = [];
        // The refused MAC below is a 422 on purpose; the browser logs every failed fetch.
        page.on(
          "console",
          (m) => m.type() === "error" && !/status of 422/.test(m.text()) && errors.push(m.text()),
        );
        page.on("pageerror", (e) => errors.push(String(e)));
        await loginInBrowser(page, server.url, "admin", PASSWORD);
        await page.goto(`${server.url}/`);
        await page.waitForSelector('[data-testid="live-connection"][data-connected="true"]');

        // What is wrong first: totals, nothing down, counts per subnet; the form is behind a button.
        assert.equal(
          await page.innerText('[data-testid="totals"]'),
          "3 subnets · 68 hosts: 68 up, 0 down, 0 unknown",
        );
        assert.equal(await page.innerText('[data-testid="down-empty"]'), "Nothing is down.");
        const liveRow = '[data-testid="subnet-status"] tr[data-subnet-id="' + live + '"]';
        assert.equal(await page.innerText(`${liveRow} [data-col="up"]`), "6");
        assert.equal(await page.getAttribute('[data-testid="add-subnet"]', "open"), null);
        const downTop = await page.locator("#down").boundingBox();
        assert.ok(downTop && downTop.y < 400, `"Down now" is above the fold (y=${downTop?.y})`);
        // One page of alive hosts, not 68 rows.
        assert.equal(await page.locator("#alive-table tbody tr").count(), 50);
        assert.equal(await page.innerText('[data-testid="ap-pages"]'), "Page 1 of 2");
        assert.match(await page.innerText('[data-testid="alive-count"]'), /Showing 50 of 68/);
        await page.screenshot({
          path: await artifactPath(`dashboard-1366-${engine}.png`),
          fullPage: true,
        });

        // .3 goes down: it leaves "Alive now", enters "Down now", and every count follows.
        const t = Date.now();
        const [flip] = await writeObservations(kv, [
          { ip: "127.0.9.3", up: false, latencyMs: null, method: "fping" },
        ], t);
        assert.ok(flip.flipped);
        d.live.publish({
          type: "hosts",
          changes: [{
            ip: "127.0.9.3",
            host_id: await idOf("127.0.9.3"),
            subnet_id: live,
            up: false,
            prev_up: true,
            latency_ms: null,
            since: t,
            last_seen: flip.next.last_seen,
            method: "fping",
            checked_at: t,
          }],
        });
        await page.waitForSelector('[data-testid="down-now"] li[data-down-ip="127.0.9.3"]');
        const downLine = await page.innerText(
          '[data-testid="down-now"] li[data-down-ip="127.0.9.3"]',
        );
        assert.match(downLine, /down for \d+s/);
        assert.match(downLine, /last answer \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
        assert.match(downLine, /last latency \d/);
        assert.equal(await page.locator('#alive-table tr[data-ip="127.0.9.3"]').count(), 0);
        await page.waitForFunction(() =>
          document.querySelector('[data-testid="alive-now"] strong')?.textContent === "67"
        );
        assert.equal(await page.innerText(`${liveRow} [data-col="down"]`), "1");
        assert.equal(
          await page.innerText(`#subnet-${live} [data-col="alive"]`),
          "5",
          "the subnet table's alive count follows",
        );
        assert.match(await page.innerText('[data-testid="totals"]'), /67 up, 1 down/);

        // Ping now from a row: progress, then the answer; the drawer does not open.
        const rowPing = page.locator(
          '#alive-table tr[data-ip="127.0.9.4"] [data-testid="ping-now"]',
        );
        await rowPing.click();
        const rowResult = page.locator(
          '#alive-table tr[data-ip="127.0.9.4"] [data-testid="ping-result"][data-state="done"]',
        );
        await rowResult.waitFor();
        assert.match(await rowResult.innerText(), /^Answered in [\d.]+ ms\.$/);
        assert.equal(await page.locator('[data-testid="host-drawer"]').count(), 0);

        // The drawer: Ping now, then a name saved there shows in the row behind it.
        await page.click('#alive-table tr[data-ip="127.0.9.5"] td:nth-child(3)');
        const drawer = page.locator('[data-testid="host-drawer"][data-state="ready"]');
        await drawer.waitFor();
        await drawer.locator('[data-testid="ping-now"]').click();
        await drawer.locator('[data-testid="ping-result"][data-state="done"]').waitFor();
        const id5 = await idOf("127.0.9.5");
        await drawer.locator(`#host-${id5}-hostname_override`).fill("printer-5");
        await drawer.locator('[data-testid="host-edit-form"] button[type="submit"]').click();
        await page.waitForFunction(() =>
          document.querySelector(
            '#alive-table tr[data-ip="127.0.9.5"] td:nth-child(3) [data-field="name"]',
          )?.textContent === "printer-5"
        );
        // MAC: a bad one is refused in words, a good one saved.
        await drawer.locator(`#host-${id5}-mac`).fill("not-a-mac");
        await drawer.locator('[data-testid="mac-form"] button[type="submit"]').click();
        await drawer.locator('[data-testid="mac-status"][data-state="error"]').waitFor();
        await drawer.locator(`#host-${id5}-mac`).fill("02:00:00:00:00:05");
        await drawer.locator('[data-testid="mac-form"] button[type="submit"]').click();
        await drawer.locator('[data-testid="mac-status"][data-state="ok"]').waitFor();
        const [{ mac }] = await db.query<{ mac: string }>(
          `select mac::text as mac from host where id = $1`,
          [id5],
        );
        assert.equal(mac, "02:00:00:00:00:05");
        // Port scan with a typed port list: a bad list is refused in words, a good one scans.
        await drawer.locator(`#host-${id5}-scan-choice`).selectOption("custom");
        await drawer.locator(`#host-${id5}-scan-ports`).fill("22,99999");
        await drawer.locator('[data-testid="portscan-now"]').click();
        assert.match(
          await drawer.locator('[data-testid="portscan-status"][data-state="error"]').innerText(),
          /Ports go from 1 to 65535/,
        );
        await drawer.locator(`#host-${id5}-scan-ports`).fill("1-2");
        await drawer.locator('[data-testid="portscan-now"]').click();
        await drawer.locator('[data-testid="portscan-status"][data-state="done"]').waitFor({
          timeout: 60_000,
        });
        assert.match(
          await drawer.locator('[data-testid="portscan-status"]').innerText(),
          /Scan finished: 0 open ports/,
        );
        await page.screenshot({ path: await artifactPath(`dashboard-drawer-1366-${engine}.png`) });

        // Delete from the drawer, after a confirmation: the drawer closes and the row goes.
        await drawer.locator('[data-testid="delete-host-start"]').click();
        await drawer.locator('[data-testid="delete-host-confirm"]').click();
        await page.locator('[data-testid="host-drawer"]').waitFor({ state: "detached" });
        assert.equal(await page.locator('#alive-table tr[data-ip="127.0.9.5"]').count(), 0);
        assert.equal(
          (await db.query(`select 1 from host where id = $1`, [id5])).length,
          0,
        );

        // The host page: Ping now, then move the host to another subnet.
        const id6 = await idOf("127.0.9.6");
        await page.goto(`${server.url}/hosts/${id6}`);
        // Few checks so far: the sparkline says how many.
        assert.match(await page.innerText('[data-testid="sparkline"]'), /only \d checks? so far/);
        // Live cells: a new observation rewrites Latency, Last seen and the pill's badge.
        await page.waitForSelector('[data-testid="live-connection"][data-connected="true"]');
        const t6 = Date.now();
        d.live.publish({
          type: "hosts",
          changes: [{
            ip: "127.0.9.6",
            host_id: id6,
            subnet_id: live,
            up: true,
            prev_up: true,
            latency_ms: 7.5,
            since: t6 - 60_000,
            last_seen: t6,
            method: "fping",
            checked_at: t6,
          }],
        });
        await page.waitForFunction(() =>
          document.querySelector('[data-live="latency"]')?.textContent === "7.5 ms"
        );
        assert.equal(await page.innerText('[data-testid="hd-status"] .pill-latency'), "7.5 ms");
        assert.match(await page.innerText('[data-live="last-seen"]'), /^just now · /);
        await page.click('[data-testid="ping-now"]');
        await page.locator('[data-testid="ping-result"][data-state="done"]').waitFor();
        assert.match(await page.innerText('[data-testid="ping-result"]'), /^Answered in/);
        await page.fill(`#host-${id6}-move-q`, "spare");
        await page.click('[data-testid="move-search"]');
        await page.click('[data-testid="move-host"] button[data-subnet-id]');
        await page.waitForFunction(
          (id) =>
            (document.getElementById(`host-${id}-move-ip`) as HTMLInputElement | null)?.value ===
              "127.0.11.1",
          id6,
        );
        await Promise.all([
          page.waitForNavigation(),
          page.click('[data-testid="move-submit"]'),
        ]);
        assert.match(await page.innerText('[data-testid="hd-ip"], h1'), /127\.0\.11\.1/);

        // The scanner page lists the nmap run with its port list.
        await page.goto(`${server.url}/scanner`);
        const scanRow = page.locator('[data-testid="portscans-table"] tbody tr').first();
        assert.match(await scanRow.innerText(), /127\.0\.9\.5[\s\S]*ports 1-2[\s\S]*succeeded/);

        // The phone: nothing scrolls sideways, the board still comes first.
        await page.setViewportSize({ width: 375, height: 740 });
        await page.goto(`${server.url}/`);
        await page.waitForSelector('[data-testid="down-now"]');
        await noOverflow(page, "dashboard at 375 px");
        await page.setViewportSize({ width: 390, height: 844 });
        await page.goto(`${server.url}/`);
        await page.waitForSelector('[data-testid="down-now"]');
        await noOverflow(page, "dashboard at 390 px");
        await page.screenshot({
          path: await artifactPath(`dashboard-390-${engine}.png`),
          fullPage: true,
        });
        await page.goto(`${server.url}/hosts/${id6}`);
        await noOverflow(page, "host page at 390 px");
        await page.screenshot({
          path: await artifactPath(`host-page-390-${engine}.png`),
          fullPage: true,
        });
        // Delete from the host page: after the confirmation it lands on the dashboard, which says so.
        await page.goto(`${server.url}/hosts/${await idOf("127.0.9.4")}`);
        await page.click('[data-testid="delete-host-start"]');
        await Promise.all([
          page.waitForURL(/\/\?deleted=/),
          page.click('[data-testid="delete-host-confirm"]'),
        ]);
        assert.equal(
          await page.innerText('[data-testid="deleted-notice"]'),
          "Host 127.0.9.4 deleted.",
        );
        assert.deepEqual(errors, [], "no console errors (CSP, hydration, EventSource)");
      } finally {
        await close();
        await server.stop();
      }
    },
  });
}
