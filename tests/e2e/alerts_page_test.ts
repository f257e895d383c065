// Browser: on /alerts an admin adds a target and a rule, presses Send test and sees the delivery
// succeed in the log (a real receiver on loopback got it, signed); /events shows new events live.
import assert from "node:assert/strict";
import { artifactPath, launchBrowser, loginInBrowser } from "@/tests/support/browser.ts";
import { startTestServer } from "@/tests/support/test_server.ts";
import { ENGINES } from "@/tests/support/test_db.ts";
import { startReceiver } from "@/tests/support/webhook_receiver.ts";

const PASSWORD = "e2e-alerts-password";

for (const engine of ENGINES) {
  Deno.test({
    name: `/alerts: create a target and a rule, Send test, see it in the delivery log [${engine}]`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const rx = startReceiver();
      const server = await startTestServer(engine, {
        ADMIN_PASSWORD: PASSWORD,
        ALERT_TARGET_ALLOW: "127.0.0.1/32",
        NETFLOW_ENABLED: "0",
      }, { background: true });
      const { browser, close } = await launchBrowser();
      try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        const errors: string[] = [];
        page.on("pageerror", (e) => errors.push(String(e)));
        await loginInBrowser(page, server.url, "admin", PASSWORD);
        await page.goto(`${server.url}/alerts`);

        const targetForm = page.locator('form[action="/alerts/targets"]');
        await targetForm.locator('input[name="name"]').fill("loopback receiver");
        await targetForm.locator('select[name="kind"]').selectOption("webhook");
        await targetForm.locator('input[name="url"]').fill(rx.url);
        await Promise.all([page.waitForNavigation(), targetForm.locator("button").click()]);
        assert.match(await page.locator("[data-testid=new-secret]").innerText(), /^whsec_/);
        const row = page.locator("[data-testid=targets] tbody tr", {
          hasText: "loopback receiver",
        });
        await row.waitFor();

        const ruleForm = page.locator('form[action="/alerts/rules"]');
        await ruleForm.locator('input[name="name"]').fill("everything down");
        await ruleForm.locator('input[name="down_after"]').fill("3");
        await ruleForm.getByLabel("loopback receiver").check();
        await Promise.all([
          page.waitForNavigation(),
          ruleForm.locator('button[type="submit"]').click(),
        ]);
        const rule = page.locator("[data-testid=rules] tbody tr", { hasText: "everything down" });
        await rule.waitFor();
        assert.match(await rule.innerText(), /host_down, host_up/);
        assert.match(await rule.innerText(), /3 misses/);
        assert.match(await rule.innerText(), /loopback receiver/);

        await Promise.all([
          page.waitForNavigation(),
          page.locator("[data-testid=targets] tbody tr", { hasText: "loopback receiver" })
            .getByRole("button", { name: "Send test" }).click(),
        ]);
        assert.match(page.url(), /\/alerts\?target=\d+#deliveries$/);
        // The worker runs in the server's background; reload until the log shows the outcome.
        let status = "";
        for (let i = 0; i < 50; i++) {
          const first = page.locator("[data-testid=deliveries] tbody tr").first();
          status = (await first.getAttribute("data-status").catch(() => "")) ?? "";
          if (status === "succeeded") break;
          await page.waitForTimeout(200);
          await page.reload();
        }
        assert.equal(status, "succeeded");
        const logRow = page.locator("[data-testid=deliveries] tbody tr").first();
        assert.match(await logRow.innerText(), /test/);
        assert.match(await logRow.innerText(), /200/);
        assert.match(await logRow.innerText(), /1 \/ 8/);
        assert.equal(rx.received.length, 1);
        assert.equal(rx.received[0].headers.get("x-pingfold-event"), "test");
        assert.match(
          rx.received[0].headers.get("x-pingfold-signature") ?? "",
          /^sha256=[0-9a-f]{64}$/,
        );
        await page.screenshot({
          path: await artifactPath(`alerts-page-${engine}.png`),
          fullPage: true,
        });

        // The events feed shows an event recorded while it is open, without a reload.
        await page.goto(`${server.url}/events`);
        await page.locator('[data-testid=event-feed] [data-connected="true"]').waitFor();
        const [s] = await server.deps.db.query<{ id: number }>(
          `insert into subnet (cidr, name) values ('10.72.0.0/24', 'e2e') returning id`,
        );
        await server.deps.services.alerts.record(server.deps.db, [{
          kind: "scan_failing",
          ts: Date.now(),
          hostId: null,
          subnetId: s.id,
          detail: { scan: "sweep", target: "10.72.0.0/24", failures: 3, last_error: null },
        }]);
        const live = page.locator("#event-rows tr", {
          hasText: "sweep of 10.72.0.0/24 failed 3 times",
        });
        await live.waitFor({ timeout: 10_000 });
        assert.deepEqual(errors, []);
      } finally {
        await close();
        await server.stop();
        await rx.close();
      }
    },
  });
}
