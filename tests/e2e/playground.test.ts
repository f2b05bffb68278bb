import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { demoPeople } from '../../src/adapters/demo-school';
import { createApp, type CountersignApp } from '../../src/server/app';
import { loadConfig } from '../../src/server/config';
import { launchChromium, offlinePage } from '../support/browser';
import { startPlayground } from '../support/playground';

const shots = resolve(__dirname, '../../.artifacts/e2e');
const PLAYGROUND_PORT = 56171;

let app: CountersignApp;
let playground: { url: string; stop: () => void };
let browser: Browser;
let page: Page;
let dir: string;

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'countersign-e2e-'));
  app = createApp(loadConfig({ COUNTERSIGN_MODE: 'embedded', DATA_DIR: dir }), { log: () => undefined });
  const port = await app.listen(0);
  playground = await startPlayground(PLAYGROUND_PORT, `http://localhost:${port}/api/messages`);
  browser = await launchChromium();
  page = await offlinePage(browser);
  await page.goto(playground.url);
});

afterAll(async () => {
  await browser?.close();
  playground?.stop();
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function say(text: string) {
  const box = page.locator('div[contenteditable="true"][role="textbox"]');
  await box.waitFor({ timeout: 30_000 });
  await box.fill(text);
  await page.locator('button[aria-label="Send Message"]').click();
}

const lastCard = (text: string | RegExp): Locator => page.locator('.ac-adaptiveCard').filter({ hasText: text }).last();

async function pickStaff(form: Locator, label: RegExp, names: string[]) {
  const combo = form.getByRole('combobox', { name: label });
  await combo.scrollIntoViewIfNeeded();
  await combo.click();
  for (const name of names) await page.getByRole('menuitemcheckbox', { name: new RegExp(`^${name}`) }).click();
  await page.keyboard.press('Escape');
}

test('a requester fills in the form in the Playground and submits it for approval', async () => {
  await say('request');
  const form = lastCard('Request a school social media account');
  await form.waitFor({ timeout: 30_000 });
  await page.screenshot({ path: join(shots, '01-request-form.png') });

  const text = (name: RegExp, value: string) => form.getByRole('textbox', { name }).fill(value);
  // The department starts as the requester's own, from the directory; it stays editable.
  await text(/^Department/, 'Key Stage 1');
  await text(/^Aims/, 'Share Year 2 reading challenges with families.');
  await text(/^Proposed content/, 'Weekly book recommendations and photos of displays, never of faces.');
  await form.getByRole('checkbox', { name: /Pupils' family members/ }).first().check();
  await form.getByRole('checkbox', { name: /School staff/ }).nth(1).check();
  await pickStaff(form, /^Administrators/, ['Chloe Marsh', 'Daniel Novak']);
  await pickStaff(form, /^Moderators/, ['Grace Whelan', 'Isaac Brennan']);
  await text(/^Who vets external contributors \(name\)/, 'Gareth Lloyd');
  await text(/^Who vets external contributors \(job role\)/, 'Computing subject leader');
  await text(/^Platform/, 'Facebook');
  await text(/^Who will host the site/, 'Meta Platforms');
  await form.getByRole('radio', { name: /Private \/ closed/ }).check();
  const goLive = form.getByRole('combobox', { name: /^Go-live date/ });
  await goLive.scrollIntoViewIfNeeded();
  await goLive.click();
  await page.getByRole('button', { name: /next month|Go to next month/i }).first().click().catch(async () => {
    await page.locator('[aria-label*="next" i]').first().click();
  });
  await page.getByRole('gridcell', { name: /^15/ }).first().click().catch(async () => page.getByRole('button', { name: /^15/ }).first().click());
  await text(/^How contributors will be found/, 'Staff only; no outside contributors.');
  await text(/^Security measures/, 'Closed group; members approved by two administrators.');
  await text(/^How the account will be promoted/, 'Class newsletter.');
  await text(/^How success will be judged/, 'Families taking part in the reading challenge.');
  await page.screenshot({ path: join(shots, '02-request-filled.png'), fullPage: true });

  await form.getByRole('button', { name: 'Submit for approval' }).click();
  const submitted = lastCard(/Submitted\. We will tell you here/);
  await submitted.waitFor({ timeout: 30_000 });
  await expect(submitted.textContent()).resolves.toMatch(/Waiting for Gareth Lloyd \(Computing\/ICT subject leader\), step 1 of 2/);
  await page.screenshot({ path: join(shots, '03-request-submitted.png') });

  const mine = await app.store.listRequestsByRequester(demoPeople.requester.id);
  expect(mine).toHaveLength(1);
  expect(mine[0].details).toMatchObject({ department: 'Key Stage 1', platform: 'Facebook', visibility: 'private' });
  expect(mine[0].details.administrators.map((a) => a.name)).toEqual(['Chloe Marsh', 'Daniel Novak']);
});

test('the same chat can act as the ICT leader (embedded mode only) and approve in place', async () => {
  await say('as Gareth');
  await page.getByRole('paragraph').filter({ hasText: 'This chat now acts as Gareth Lloyd' }).first().waitFor({ timeout: 30_000 });
  await say('status');
  const status = lastCard('Waiting for your decision');
  await status.waitFor({ timeout: 30_000 });
  await status.getByRole('button', { name: 'Open to decide' }).click();
  const approval = lastCard(/Approval needed\s*CS-0001/);
  await approval.waitFor({ timeout: 30_000 });
  await approval.getByRole('textbox', { name: /Type your full name to sign/ }).fill('Gareth Lloyd');
  await approval.getByRole('button', { name: 'Approve' }).click();
  const outcome = lastCard(/Approved by Gareth Lloyd at/);
  await outcome.waitFor({ timeout: 30_000 });
  await page.screenshot({ path: join(shots, '04-ict-leader-approved.png') });
  await expect(outcome.textContent()).resolves.toMatch(/Waiting for Priya Raman/);
  const [r] = await app.store.listRequestsByRequester(demoPeople.requester.id);
  expect([r.status, r.currentStep, r.steps[0].decision?.signature]).toEqual(['pending', 1, 'Gareth Lloyd']);
});

test('a member of staff signs the declaration in the Playground and the card updates in place', async () => {
  await say('as Ben');
  await page.getByRole('paragraph').filter({ hasText: 'This chat now acts as Ben Carter' }).first().waitFor({ timeout: 30_000 });
  await say('sign');
  const card = lastCard(/Acceptable use of ICT and social media/);
  await card.waitFor({ timeout: 30_000 });
  await page.screenshot({ path: join(shots, '05-declaration.png') });

  // This version asks people to open the full policy first; the link records it.
  const popup = page.waitForEvent('popup');
  // Action.OpenUrl is rendered as a link-like button; match it by its text.
  await card.locator('button, a, [role=button], [role=link]').filter({ hasText: /^Read the full policy$/ }).first().click();
  await (await popup).close();
  await expect.poll(() => app.store.policies.hasOpened(demoPeople.requester.id, 'policy-ict-social-media-2026'), { timeout: 10_000 }).toBe(true);

  await card.getByRole('checkbox', { name: /I have read and agree/ }).check();
  await card.getByRole('textbox', { name: /Type your full name to sign/ }).fill('Ben Carter');
  await card.getByRole('button', { name: 'Sign' }).click();
  const signed = lastCard(/Signed by Ben Carter on/);
  await signed.waitFor({ timeout: 30_000 });
  await page.screenshot({ path: join(shots, '06-declaration-signed.png') });
  await expect(signed.textContent()).resolves.toMatch(/version 2026-27/);
  const d = await app.store.policies.getDeclaration(demoPeople.requester.id, 'policy-ict-social-media-2026');
  expect(d?.typedName).toBe('Ben Carter');
});
