import fs from "node:fs";
import { chromium, type Browser } from "playwright-core";

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
