import type { Locator, Page, Response } from "playwright-core";

/**
 * Presses a check's "Check" button on the lab page and waits for the outcome the test expects. A
 * check that never shows it fails with what the page showed and what the API answered (status and
 * time, or no answer at all), so an intermittent failure says whether the server, the node or the
 * page held it up.
 */
export async function pressCheck(
  page: Page,
  panel: Locator,
  expected: "pass" | "fail",
  timeoutMs = 45_000,
): Promise<void> {
  const started = Date.now();
  // This check's answer, not an automatic check's of the same step.
  const checkPath = `/checks/${encodeURIComponent((await panel.getAttribute("data-check-id")) ?? "")}`;
  let answer = "no answer from POST /checks yet";
  const answered = page
    .waitForResponse((response) => new URL(response.url()).pathname.endsWith(checkPath), { timeout: timeoutMs })
    .then(async (response: Response) => {
      answer = `POST /checks answered ${response.status()} after ${Date.now() - started} ms: ${(await response.text()).slice(0, 300)}`;
    })
    .catch(() => undefined);
  await panel.locator("[data-testid=check-run]").click();
  try {
    await panel.and(page.locator(`[data-outcome=${expected}]`)).waitFor({ timeout: timeoutMs });
  } catch (error) {
    await Promise.race([answered, new Promise((resolve) => setTimeout(resolve, 1_000))]);
    const outcome = await panel.getAttribute("data-outcome").catch(() => "(panel gone)");
    const text = (await panel.innerText().catch(() => "")).replace(/\s+/g, " ").slice(0, 300);
    throw new Error(
      `The check did not show "${expected}" within ${timeoutMs} ms: it shows "${outcome}" (${text}); ${answer}`,
      { cause: error },
    );
  }
}
