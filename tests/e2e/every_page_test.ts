// Every page of the route manifest (routes.gen.ts), in real Chromium at 1366 and 390 px, on both
// engines: axe-core finds nothing serious or critical, and at 390 px the page itself never
// scrolls sideways. Pages come from the manifest, so a page added later is covered without
// touching this file; a new page with a path parameter fails until it gets a sample URL below.
import assert from "node:assert/strict";
import { routes } from "@/routes.gen.ts";
import { artifactPath, launchBrowser, loginInBrowser } from "@/tests/support/browser.ts";
import { startTestServer } from "@/tests/support/test_server.ts";
import { ENGINES } from "@/tests/support/test_db.ts";
import { axeCheck, overflowCheck } from "@/tests/support/axe.ts";
import { loginOverHttp } from "@/tests/support/main_process.ts";

const PASSWORD = "every-page-test-password";
const WIDTHS = [{ width: 1366, height: 900 }, { width: 390, height: 844 }];
/** Pages seen logged out (a logged-in visit redirects away from them). */
const LOGGED_OUT = new Set(["/login"]);

interface Fixture {
  subnetId: number;
  hostId: number;
  organizationId: number;
  serverId: number;
  scanId: number;
}

/** A concrete URL for each manifest page with a path parameter, from the fixture's rows. */
const SAMPLES: Record<string, (f: Fixture) => string> = {
  "/hosts/:id": (f) => `/hosts/${f.hostId}`,
  "/subnets/:id": (f) => `/subnets/${f.subnetId}`,
  // JSON for the subnet page's live island: fetched to prove it answers, skipped as not a page.
  "/subnets/:id/rows": (f) => `/subnets/${f.subnetId}/rows`,
  "/inventory/organizations/:id": (f) => `/inventory/organizations/${f.organizationId}`,
  "/inventory/servers/:id": (f) => `/inventory/servers/${f.serverId}`,
  "/operations/scans/:id": (f) => `/operations/scans/${f.scanId}`,
};

/** Pages the manifest does not spell out but users reach: states worth checking too. */
const EXTRA = ["/subnets?q=zzz", "/search?q=127.0.0"];

/** GET pages of the manifest (POST-only form actions have no GET). */
export function manifestPages(): string[] {
  return routes
    .filter((r) => !r.api && typeof (r.module as Record<string, unknown>).GET === "function")
    .map((r) => r.path);
}

async function apiClient(url: string) {
  const { cookie, csrf: csrf_token } = await loginOverHttp(url, "admin", PASSWORD);
  return async (path: string, json: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method: "POST",
      headers: { cookie, "x-csrf-token": csrf_token, "content-type": "application/json" },
      body: JSON.stringify(json),
    });
    const body = await res.json();
    assert.ok(res.status < 300, `${path}: ${res.status} ${JSON.stringify(body)}`);
    return body;
  };
}

async function makeFixture(url: string): Promise<Fixture> {
  const post = await apiClient(url);
  const subnet = await post("/api/v1/subnets", {
    cidr: "127.0.0.0/24",
    name: "Loopback lab",
    description: "a subnet with a long description that must wrap on a phone, not overflow it",
  });
  await post("/api/v1/subnets", { cidr: "127.0.1.0/24", name: "Second" });
  const host = await post("/api/v1/hosts", {
    ip: "127.0.0.5",
    hostname: "a-rather-long-hostname-for-the-phone-layout.lab.example",
    mac: "00:00:5e:00:53:01",
    tags: ["lab", "phone-width"],
  });
  await post("/api/v1/hosts", { ip: "127.0.0.9" });
  const org = await post("/api/v1/organizations", { name: "Acme", code: "acme" });
  const server = await post("/api/v1/servers", {
    name: "web1",
    organization_id: org.id,
    addresses: ["127.0.0.5"],
  });
  const scan = await post("/api/v1/scans/ping", { target: "127.0.0.1" });
  return {
    subnetId: subnet.id,
    hostId: host.id,
    organizationId: org.id,
    serverId: server.id,
    scanId: scan.id,
  };
}

