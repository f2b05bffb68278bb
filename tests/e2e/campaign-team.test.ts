import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { demoPeople, demoStaff } from '../../src/adapters/demo-school';
import { launchChromium } from '../support/browser';
import { Harness } from '../support/harness';
import { openTabAs, seriousViolations, sidewaysOverflow } from '../support/tab-browser';

const shots = resolve(__dirname, '../../.artifacts/tab-screens');
const h = new Harness();
let browser: Browser;
const year6 = { id: '19:year6-tab@thread.tacv2', name: 'Year 6' };
beforeAll(async () => {
  await h.start();
  await h.say(demoPeople.policyAdmin, 'help');
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await h.stop();
});

it('offers "Members of a team" once Countersign is in a team, launches to it and names the team; fits 320 px', async () => {
  const { context, page } = await openTabAs(h, browser, demoPeople.policyAdmin, { width: 320 });
  await page.goto(`${h.baseUrl}/tab/#/campaigns`);
  await page.getByRole('button', { name: 'Launch a campaign' }).click();
  await page.getByRole('heading', { level: 1, name: 'Launch a campaign' }).waitFor();
  // In no team yet: no such choice, and a hint that says how to get one.
  await page.getByText(/add Countersign to the team in Teams first/).waitFor();
  expect(await page.getByRole('radio', { name: 'Members of a team' }).count()).toBe(0);
  await page.getByRole('button', { name: 'Cancel' }).click();

  await h.post(h.teamUpdate(year6, 'added'));
  const members = demoStaff.slice(0, 3);
  h.connector.setTeamRoster(year6.id, members.map((p) => ({ id: `29:${p.id}`, name: p.name, aadObjectId: p.id })));
  await page.getByRole('button', { name: 'Launch a campaign' }).click();
  await page.getByRole('radio', { name: 'Members of a team' }).check();
  const team = page.getByRole('combobox', { name: 'Team' });
  await team.waitFor();
  expect(await team.inputValue()).toBe(year6.id);
  expect(await page.getByText(/add Countersign to the team in Teams first/).count()).toBe(0);
  expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
  expect(await seriousViolations(page)).toEqual([]);
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: `${shots}/campaign-launch-team-phone-light.png`, fullPage: true });
  await page.getByLabel('Deadline').fill(new Date(Date.now() + 21 * 86_400_000).toISOString().slice(0, 10));
  await page.getByRole('button', { name: 'Launch campaign' }).click();
  await page.getByRole('heading', { level: 1, name: 'Campaign' }).waitFor();
  await page.getByText(/Audience: Members of Year 6 team\./).waitFor();
  await page.getByText(`0 of ${members.length}`, { exact: true }).waitFor({ timeout: 20_000 });
  await context.close();
}, 120_000);
