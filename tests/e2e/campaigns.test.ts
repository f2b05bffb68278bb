import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPolicyVersions } from '../../src/adapters/demo-policy';
import { demoPeople, demoStaff } from '../../src/adapters/demo-school';
import type { StaffMember } from '../../src/domain/people';
import { launchChromium } from '../support/browser';
import { Harness } from '../support/harness';
import { openTabAs, seriousViolations, sidewaysOverflow } from '../support/tab-browser';
import { actionsOf } from '../support/validate-card';

/** Screenshots for people to look at; git ignores .artifacts. */
const SHOTS = join('.artifacts', 'tab-screens');
const h = new Harness();
let browser: Browser;
beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  await h.start();
  await h.say(demoPeople.policyAdmin, 'help');
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await h.stop();
});

const openAs = (person: Pick<StaffMember, 'id'>, width: number, scheme: 'light' | 'dark' = 'light') => openTabAs(h, browser, person, { width, scheme });

const chloe = demoStaff.find((s) => s.name.startsWith('Chloe'))!;
const v2026 = demoPolicyVersions[1]!.id;

describe('the Campaigns page in Chromium', () => {
  it('launches from the form, follows the count live, prints without navigation or buttons, and fits 320 px', async () => {
    const { context, page } = await openAs(demoPeople.policyAdmin, 1280);
    await page.goto(`${h.baseUrl}/tab/#/campaigns`);
    await page.getByRole('heading', { level: 1, name: 'Campaigns' }).waitFor();
    await page.getByText('No campaigns yet.').waitFor();
    await page.getByRole('button', { name: 'Launch a campaign' }).click();
    await page.getByRole('heading', { level: 1, name: 'Launch a campaign' }).waitFor();
    // A deadline in the past: the server's words under the field.
    await page.getByLabel('Deadline').fill('2020-01-01');
    await page.getByRole('button', { name: 'Launch campaign' }).click();
    await page.getByText(/it is in the past/).waitFor();
    await page.getByLabel('Deadline').fill(new Date(Date.now() + 21 * 86_400_000).toISOString().slice(0, 10));
    await page.getByRole('button', { name: 'Launch campaign' }).click();
    await page.getByRole('heading', { level: 1, name: 'Campaign' }).waitFor();
    await page.getByText(`0 of ${demoStaff.length}`, { exact: true }).waitFor({ timeout: 20_000 });
    expect(await seriousViolations(page)).toEqual([]);

    // Chloe signs in chat; the open dashboard shows it within its polling interval.
    await h.settle();
    const card = h.connector.cardsFor(chloe.id).find((c) => actionsOf(c).some((a) => a.verb === 'declaration.sign'))!;
    const link = new URL(actionsOf(card).find((a) => a.type === 'Action.OpenUrl' && /Read the full policy/.test(a.title)).url as string);
    await fetch(`${h.baseUrl}${link.pathname}${link.search}`, { redirect: 'manual' });
    const campaignId = actionsOf(card).find((a) => a.verb === 'declaration.sign').data.campaignId;
    await h.invoke(chloe, 'declaration.sign', { versionId: v2026, campaignId, confirm: 'true', typedName: chloe.name });
    await page.getByText(`1 of ${demoStaff.length}`, { exact: true }).waitFor({ timeout: 15_000 });
    await expect.poll(() => page.getByRole('list', { name: 'Not signed' }).getByRole('listitem').count(), { timeout: 10_000 }).toBe(demoStaff.length - 1);
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(SHOTS, 'campaign-dashboard-desktop-light.png'), fullPage: true });

    await page.getByRole('button', { name: 'Remind now' }).click();
    await page.getByText(/Reminders are on their way/).waitFor();
    await expect.poll(() => page.getByRole('button', { name: 'Remind now' }).isDisabled()).toBe(true);
    await page.getByText(/already sent today/).waitFor();

    await page.emulateMedia({ media: 'print' });
    expect(await page.getByRole('navigation', { name: 'Pages' }).isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Print summary' }).isVisible()).toBe(false);
    expect(await page.getByText(/Summary for governors, printed/).isVisible()).toBe(true);
    await page.pdf({ path: join(SHOTS, 'campaign-governors-summary.pdf'), format: 'A4' });
    await page.emulateMedia({ media: 'screen' });
    await context.close();

    for (const scheme of ['light', 'dark'] as const) {
      const phone = await openAs(demoPeople.policyAdmin, 320, scheme);
      await phone.page.goto(`${h.baseUrl}/tab/#/campaigns/${campaignId}`);
      await phone.page.getByText(`1 of ${demoStaff.length}`, { exact: true }).waitFor({ timeout: 20_000 });
      await phone.page.waitForTimeout(800);
      await phone.page.screenshot({ path: join(SHOTS, `campaign-dashboard-phone-${scheme}.png`), fullPage: true });
      expect(await sidewaysOverflow(phone.page)).toBeLessThanOrEqual(0);
      expect(await seriousViolations(phone.page)).toEqual([]);
      await phone.page.goto(`${h.baseUrl}/tab/#/campaigns/new`);
      await phone.page.getByRole('button', { name: 'Launch campaign' }).waitFor();
      await phone.page.getByRole('radio', { name: 'One or more departments' }).check();
      expect(await sidewaysOverflow(phone.page)).toBeLessThanOrEqual(0);
      expect(await seriousViolations(phone.page)).toEqual([]);
      await phone.page.screenshot({ path: join(SHOTS, `campaign-launch-phone-${scheme}.png`), fullPage: true });
      await phone.context.close();
    }
  }, 180_000);
});
