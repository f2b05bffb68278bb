/**
 * Receipts in a real browser: from My tasks at 320 px (an in-page dialog, no sideways scroll, nothing serious
 * for axe), and printed by Chromium onto exactly one A4 page, even with every field at its longest.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPeople, demoStaff } from '../../src/adapters/demo-school';
import { receiptHtml } from '../../src/services/receipt.html';
import type { Receipt } from '../../src/services/receipt.service';
import { launchChromium } from '../support/browser';
import { Harness } from '../support/harness';
import { apiAs } from '../support/tab-api';
import { openTabAs, seriousViolations, settled, sidewaysOverflow } from '../support/tab-browser';
import { actionsOf } from '../support/validate-card';

const signer = demoStaff.find((s) => s.name.startsWith('Chloe'))!;
const h = new Harness();
let browser: Browser;
let versionId = '';

beforeAll(async () => {
  await h.start();
  browser = await launchChromium();
  const me = await apiAs(h, signer);
  const [todo] = (await me.get('/api/tasks')).body.declarations;
  versionId = todo.versionId;
  const view = await me.get(`/api/declarations/${versionId}`);
  const u = new URL(actionsOf(view.body.card).find((a) => a.type === 'Action.OpenUrl').url as string);
  await fetch(`${h.baseUrl}${u.pathname}${u.search}`, { redirect: 'manual' });
  expect((await me.post(`/api/declarations/${versionId}/sign`, { typedName: signer.name, confirm: true })).status).toBe(200);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await h.stop();
});

/** Pages in a PDF Chromium wrote: its page objects (`/Type /Page`, not `/Pages`). */
const pageCount = (pdf: Buffer) => (pdf.toString('latin1').match(/\/Type\s*\/Page(?![s\w])/g) ?? []).length;

async function printedPages(html: string) {
  const page = await browser.newPage();
  await page.setContent(html);
  const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true });
  await page.close();
  return pageCount(pdf);
}

describe('receipts (Chromium)', () => {
  it('opens from My tasks at 320 px in a dialog showing the receipt, without sideways scroll', async () => {
    const { context, page } = await openTabAs(h, browser, signer, { width: 320 });
    const refused: string[] = [];
    page.on('console', (m) => /Content Security Policy/i.test(m.text()) && refused.push(m.text()));
    await page.goto(`${h.baseUrl}/tab/#/tasks`);
    await settled(page, 'My tasks');
    await page.getByRole('button', { name: /^Receipt for / }).first().click({ timeout: 15_000 });
    const dialog = page.getByRole('dialog');
    await dialog.waitFor({ timeout: 15_000 });
    const frame = page.frameLocator('iframe[title^="Receipt: "]');
    await frame.getByRole('heading', { name: 'Signature receipt' }).waitFor({ timeout: 20_000 });
    await expect(frame.getByText(/^entry \d+ of .+ audit chain$/).count()).resolves.toBe(1);
    // The frame inherits the tab's content security policy (security-headers.ts): its inline stylesheet applies.
    expect(await frame.locator('header').evaluate((el) => getComputedStyle(el).borderBottomStyle)).toBe('solid');
    expect(refused).toEqual([]);
    await dialog.getByRole('button', { name: 'Print or save as PDF' }).waitFor();
    expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
    // axe cannot run inside the frame (sandboxed without scripts, on purpose: it waits for it forever), so the
    // dialog is checked without it here, and the receipt page on its own below.
    await page.evaluate(() => document.querySelector('iframe[title^="Receipt: "]')?.remove());
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  });

  it('a policy admin finds a person on the Policies page and gets their receipt', async () => {
    const { context, page } = await openTabAs(h, browser, demoPeople.policyAdmin, { width: 320 });
    await page.goto(`${h.baseUrl}/tab/#/policies`);
    await settled(page, 'Policies');
    await page.getByRole('button', { name: /^A receipt of someone’s signature of / }).first().click({ timeout: 15_000 });
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('combobox', { name: /Whose signature/ }).pressSequentially('chloe');
    await page.getByRole('option', { name: new RegExp(`^${signer.name}`) }).click({ timeout: 15_000 });
    const frame = page.frameLocator('iframe[title^="Receipt: "]');
    await frame.getByText(signer.email, { exact: false }).waitFor({ timeout: 20_000 });
    expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
    await context.close();
  });

  it('the receipt page itself has nothing serious for axe', async () => {
    const res = await (await apiAs(h, signer)).get(`/api/receipts/${versionId}`);
    const context = await browser.newContext({ viewport: { width: 320, height: 800 } });
    const page = await context.newPage();
    await page.setContent(res.body.html);
    expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  });

  it('prints on one A4 page: the receipt the API gives, and one with every field at its longest', async () => {
    const res = await (await apiAs(h, signer)).get(`/api/receipts/${versionId}`);
    expect(res.status).toBe(200);
    expect(await printedPages(res.body.html)).toBe(1);

    // Each field at the longest the app accepts (policies.routes.ts, declaration.workflow.ts, config.ts), hashes whole.
    const long = (length: number, word: string) => `${word} `.repeat(length).slice(0, length).trim();
    const worst: Receipt = {
      schoolName: long(120, 'Larkfield'),
      timeZone: 'Europe/London',
      policyName: long(200, 'Acceptable'),
      versionId: 'v'.repeat(100),
      versionTitle: long(200, 'Social'),
      versionLabel: 'l'.repeat(50),
      effectiveDate: '2025-09-01',
      signerId: 'u'.repeat(100),
      signerName: long(200, 'Bartholomew'),
      signerEmail: `${'e'.repeat(60)}@larkfield-primary-school.example`,
      typedName: long(200, 'Bartholomew'),
      signedAt: '2025-09-15T13:05:00.000Z',
      campaignId: 'c'.repeat(100),
      contentHash: 'a'.repeat(64),
      recordHash: 'b'.repeat(64),
      chain: { seq: 123_456_789, hash: 'c'.repeat(64), prevHash: 'd'.repeat(64), recordHash: 'f'.repeat(64) },
    };
    expect(await printedPages(receiptHtml(worst, { generatedAt: '2025-10-01T09:00:00Z' }))).toBe(1);
  });
});
