import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { demoPeople, demoStaff } from '../../src/adapters/demo-school';
import type { StaffMember } from '../../src/domain/people';
import { launchChromium } from '../support/browser';
import { validForm } from '../support/forms';
import { Harness } from '../support/harness';
import { tabApi } from '../support/tab-api';

/**
 * The Account register and Policies pages in a real browser, as the ICT leader
 * and a policy admin see them: at 320 px nothing scrolls sideways (tables stack
 * into cards), at 1280 px they are tables. Needs the built tab (`npm run build:tab`).
 * Shots go to .artifacts/tab/ (git-ignored).
 */
const built = existsSync(resolve(__dirname, '../../tab/dist/index.html'));
const shots = resolve(__dirname, '../../.artifacts/tab');

const h = new Harness();
let browser: Browser;

beforeAll(async () => {
  if (!built) return;
  await h.start();
  await h.app.ready;
  const as = (p: StaffMember) => ({ id: p.id, name: p.name, staff: p });
  const r = await h.app.requests.submit(as(demoPeople.requester), validForm({ host: 'instagram.com/larkfield.year6.science.investigations.and.trips', closure: new Date(Date.now() + 5 * 86400_000).toISOString().slice(0, 10), goLive: new Date(Date.now() + 86400_000).toISOString().slice(0, 10) }));
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  await h.app.requests.decide(as(demoPeople.ictLeader), 'approve', { requestId: r.value.id, step: 0, round: 1, signature: demoPeople.ictLeader.name, comment: '' });
  await h.app.requests.decide(as(demoPeople.headTeacher), 'approve', { requestId: r.value.id, step: 1, round: 1, signature: demoPeople.headTeacher.name, comment: '' });
  browser = await launchChromium();
  mkdirSync(shots, { recursive: true });
}, 60_000);
afterAll(async () => {
  if (!built) return;
  await browser?.close();
  await h.stop();
});

async function open(person: StaffMember, hash: string, width: number): Promise<Page> {
  const token = (await tabApi(h).post<{ token: string }>('/api/dev/session', { personId: person.id })).body.token;
  // A context of its own: axe needs one (it opens frames in it).
  const page = await (await browser.newContext({ viewport: { width, height: 900 } })).newPage();
  await page.route(/res(-1)?\.cdn\.office\.net/, (r) => r.abort());
  await page.addInitScript((t) => sessionStorage.setItem('countersign.devToken', t), token);
  await page.goto(`${h.baseUrl}/tab/#/${hash}`);
  return page;
}

