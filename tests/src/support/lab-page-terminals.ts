import type { Page } from "playwright-core";
import { waitFor } from "./wait-for";

/** What a terminal view of the lab page shows (its text mirror). */
export async function terminalText(page: Page, view: string): Promise<string> {
  return (await page.locator(`[data-testid=terminal-text-${view}]`).textContent()) ?? "";
}

/** Waits until a terminal view shows a line matching `line`. */
export async function waitForLine(
  page: Page,
  view: string,
  line: RegExp,
  timeoutMs = 30_000,
): Promise<RegExpExecArray> {
  return waitFor(
    `terminal ${view} to show ${line}`,
    async () => line.exec(await terminalText(page, view)) ?? undefined,
    timeoutMs,
    100,
  );
}

/** Waits until a terminal view's socket is connected. */
export async function waitConnected(page: Page, view: string, timeoutMs = 60_000): Promise<void> {
  await page
    .locator(`[data-testid=terminal-${view}][data-status=connected]`)
    .waitFor({ state: "attached", timeout: timeoutMs });
}

/** Types into a terminal view of the page. */
export async function typeIn(page: Page, view: string, text: string): Promise<void> {
  const tab = page.locator(`[data-testid=terminal-tab-${view}]`);
  if (await tab.count()) await tab.click();
  await page.locator(`[data-testid=terminal-${view}] .xterm`).click();
  await page.keyboard.type(text);
}

/**
 * From the home page: opens a lesson as a new guest, waits for node1's terminal to connect and
 * returns the session id the lab page names.
 */
export async function openLessonAsGuest(page: Page, baseUrl: string, lesson: string, name: string): Promise<string> {
  await page.goto(`${baseUrl}/`);
  await page.locator(`[data-testid=lesson-card][data-lesson-id=${lesson}] [data-testid=lesson-action]`).click();
  await page.waitForURL(/\/login/);
  await page.locator("[data-testid=guest-name]").fill(name);
  await page.locator("[data-testid=guest-login-submit]").click();
  await page.waitForURL(new RegExp(`/lab/${lesson}`));
  await waitConnected(page, "node1", 120_000);
  return (await page.locator("[data-testid=session-bar]").getAttribute("data-session-id")) ?? "";
}
