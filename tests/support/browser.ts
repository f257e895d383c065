// Real Chromium through playwright-core, with the flags that work offline on this machine.
import { type Browser, chromium, type Page } from "playwright-core";

export const CHROMIUM = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";

export async function launchBrowser(): Promise<{ browser: Browser; close: () => Promise<void> }> {
  try {
    Deno.statSync(CHROMIUM);
  } catch {
    throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium`);
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    browser,
    // playwright gives every launch a fresh temporary profile and removes it on close.
    close: () => browser.close(),
  };
}

/** Logs in through the form; returns once the dashboard (or the forced change) shows. */
export async function loginInBrowser(page: Page, url: string, username: string, password: string) {
  await page.goto(`${url}/login`);
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', password);
  await Promise.all([
    page.waitForNavigation(),
    page.click('form[action="/login"] button[type="submit"]'),
  ]);
}

/** Where screenshots and other artifacts of browser tests go. */
export async function artifactPath(name: string): Promise<string> {
  const dir = Deno.env.get("PINGFOLD_ARTIFACTS") ?? "test-results";
  await Deno.mkdir(dir, { recursive: true });
  return `${dir}/${name}`;
}
