import type { Locator, Page } from "playwright-core";

/** Where a page is and the start of what it shows: for messages about a wait that failed. */
export async function pageSummary(page: Page): Promise<string> {
  const text = await page
    .locator("body")
    .innerText({ timeout: 2_000 })
    .catch((error: unknown) => `(no text: ${String(error)})`);
  return `${page.url()} shows: ${JSON.stringify(text.replace(/\s+/g, " ").slice(0, 500))}`;
}

/**
 * Waits for `locator` to be attached; if it does not come, fails with what the page showed
 * instead, so that an intermittent failure tells its cause (an error, a queue, a blank page).
 */
export async function waitOnPage(page: Page, locator: Locator, what: string, timeoutMs = 30_000): Promise<void> {
  try {
    await locator.waitFor({ state: "attached", timeout: timeoutMs });
  } catch (error) {
    throw new Error(`${what} did not appear within ${timeoutMs} ms; ${await pageSummary(page)}`, { cause: error });
  }
}
