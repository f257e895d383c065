// Browser, both engines, at 1366 and 390 px: an admin manages users in Settings by clicking —
// create, change the role, reset the password, disable — and each click shows at the login form:
// the reset password works (and forces a change), the old one and a disabled user do not.
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { artifactPath, launchBrowser, loginInBrowser } from "@/tests/support/browser.ts";
import { axeCheck, overflowCheck } from "@/tests/support/axe.ts";
import { startTestServer } from "@/tests/support/test_server.ts";
import { ENGINES } from "@/tests/support/test_db.ts";

const PASSWORD = "e2e-users-admin-password";
const WIDTHS = [
  { width: 1366, height: 900 },
  { width: 390, height: 844 },
] as const;

/** Submits a settings form by its button and waits for the page the POST answers. */
async function submit(page: Page, button: ReturnType<Page["locator"]>) {
  await Promise.all([page.waitForNavigation(), button.click()]);
}

/** The users section's notice after a POST, and no error beside it. */
async function notice(page: Page): Promise<string> {
  assert.equal(await page.locator('[data-testid="users-error"]').count(), 0);
  return await page.locator('[data-testid="users-notice"]').innerText();
}

/** A fresh browser session for `username`; the page it lands on. */
async function userLogin(browser: Browser, url: string, username: string, password: string) {
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  await loginInBrowser(page, url, username, password);
  return page;
}

async function refused(browser: Browser, url: string, username: string, password: string) {
  const page = await userLogin(browser, url, username, password);
  try {
    assert.equal(new URL(page.url()).pathname, "/login", `${username} must not get in`);
    assert.match(
      await page.locator('section[aria-labelledby="login-title"] [role="alert"]').innerText(),
      /\S/,
    );
  } finally {
    await page.context().close();
  }
}

for (const engine of ENGINES) {
  Deno.test({
    name: `settings users: create, role, reset password, disable, by clicking [${engine}]`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const server = await startTestServer(engine, {
        ADMIN_PASSWORD: PASSWORD,
        PTR_LOOKUP_ENABLED: "0",
        // Each width makes two refused logins on purpose; the limiter is not under test here.
        LOGIN_MAX_ATTEMPTS: "50",
        LOGIN_SLOWDOWN_MAX_MS: "0",
      });
      const { browser, close } = await launchBrowser();
      const a11y: string[] = [];
      try {
        const admin = await browser.newPage();
        const errors: string[] = [];
        admin.on("console", (m) => m.type() === "error" && errors.push(m.text()));
        admin.on("pageerror", (e) => errors.push(String(e)));
        await loginInBrowser(admin, server.url, "admin", PASSWORD);

        for (const viewport of WIDTHS) {
          const w = viewport.width;
          const who = `user${w}`;
          const first = `first-pass-${w}-abc`;
          const own = `own-pass-${w}-abcd`;
          const reset = `reset-pass-${w}-abc`;
          const shot = async (what: string) =>
            await admin.screenshot({
              path: await artifactPath(`settings-users-${what}-${w}-${engine}.png`),
              fullPage: true,
            });
          await admin.setViewportSize(viewport);
          await admin.goto(`${server.url}/settings`);

          // Create: an editor with a first password.
          const create = admin.locator('form:has(input[name="_action"][value="create"])');
          await create.locator('input[name="username"]').fill(who);
          await create.locator('input[name="password"]').fill(first);
          await create.locator('select[name="role"]').selectOption("editor");
          await submit(admin, create.locator('button[type="submit"]'));
          assert.match(await notice(admin), new RegExp(`^User ${who} created as editor`));
          const row = admin.locator(`tr[data-user="${who}"]`);
          assert.equal(await row.locator('select[name="role"]').inputValue(), "editor");
          assert.equal(await row.locator("td").nth(3).innerText(), "active");
          a11y.push(...await axeCheck(admin, `users notice at ${w} px`));
          a11y.push(...await overflowCheck(admin, `settings at ${w} px`));
          await shot("created");

          // Role: editor → viewer.
          await row.locator('select[name="role"]').selectOption("viewer");
          await submit(admin, row.getByRole("button", { name: "Set role" }));
          assert.equal(await notice(admin), `${who} is now viewer.`);
          assert.equal(await row.locator('select[name="role"]').inputValue(), "viewer");

          // The user's first login forces a change; as a viewer, Settings has no Users section.
          const user = await userLogin(browser, server.url, who, first);
          assert.equal(new URL(user.url()).pathname, "/account/password");
          await user.fill('input[name="current"]', first);
          await user.fill('input[name="password"]', own);
          await Promise.all([
            user.waitForNavigation(),
            user.click('form[action="/account/password"] button[type="submit"]'),
          ]);
          assert.equal(new URL(user.url()).pathname, "/");
          await user.goto(`${server.url}/settings`);
          assert.equal(await user.locator("#users-title").count(), 0, "a viewer manages no users");

          // Reset: the user's session ends, the old password stops working, the new one works
          // and must be changed at once.
          await row.locator('input[name="password"]').fill(reset);
          await submit(admin, row.getByRole("button", { name: "Reset" }));
          assert.match(await notice(admin), /^Password reset; the user is logged out/);
          await shot("reset");
          await user.goto(`${server.url}/settings`);
          assert.equal(new URL(user.url()).pathname, "/login", "the reset ended the session");
          await user.context().close();
          await refused(browser, server.url, who, own);
          const afterReset = await userLogin(browser, server.url, who, reset);
          assert.equal(new URL(afterReset.url()).pathname, "/account/password");
          assert.ok(await afterReset.isVisible('[data-testid="forced-change"]'));

          // Disable: the open session ends and the password no longer logs in.
          await submit(admin, row.getByRole("button", { name: "Disable" }));
          assert.equal(await notice(admin), `${who} is disabled and logged out.`);
          assert.equal(await row.locator("td").nth(3).innerText(), "disabled");
          assert.equal(await row.getByRole("button", { name: "Enable" }).count(), 1);
          a11y.push(...await axeCheck(admin, `disabled user at ${w} px`));
          a11y.push(...await overflowCheck(admin, `settings after disable at ${w} px`));
          await shot("disabled");
          await afterReset.goto(`${server.url}/`);
          assert.equal(new URL(afterReset.url()).pathname, "/login", "disabling ended the session");
          await afterReset.context().close();
          await refused(browser, server.url, who, reset);
        }
        assert.deepEqual(a11y, []);
        assert.deepEqual(errors, []);
      } finally {
        await close();
        await server.stop();
      }
    },
  });
}
