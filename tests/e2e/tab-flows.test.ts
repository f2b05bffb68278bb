import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPeople, demoStaff } from '../../src/adapters/demo-school';
import type { StaffMember } from '../../src/domain/people';
import { launchChromium } from '../support/browser';
import { validForm } from '../support/forms';
import { Harness, people } from '../support/harness';
import { actionsOf } from '../support/validate-card';
import { openTabAs } from '../support/tab-browser';

/**
 * The walk-through, as people do it in the tab: the policy admin launches a campaign to one
 * department and watches its dashboard while demo people sign from their cards in the Demo inboxes
 * page; then closes it and exports the CSV.
 */
const SHOTS = join('.artifacts', 'tab-screens');
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

async function openAs(person: Pick<StaffMember, 'id'>, width: number) {
  const opened = await openTabAs(h, browser, person, { width, height: 1000, acceptDownloads: true });
  // The policy document lives on the school's site, which this closed machine cannot reach: the open is recorded before the redirect.
  await opened.context.route(/^https:\/\/(?!127\.0\.0\.1)/, (r) => r.fulfill({ status: 200, contentType: 'text/html', body: '<title>Policy</title><p>The policy.</p>' }));
  return opened;
}

const ks1 = demoStaff.filter((s) => s.department === 'Key Stage 1');

/** Signs the declaration card in `person`'s demo inbox, as they would: read the policy, tick, type their name, Sign. */
async function signInInbox(page: Page, person: StaffMember) {
  await page.goto(`${h.baseUrl}/tab/#/inboxes/${person.id}`);
  await page.getByRole('heading', { level: 2, name: `${person.name}’s inbox` }).waitFor();
  const card = page.getByRole('region', { name: 'Declaration to sign' }).first();
  await card.waitFor({ timeout: 20_000 }).catch(async (e) => {
    await page.screenshot({ path: join(SHOTS, 'flow-debug.png'), fullPage: true });
    throw e;
  });
  const [policy] = await Promise.all([page.context().waitForEvent('page'), card.getByRole('link', { name: 'Read the full policy' }).click()]);
  await policy.waitForLoadState();
  await policy.close();
  await card.getByRole('checkbox', { name: 'I have read and agree' }).check();
  await card.getByRole('textbox', { name: 'Type your full name to sign' }).fill(person.name);
  await card.getByRole('button', { name: 'Sign' }).click();
  await card.getByText(/✓/).first().waitFor({ timeout: 10_000 });
}

describe('a campaign to one department, followed live while people sign in their inboxes', () => {
  it('launch to Key Stage 1, two signatures from the Demo inboxes page, then close and export', async () => {
    expect(ks1.length).toBe(2);
    const admin = await openAs(demoPeople.policyAdmin, 1280);
    const dash = admin.page;
    await dash.goto(`${h.baseUrl}/tab/#/campaigns`);
    await dash.getByRole('button', { name: 'Launch a campaign' }).click();
    await dash.getByRole('radio', { name: 'One or more departments' }).check();
    await dash.getByRole('checkbox', { name: 'Key Stage 1' }).check();
    await dash.getByLabel('Deadline').fill(new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10));
    await dash.getByRole('button', { name: 'Launch campaign' }).click();
    await dash.getByText('0 of 2', { exact: true }).waitFor({ timeout: 20_000 });

    // The inboxes in a second browser tab; the dashboard stays open and updates by itself.
    const inboxes = await admin.context.newPage();
    await signInInbox(inboxes, ks1[0]!);
    await dash.getByText('1 of 2', { exact: true }).waitFor({ timeout: 15_000 });
    await signInInbox(inboxes, ks1[1]!);
    await dash.getByText('2 of 2', { exact: true }).waitFor({ timeout: 15_000 });
    await dash.screenshot({ path: join(SHOTS, 'flow-campaign-all-signed.png'), fullPage: true });

    await dash.getByRole('button', { name: 'Close campaign' }).click();
    await dash.getByRole('dialog').getByRole('button', { name: 'Close campaign' }).click();
    await dash.getByText(/^Closed\./).waitFor();
    await dash.getByRole('button', { name: 'Export CSV' }).click();
    // The tab opens the download in a new tab and keeps the link on the page in case the browser blocked that.
    const link = new URL((await dash.getByRole('link', { name: 'Download the CSV' }).getAttribute('href'))!, h.baseUrl).toString();
    expect(link).toMatch(/\/exports\/[\w.-]+\.csv\?e=\d+&s=/);
    const csv = await (await fetch(link)).text();
    for (const s of ks1) expect(csv).toContain(s.name);
    expect(csv).not.toContain(demoPeople.requester.name);
    await admin.context.close();
  }, 180_000);
});

describe('an administrator who is a class teacher confirms go-live from My tasks', () => {
  it('after both approvals, Amira (no register page) finds the account on My tasks and confirms it: a tick, a tick and a name', async () => {
    const amira = demoStaff.find((s) => s.name.startsWith('Amira'))!;
    expect((await h.invoke(people.requester, 'request.submit', validForm({ platform: 'Bluesky' }))).status).toBe(200);
    await h.settle();
    for (const approver of [people.ictLeader, people.headTeacher]) {
      const card = h.connector.cardsFor(approver.id).filter((c) => actionsOf(c).some((a) => a.verb === 'approval.approve')).at(-1);
      const data = actionsOf(card).find((a) => a.verb === 'approval.approve').data;
      expect((await h.invoke(approver, 'approval.approve', { ...data, signature: approver.name })).status).toBe(200);
      await h.settle();
    }
    const { context, page } = await openTabAs(h, browser, amira, { width: 320 });
    await page.goto(`${h.baseUrl}/tab/#/tasks`);
    await page.getByRole('heading', { level: 2, name: 'Accounts to confirm' }).waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: /Confirm go-live of Bluesky/ }).click();
    const dialog = page.getByRole('dialog');
    // Unticked boxes are refused by name, and what was typed stays.
    await dialog.getByLabel('Who holds the login (the network manager’s name)').fill('Sam Reid');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await dialog.getByText(/live/i).first().waitFor();
    expect(await dialog.getByLabel('Who holds the login (the network manager’s name)').inputValue()).toBe('Sam Reid');
    await dialog.getByRole('checkbox', { name: 'The account is live' }).check();
    await dialog.getByRole('checkbox', { name: 'The login is held by the network manager' }).check();
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText(/Go-live confirmed: Bluesky/).waitFor();
    await page.screenshot({ path: join(SHOTS, 'tasks-account-confirmed-phone.png'), fullPage: true });
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await context.close();
  }, 120_000);
});
