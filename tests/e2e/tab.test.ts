import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPeople } from '../../src/adapters/demo-school';
import type { StaffMember } from '../../src/domain/people';
import { launchChromium } from '../support/browser';
import { Harness } from '../support/harness';
import { apiAs } from '../support/tab-api';
import { openTabAs, seriousViolations, settled, sidewaysOverflow } from '../support/tab-browser';

/** Screenshots for people to look at; git ignores .artifacts. */
const SHOTS = join('.artifacts', 'tab-screens');
const widths = { desktop: 1280, phone: 320 } as const;
const schemes = ['light', 'dark'] as const;

const h = new Harness();
let browser: Browser;
beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  await h.start();
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await h.stop();
});

const openAs = (person: Pick<StaffMember, 'id'>, width: number, scheme: 'light' | 'dark') => openTabAs(h, browser, person, { width, scheme });

describe('the tab in Chromium (embedded mode)', () => {
  it('outside Teams, offers the dev sign-in as any demo person, and signing in shows that person’s pages', async () => {
    const context = await browser.newContext({ viewport: { width: 320, height: 900 } });
    await context.route(/res(-1)?\.cdn\.office\.net/, (r) => r.abort());
    const page = await context.newPage();
    await page.goto(`${h.baseUrl}/tab/`);
    await settled(page, 'Who are you in the demo?');
    expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'sign-in-phone-light.png'), fullPage: true });
    await page.getByRole('button', { name: `Continue as ${demoPeople.policyAdmin.name.split(' ')[0]}` }).click();
    await settled(page, 'My tasks');
    await expect.poll(() => page.getByRole('combobox', { name: 'Page' }).locator('option').allTextContents()).toEqual(['My tasks', 'Approvals', 'Campaigns', 'Account register', 'Policies', 'Settings', 'Demo inboxes']);
    await context.close();
  });

  it('a teacher sees only My tasks and the demo inboxes', async () => {
    const { context, page } = await openAs(demoPeople.requester, 1280, 'light');
    await page.goto(`${h.baseUrl}/tab/`);
    await settled(page, 'My tasks');
    await expect.poll(() => page.getByRole('navigation', { name: 'Pages' }).getByRole('tab').allInnerTexts()).toEqual(['My tasks', 'Demo inboxes']);
    // A page they may not use is neither in the navigation nor reachable by its address, and the tab says why
    // (a Teams static tab for an admin page opens this way).
    await page.goto(`${h.baseUrl}/tab/#/campaigns`);
    await settled(page, 'My tasks');
    await page.getByText("Campaigns is for policy admins. Ask your school's policy admin if you need it. Here is My tasks instead.").waitFor();
    await page.goto(`${h.baseUrl}/tab/#/tasks`);
    await settled(page, 'My tasks');
    expect(await page.getByText('Here is My tasks instead.').count()).toBe(0);
    await context.close();
  });

  it('works from the keyboard: Tab reaches the navigation, arrow keys move between pages, and the page follows', async () => {
    const { context, page } = await openAs(demoPeople.policyAdmin, 1280, 'light');
    await page.goto(`${h.baseUrl}/tab/#/tasks`);
    await settled(page, 'My tasks');
    const nav = page.getByRole('navigation', { name: 'Pages' }).getByRole('tab', { name: 'My tasks' });
    for (let i = 0; i < 10 && !(await nav.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
    expect(await nav.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await settled(page, 'Approvals');
    await context.close();
  });

  it('follows high contrast (forced colours) outside Teams, and nothing scrolls sideways there either', async () => {
    const { context, page } = await openAs(demoPeople.policyAdmin, 320, 'dark');
    await page.emulateMedia({ forcedColors: 'active' });
    await page.goto(`${h.baseUrl}/tab/#/campaigns`);
    await settled(page, 'Campaigns');
    await page.screenshot({ path: join(SHOTS, 'campaigns-phone-high-contrast.png'), fullPage: true });
    expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
    await context.close();
  });

  for (const [size, width] of Object.entries(widths)) {
    for (const scheme of schemes) {
      it(`every page of the policy admin, ${size} (${width} px), ${scheme}: no sideways scroll, no serious axe violation`, async () => {
        const api = await apiAs(h, demoPeople.policyAdmin);
        const me = (await api.get('/api/me')).body as { pages: Array<{ id: string; label: string }> };
        const { context, page } = await openAs(demoPeople.policyAdmin, width, scheme);
        const problems: string[] = [];
        for (const p of me.pages) {
          await page.goto(`${h.baseUrl}/tab/#/${p.id}`);
          await settled(page, p.label);
          await page.screenshot({ path: join(SHOTS, `${p.id}-${size}-${scheme}.png`), fullPage: true });
          const overflow = await sidewaysOverflow(page);
          if (overflow > 0) problems.push(`${p.id}: scrolls sideways by ${overflow}px`);
          for (const v of await seriousViolations(page)) problems.push(`${p.id}: ${v}`);
        }
        await context.close();
        expect(problems).toEqual([]);
      });
    }
  }
});
