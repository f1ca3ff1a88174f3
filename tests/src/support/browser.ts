import fs from "node:fs";
import { after, before } from "node:test";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import type { ApiClient } from "./api-client";

// Debian's Chromium (playwright cannot download its own browsers here).
const CHROMIUM = process.env.KUBELAB_TEST_CHROMIUM ?? "/usr/bin/chromium";

/** A real headless Chromium for page tests. */
export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium (or set KUBELAB_TEST_CHROMIUM)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // --no-sandbox: tests run as root in CI; the background-networking flags keep
    // Chromium from calling home on a machine without internet.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

/**
 * Registers hooks on the current suite for one Chromium; `newPage` opens a page in a fresh context
 * (its own cookies), all closed with the browser at the end.
 */
export function useBrowser(): { newPage: (options?: { locale?: string; timezoneId?: string }) => Promise<Page> } {
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
  });
  return {
    newPage: async (options = {}) => {
      const context = await browser!.newContext({ viewport: { width: 1400, height: 900 }, ...options });
      contexts.push(context);
      return context.newPage();
    },
  };
}

/** Gives the page the login of an API client (logged in over HTTP), for the site at `url`. */
export async function logInPageAs(page: Page, client: ApiClient, url: string): Promise<void> {
  const header = client.cookieHeader ?? "";
  const at = header.indexOf("=");
  if (at <= 0) throw new Error("the API client is not logged in");
  await page.context().addCookies([{ name: header.slice(0, at), value: header.slice(at + 1), url }]);
}
