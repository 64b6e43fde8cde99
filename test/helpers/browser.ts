import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/**
 * Headless Chromium for the portal tests: Debian's `chromium` package (installed by .ci/run), driven by
 * playwright-core, which never downloads a browser of its own. CHROMIUM_PATH points elsewhere if needed.
 */

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** A mid-range phone: most customers buy from one. */
export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'es-MX' };
export const SCREENSHOTS = path.resolve(__dirname, '..', '..', 'test-output', 'screenshots');

/** Playwright starts Chromium with a fresh temporary profile (`--user-data-dir`) of its own on every launch. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (what .ci/run does), or set CHROMIUM_PATH`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A fresh phone-sized context (own storage and cookies: one device). */
export function phone(browser: Browser): Promise<BrowserContext> {
  return browser.newContext(PHONE);
}

/** Saves a screenshot of the page under test-output/screenshots (git-ignored). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
