/**
 * A real browser for the viewer's tests: the system's Chromium (Debian's `chromium` package) driven
 * by playwright-core, which downloads nothing. Where no Chromium is installed, the tests that need
 * it are skipped with a message that says how to get one.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** The browser to use: $EMLAB_CHROMIUM, else the first system Chromium found; null when none. */
export function findChromium(): string | null {
  const given = process.env['EMLAB_CHROMIUM'];
  if (given !== undefined && given !== '') return existsSync(given) ? given : null;
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
}

export const NO_CHROMIUM = 'no Chromium found (looked at $EMLAB_CHROMIUM and /usr/bin/chromium): browser tests skipped; install it with `apt-get install chromium`';

export function launchChromium(executablePath: string): Promise<Browser> {
  // Playwright starts Chromium without its sandbox unless told (chromiumSandbox), so it runs as root in CI.
  return chromium.launch({ executablePath, timeout: 30_000 });
}

/** What a page did that it must not: dialogs, uncaught errors, console errors, CSP violations. */
export interface PageIncidents {
  dialogs: string[];
  errors: string[];
}

export function watchPage(page: Page): PageIncidents {
  const incidents: PageIncidents = { dialogs: [], errors: [] };
  page.on('dialog', (d) => {
    incidents.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => incidents.errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') incidents.errors.push(`console: ${m.text()}`);
  });
  return incidents;
}
