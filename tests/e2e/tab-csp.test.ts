import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPolicyVersions } from '../../src/adapters/demo-policy';
import { demoPeople } from '../../src/adapters/demo-school';
import { launchChromium } from '../support/browser';
import { Harness } from '../support/harness';
import { apiAs } from '../support/tab-api';
import { openTabAs, settled } from '../support/tab-browser';

/**
 * The tab under the content security policy the server sends (src/server/security-headers.ts): every page
 * renders with nothing refused (Griffel's inline styles, teams-js, Adaptive Cards, charts), and only the
 * hosts Teams uses may frame it.
 */
const h = new Harness();
let browser: Browser;
beforeAll(async () => {
  await h.start();
  // A public site (the Teams host page below) framing 127.0.0.1 is otherwise refused by Chromium's Local
  // Network Access checks, before any CSP is read; a real deployment is never on a local address.
  browser = await launchChromium(['--disable-features=LocalNetworkAccessChecks']);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await h.stop();
});

/** Records every CSP violation the page reports, as the event and as Chromium's console line. */
async function watchViolations(context: BrowserContext, page: Page): Promise<() => Promise<string[]>> {
  const seen: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) seen.push(`console: ${m.text()}`);
  });
  await context.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
  });
  return async () => [...seen, ...(await page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []))];
}

describe('the tab under its content security policy (Chromium)', () => {
  it('every page of the policy admin, and a campaign’s dashboard with its charts, renders with no CSP violation', async () => {
    const api = await apiAs(h, demoPeople.policyAdmin);
    const me = (await api.get('/api/me')).body as { pages: Array<{ id: string; label: string }> };
    const deadline = new Date(Date.now() + 21 * 86_400_000).toISOString().slice(0, 10);
    const launched = await api.post('/api/campaigns', { versionId: demoPolicyVersions[1]!.id, deadline, reminderEveryDays: 7, audience: { kind: 'all' } });
    expect(launched.status).toBe(201);
    expect(me.pages.length).toBeGreaterThan(5);
    const { context, page } = await openTabAs(h, browser, demoPeople.policyAdmin, { width: 1280 });
    const violations = await watchViolations(context, page);
    const first = await page.goto(`${h.baseUrl}/tab/`);
    expect(first?.headers()['content-security-policy']).toMatch(/frame-ancestors 'self' \*\.cloud\.microsoft/);
    const problems: string[] = [];
    for (const p of me.pages) {
      await page.goto(`${h.baseUrl}/tab/#/${p.id}`);
      await settled(page, p.label);
      problems.push(...(await violations()).map((v) => `${p.id}: ${v}`));
    }
    await page.goto(`${h.baseUrl}/tab/#/campaigns/${launched.body.campaign.id}`);
    await settled(page, /./);
    // A chart's own svg (not an icon's) is drawn.
    await page.locator('svg:not([data-fui-icon])').first().waitFor({ timeout: 20_000 });
    await page.waitForTimeout(800);
    problems.push(...(await violations()).map((v) => `dashboard: ${v}`));
    await context.close();
    expect(problems).toEqual([]);
  });

  it('the sign-in page outside Teams (teams-js looks for a host and gives up) has no CSP violation either', async () => {
    const context = await browser.newContext({ viewport: { width: 320, height: 900 } });
    await context.route(/res(-1)?\.cdn\.office\.net/, (r) => r.abort());
    const page = await context.newPage();
    const violations = await watchViolations(context, page);
    await page.goto(`${h.baseUrl}/tab/`);
    await settled(page, 'Who are you in the demo?');
    expect(await violations()).toEqual([]);
    await context.close();
  });

  it('Teams may frame the tab; another site may not', async () => {
    const context = await browser.newContext({ viewport: { width: 1024, height: 800 } });
    await context.route(/res(-1)?\.cdn\.office\.net/, (r) => r.abort());
    // The hosts' pages are served by the test itself: nothing leaves this machine.
    const host = `<!doctype html><title>host</title><iframe id="tab" src="${h.baseUrl}/tab/" width="900" height="700"></iframe>`;
    await context.route(/^https:\/\/(teams\.microsoft\.com|evil\.example)\/host$/, (r) => r.fulfill({ status: 200, contentType: 'text/html', body: host }));
    const page = await context.newPage();

    await page.goto('https://teams.microsoft.com/host');
    const inTeams = page.frameLocator('#tab');
    // Framed, the tab first waits for teams-js to find a Teams host (3 s), then offers the demo sign-in.
    await inTeams.getByRole('heading', { level: 1, name: 'Who are you in the demo?' }).waitFor({ timeout: 20_000 });

    const refused: string[] = [];
    page.on('console', (m) => refused.push(m.text()));
    await page.goto('https://evil.example/host');
    await expect.poll(() => refused.some((t) => /frame-ancestors/.test(t)), { timeout: 10_000 }).toBe(true);
    expect(await page.frameLocator('#tab').getByRole('heading', { level: 1 }).count()).toBe(0);
    await context.close();
  });
});