/** Serious and critical accessibility problems axe finds on the page as it is. */
async function axeProblems(page: Page): Promise<string[]> {
  // Tabster (Fluent's focus manager) puts focusable, aria-hidden <i> sentinels at the edges of focus groups on purpose: they hand focus on.
  const r = await new AxeBuilder({ page } as never).disableRules(['aria-hidden-focus']).analyze();
  return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

const sideways = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

describe('register, policies and settings pages at 320 px and 1280 px', () => {
  // npm test builds the tab first; a missing build is a failure, never a skip.
  test('the tab is built', () => expect(built, 'run npm run build:tab (npm test does it)').toBe(true));
  test('the register: the account with its warning, the ICT leader’s Hand over and no Confirm; no sideways scroll at 320 px', async () => {
    for (const width of [320, 1280]) {
      const page = await open(demoPeople.ictLeader, 'register', width);
      await page.getByText('Instagram', { exact: true }).first().waitFor();
      await expect(page.getByText(/Closure date is in \d+ days/).first().isVisible()).resolves.toBe(true);
      expect(await page.getByRole('button', { name: /^Hand over Instagram/ }).count()).toBe(1);
      expect(await page.getByRole('button', { name: /^Confirm go-live/ }).count()).toBe(0);
      expect(await sideways(page)).toBeLessThanOrEqual(0);
      expect(await axeProblems(page)).toEqual([]);
      await page.screenshot({ path: `${shots}/register-${width}.png`, fullPage: true });
      await page.context().close();
    }
  }, 60_000);

  test('the policies: versions with their hashes and coverage, the publish form; no sideways scroll at 320 px', async () => {
    for (const width of [320, 1280]) {
      const page = await open(demoPeople.policyAdmin, 'policies', width);
      await page.getByText('2026-27').first().waitFor();
      await expect(page.getByText(/of \d+ staff/).first().isVisible()).resolves.toBe(true);
      expect(await sideways(page)).toBeLessThanOrEqual(0);
      expect(await axeProblems(page)).toEqual([]);
      await page.screenshot({ path: `${shots}/policies-${width}.png`, fullPage: true });
      await page.getByRole('button', { name: /^Publish a new version of/ }).first().click();
      await page.getByRole('dialog').waitFor();
      await page.waitForTimeout(500); // the dialog fades in: contrast is measured once it has
      expect(await sideways(page)).toBeLessThanOrEqual(0);
      expect(await axeProblems(page)).toEqual([]);
      await page.screenshot({ path: `${shots}/publish-${width}.png`, fullPage: true });
      if (width === 1280) {
        // Check, see the hash it would freeze, publish; the new version is listed.
        await page.getByRole('textbox', { name: /Version label/ }).fill('2027-28');
        await page.getByLabel('Effective from').fill('2027-09-01');
        await page.getByRole('button', { name: 'Check' }).click();
        await page.getByText(/Its content hash will be [0-9a-f]{64}/).waitFor();
        await page.getByRole('button', { name: 'Publish and freeze' }).click();
        await page.getByText(/^Published 2027-28/).waitFor();
        await page.getByRole('cell', { name: /2027-28/ }).first().waitFor();
      }
      await page.context().close();
    }
  }, 60_000);

  test('settings: the policy admin finds Jess, makes her network manager on a phone, and cannot drop her own last policy admin role', async () => {
    const jess = demoStaff.find((p) => p.name.startsWith('Jess'))!;
    const page = await open(demoPeople.policyAdmin, 'settings', 320);
    await page.getByText('Who holds each role').waitFor();
    await page.getByRole('combobox', { name: /Give someone a role/ }).pressSequentially('jess');
    await page.getByRole('option', { name: new RegExp(jess.name) }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await page.waitForTimeout(500); // the dialog fades in: contrast is measured once it has
    expect(await sideways(page)).toBeLessThanOrEqual(0);
    expect(await axeProblems(page)).toEqual([]);
    await page.screenshot({ path: `${shots}/settings-roles-320.png`, fullPage: true });
    await dialog.getByRole('checkbox', { name: /^Network manager/ }).check();
    // Each box ticks itself (a shared Field once linked every label to the first box).
    expect(await dialog.getByRole('checkbox', { checked: true }).count()).toBe(1);
    await dialog.getByRole('button', { name: 'Save roles' }).click();
    await page.getByText(`${jess.name} now holds: Network manager.`).waitFor();
    await page.getByRole('button', { name: `Change the roles of ${jess.name}` }).waitFor();
    expect((await h.app.store.getStaff(jess.id))!.roles).toEqual(['networkManager']);
    // The last policy admin cannot take the role from herself: the dialog says why and keeps her choice.
    await page.getByRole('button', { name: `Change the roles of ${demoPeople.policyAdmin.name}` }).click();
    await dialog.getByRole('checkbox', { name: /^Policy admin/ }).uncheck();
    await dialog.getByRole('button', { name: 'Save roles' }).click();
    await dialog.getByText('Keep Policy admin: they are the only one.').waitFor();
    expect(await dialog.getByRole('checkbox', { name: /^Policy admin/ }).isChecked()).toBe(false);
    await page.context().close();
  }, 60_000);

  test('settings: a subject access request on a phone: find the requester, export, save JSON and CSV; nothing scrolls sideways', async () => {
    const ben = demoPeople.requester;
    const page = await open(demoPeople.policyAdmin, 'settings', 320);
    await page.getByRole('heading', { name: 'Subject access request' }).waitFor();
    const exportButton = page.getByRole('button', { name: /^Export the data of/ });
    expect(await exportButton.isDisabled()).toBe(true);
    await page.getByRole('combobox', { name: /^Person/ }).pressSequentially('carter');
    await page.getByRole('option', { name: new RegExp(ben.name) }).click();
    await page.getByRole('button', { name: `Export the data of ${ben.name}` }).click();
    await page.getByText(`Exported the data of ${ben.name}`).waitFor();
    await page.getByText('Requests made: 1').waitFor();
    expect(await sideways(page)).toBeLessThanOrEqual(0);
    expect(await axeProblems(page)).toEqual([]);
    await page.screenshot({ path: `${shots}/settings-subject-access-320.png`, fullPage: true });
    for (const kind of ['JSON', 'CSV'] as const) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: `Download the data of ${ben.name} as ${kind}` }).click()]);
      expect(download.suggestedFilename()).toMatch(new RegExp(`^subject-access-b-carter-\\d{4}-\\d{2}-\\d{2}\\.${kind.toLowerCase()}$`));
      const text = await (await download.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks as Buffer[]).toString('utf8'));
      if (kind === 'JSON') expect(JSON.parse(text).person.id).toBe(ben.id);
      else expect(text).toContain('Request made');
    }
    const exported = (await h.app.store.listAudit(ben.id)).filter((e) => e.action === 'subject-access.export');
    expect(exported.map((e) => e.actorId)).toEqual([demoPeople.policyAdmin.id]);
    await page.context().close();
  }, 60_000);
});
