// Browser: on a host's page, save v2c SNMP settings (the community is never shown back), press
// "Read now" against a real snmpd on loopback, and see the sysName become the shown name.
import assert from "node:assert/strict";
import { launchBrowser, loginInBrowser } from "@/tests/support/browser.ts";
import { startTestServer } from "@/tests/support/test_server.ts";
import { ENGINES } from "@/tests/support/test_db.ts";
import { freeUdpPort, startSnmpd } from "@/tests/support/snmpd.ts";
import {
  createHost,
  createSubnet,
  HostInputSchema,
  SubnetInputSchema,
} from "@/services/ipam/mod.ts";

const PASSWORD = "e2e-admin-password";
const COMMUNITY = "e2e-community-7";

for (const engine of ENGINES) {
  Deno.test({
    name: `host page: SNMP settings form and Read now name the host [${engine}]`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const port = freeUdpPort();
      await using _agent = await startSnmpd({
        host: "127.0.0.1",
        port,
        sysName: "e2e-agent.example",
        community: COMMUNITY,
      });
      const server = await startTestServer(engine, {
        ADMIN_PASSWORD: PASSWORD,
        SNMP_TIMEOUT_MS: "500",
        SNMP_RETRIES: "0",
      });
      const { browser, close } = await launchBrowser();
      try {
        await createSubnet(server.deps.db, SubnetInputSchema.parse({ cidr: "127.0.0.0/29" }));
        const host = await createHost(server.deps.db, HostInputSchema.parse({ ip: "127.0.0.1" }));
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on("pageerror", (e) => errors.push(String(e)));
        await loginInBrowser(page, server.url, "admin", PASSWORD);
        await page.goto(`${server.url}/hosts/${host.id}`);
        const form = page.locator('[data-testid="snmp-form"]');
        assert.match(await form.innerText(), /No SNMP settings apply to this host yet/);
        assert.ok(await form.locator('[data-testid="snmp-read-now"]').isDisabled());

        await page.locator('[data-testid="snmp-form"][data-ready]').waitFor();
        await form.locator(`input[name="port"]`).fill(String(port));
        await form.locator(`input[name="community"]`).fill(COMMUNITY);
        await Promise.all([
          page.waitForEvent("load"),
          form.locator('button[type="submit"]').click(),
        ]);
        const saved = page.locator('[data-testid="snmp-form"][data-ready]');
        await saved.getByText("This host's own settings are used.").waitFor();
        assert.equal(await saved.locator('input[name="community"]').inputValue(), "");
        assert.match(await saved.innerText(), /Stored; leave blank to keep it/);
        assert.ok(!(await page.content()).includes(COMMUNITY), "the community is never sent back");

        // Read now: the page reloads with SNMP as the shown name.
        await Promise.all([
          page.waitForEvent("load"),
          saved.locator('[data-testid="snmp-read-now"]').click(),
        ]);
        await page.locator('[data-source="snmp"] [data-testid="name-winner"]').waitFor();
        assert.match(await page.locator("h1").innerText(), /e2e-agent\.example/);
        assert.match(
          await page.locator('[data-testid="snmp-poll"]').innerText(),
          /^Last SNMP read\s+ok/,
        );
        assert.deepEqual(errors, []);
      } finally {
        await close();
        await server.stop();
      }
    },
  });
}
