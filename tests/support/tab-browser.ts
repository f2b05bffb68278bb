import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { StaffMember } from '../../src/domain/people';
import type { Harness } from './harness';

/** Where the tab's screenshots go, for people to look at; git ignores .artifacts. */
export const TAB_SHOTS = '.artifacts/tab-screens';

export interface OpenOptions {
  width: number;
  height?: number;
  scheme?: 'light' | 'dark';
  acceptDownloads?: boolean;
}

/**
 * A browser context signed in to the embedded demo as `person`: the token the
 * dev sign-in would keep in the tab's sessionStorage, set before any page loads.
 * The Office CDN (fonts, icons) is unreachable here and fails fast.
 */
export async function openTabAs(h: Harness, browser: Browser, person: Pick<StaffMember, 'id'>, o: OpenOptions): Promise<{ context: BrowserContext; page: Page }> {
  const res = await fetch(`${h.baseUrl}/api/dev/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ personId: person.id }) });
  const { token } = (await res.json()) as { token: string };
  const context = await browser.newContext({ viewport: { width: o.width, height: o.height ?? 900 }, colorScheme: o.scheme ?? 'light', acceptDownloads: o.acceptDownloads });
  await context.route(/res(-1)?\.cdn\.office\.net/, (r) => r.abort());
  await context.addInitScript((t) => sessionStorage.setItem('countersign.devToken', t), token);
  return { context, page: await context.newPage() };
}

/** Waits until the page's heading is shown and nothing is loading any more. */
export async function settled(page: Page, heading: string | RegExp) {
  await page.getByRole('heading', { level: 1, name: heading }).waitFor({ timeout: 20_000 });
  await page.waitForFunction(() => !document.querySelector('[role="progressbar"]'), undefined, { timeout: 20_000 });
}

/** How far the page scrolls sideways; nothing may (Teams mobile is 320 px wide). */
export const sidewaysOverflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

/**
 * Serious and critical axe violations. Fluent UI v9's focus manager (tabster) puts `<i tabindex="0"
 * aria-hidden="true" data-tabster-dummy>` around arrow-key groups on purpose, to pass focus on; axe's
 * aria-hidden-focus flags them (microsoft/tabster#288, microsoft/fluentui#25133; Accessibility Insights
 * suppresses them since 2025, microsoft/accessibility-insights-web#7605). Only those nodes are set aside.
 */
export async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ ...v, nodes: v.id === 'aria-hidden-focus' ? v.nodes.filter((n) => !n.html.includes('data-tabster-dummy')) : v.nodes }))
    .filter((v) => v.nodes.length)
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
