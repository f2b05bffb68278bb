import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPeople } from '../../src/adapters/demo-school';
import type { StaffMember } from '../../src/domain/people';
import { launchChromium } from '../support/browser';
import { validForm } from '../support/forms';
import { openTabAs, seriousViolations, settled, sidewaysOverflow } from '../support/tab-browser';
import { Harness } from '../support/harness';
import { actionsOf } from '../support/validate-card';

const SHOTS = join('.artifacts', 'tab-screens');
const { requester, ictLeader, headTeacher } = demoPeople;

const h = new Harness();
let browser: Browser;
const ids: string[] = [];
beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  await h.start();
  browser = await launchChromium();
  for (const platform of ['Instagram', 'YouTube']) {
    const res = await h.invoke(requester, 'request.submit', validForm({ platform }));
    ids.push(actionsOf(res.card).find((a) => a.verb === 'request.withdraw')!.data.requestId);
  }
  await h.idle();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await h.stop();
});

const openAs = (person: Pick<StaffMember, 'id'>, width: number) => openTabAs(h, browser, person, { width });

async function looksRight(page: Page, shot: string) {
  await page.screenshot({ path: join(SHOTS, `${shot}.png`), fullPage: true });
  expect(await sidewaysOverflow(page), `${shot} scrolls sideways`).toBeLessThanOrEqual(0);
  expect(await seriousViolations(page), shot).toEqual([]);
}

describe('My tasks and Approvals with requests in them (Chromium)', () => {
  it('the ICT leader approves from the card on My tasks at 320 px; the head teacher is sent theirs; Approvals lists it and its page shows the signature', async () => {
    const { context, page } = await openAs(ictLeader, 320);
    await page.goto(`${h.baseUrl}/tab/#/tasks`);
    await settled(page, 'My tasks');
    const card = page.getByRole('region', { name: /^Approval for / }).first();
    await card.waitFor();
    await looksRight(page, 'tasks-approver-phone');

    const sentBefore = h.connector.cardsFor(headTeacher.id).length;
    await card.getByLabel('Type your full name to sign').fill('Gareth Lloyd');
    await card.getByRole('button', { name: 'Approve' }).click();
    await page.getByText(/^Approved by Gareth Lloyd at /).first().waitFor({ timeout: 20_000 });
    await h.idle();
    expect(h.connector.cardsFor(headTeacher.id).length).toBeGreaterThan(sentBefore);

    await page.goto(`${h.baseUrl}/tab/#/approvals`);
    await settled(page, 'Approvals');
    await page.getByRole('table', { name: 'Requests of the school' }).waitFor();
    await looksRight(page, 'approvals-list-phone');
    await page.getByRole('link', { name: /Instagram account/ }).click();
    await settled(page, /Instagram account/);
    await page.getByText('Signed “Gareth Lloyd”').waitFor();
    await looksRight(page, 'approvals-request-phone');
    await context.close();
  });

  it('the requester reads a declaration at 320 px and sees their requests stacked, without sideways scroll', async () => {
    const { context, page } = await openAs(requester, 320);
    await page.goto(`${h.baseUrl}/tab/#/tasks`);
    await settled(page, 'My tasks');
    await page.getByRole('table', { name: 'Your requests' }).waitFor();
    await looksRight(page, 'tasks-requester-phone');
    await page.getByRole('button', { name: /^Read and sign/ }).first().click();
    await page.getByRole('region', { name: /^Declaration: / }).waitFor();
    await looksRight(page, 'tasks-declaration-phone');
    await context.close();
  });

  it('at 1280 px the tables are tables', async () => {
    const { context, page } = await openAs(headTeacher, 1280);
    await page.goto(`${h.baseUrl}/tab/#/approvals`);
    await settled(page, 'Approvals');
    await page.getByRole('columnheader', { name: 'Requested by' }).waitFor();
    await looksRight(page, 'approvals-list-desktop');
    await context.close();
  });
});