const slug = (path: string) =>
  path.replace(/^\/$/, "dashboard").replace(/^\//, "").replace(/[^a-z0-9]+/gi, "-");

for (const engine of ENGINES) {
  Deno.test({
    name: `every page passes axe-core and fits a 390 px phone [${engine}]`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const server = await startTestServer(engine, { ADMIN_PASSWORD: PASSWORD });
      const { browser, close } = await launchBrowser();
      try {
        const fixture = await makeFixture(server.url);
        const pages = manifestPages();
        const missing = pages.filter((p) => p.includes(":") && !SAMPLES[p]);
        assert.deepEqual(missing, [], "add a sample URL to SAMPLES for these new pages");
        const urls = [...pages.map((p) => SAMPLES[p]?.(fixture) ?? p), ...EXTRA];
        const problems: string[] = [];
        for (const viewport of WIDTHS) {
          const context = await browser.newContext({ viewport });
          const page = await context.newPage();
          const errors: string[] = [];
          page.on("pageerror", (e) => errors.push(String(e)));
          const anon = await browser.newContext({ viewport });
          const anonPage = await anon.newPage();
          await loginInBrowser(page, server.url, "admin", PASSWORD);
          for (const path of urls) {
            const p = LOGGED_OUT.has(path) ? anonPage : page;
            const res = await p.goto(`${server.url}${path}`);
            const type = res?.headers()["content-type"] ?? "";
            if (!type.startsWith("text/html")) continue; // /health and other JSON answers
            const where = `${path} @${viewport.width}`;
            if (res!.status() >= 400) problems.push(`${where}: HTTP ${res!.status()}`);
            problems.push(...await axeCheck(p, where));
            if (viewport.width < 500) problems.push(...await overflowCheck(p, where));
            await p.screenshot({
              path: await artifactPath(`pages-${slug(path)}-${viewport.width}-${engine}.png`),
              fullPage: true,
            });
          }
          if (viewport.width < 500) {
            // The new-token box and its Revoke button used to push the phone's page sideways.
            await page.goto(`${server.url}/settings`);
            await page.fill("#token-name", "a token with a long name for the phone layout");
            await Promise.all([
              page.waitForNavigation(),
              page.click('form[action="/settings/tokens"] button'),
            ]);
            await page.locator('[data-testid="new-token"]').waitFor();
            problems.push(...await overflowCheck(page, "/settings (new token) @390"));
            await page.screenshot({
              path: await artifactPath(`pages-settings-new-token-390-${engine}.png`),
              fullPage: true,
            });
            // The phone's navigation is one row that scrolls, and shows it: edge shadows.
            const nav = await page.evaluate(() => {
              const ul = document.querySelector('header nav[aria-label="Main"] ul')!;
              return {
                scrolls: ul.scrollWidth > ul.clientWidth,
                overflow: getComputedStyle(ul).overflowX,
                cue: getComputedStyle(ul).backgroundImage.includes("gradient"),
              };
            });
            assert.deepEqual(nav, { scrolls: true, overflow: "auto", cue: true });
          }
          problems.push(...errors.map((e) => `@${viewport.width}: page error ${e}`));
          await context.close();
          await anon.close();
        }
        // At 1280 px the whole navigation fits on one line, Import included.
        const desk = await browser.newContext({ viewport: { width: 1280, height: 800 } });
        const dp = await desk.newPage();
        await loginInBrowser(dp, server.url, "admin", PASSWORD);
        const line = await dp.evaluate(() => {
          const items = [...document.querySelectorAll('header nav[aria-label="Main"] li')];
          return {
            tops: [...new Set(items.map((li) => Math.round(li.getBoundingClientRect().top)))],
            labels: items.map((li) => li.textContent?.trim()),
          };
        });
        await dp.screenshot({ path: await artifactPath(`pages-nav-1280-${engine}.png`) });
        assert.equal(line.tops.length, 1, `nav wraps at 1280 px: ${JSON.stringify(line)}`);
        assert.ok(line.labels.includes("Import"), "Import is in the main navigation");
        await desk.close();
        assert.deepEqual(problems, [], problems.join("\n"));
      } finally {
        await close();
        await server.stop();
      }
    },
  });
}
