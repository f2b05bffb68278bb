import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchChromium } from '../support/browser';
import { cardSamples } from '../support/card-samples';
import { pageBackground, teamsFontFamily, teamsHostConfig, type Theme } from '../support/teams-host-config';

/**
 * Every card, drawn by adaptivecards (the renderer our tab and the Playground use) in Chromium at
 * 330 px, the width Teams mobile gives a card, in a light and a dark Teams-like host config.
 * Each rendering is saved under .artifacts/cards/ (git-ignored) for a person to look at, and checked:
 * no text wider than its box, no heading or column header broken inside a word, no request number
 * wrapped inside itself, and text contrast of at least 4.5:1 against what is behind it.
 */
const WIDTH = 330;
const shots = resolve(__dirname, '../../.artifacts/cards');
const root = resolve(__dirname, '../..');
const themes: Theme[] = ['light', 'dark'];

// Teams draws its own buttons and inputs; these stand in for them so the shots read like Teams, not like the renderer's defaults.
const css = `
  body { margin: 0; padding: 12px; font-family: ${teamsFontFamily}; }
  #cs-card-host { border-radius: 8px; overflow: hidden; }
  /* Teams indents lists less than a browser does, and counts the indent inside the text's width. */
  .ac-textBlock ul, .ac-textBlock ol { box-sizing: border-box; padding-left: 20px; margin: 4px 0; }
  .ac-pushButton { font-family: ${teamsFontFamily}; border-radius: 4px; min-height: 32px; }
  body.dark { background: ${pageBackground.dark}; }
  body.light { background: ${pageBackground.light}; }
  body.dark .ac-pushButton { background: #292929; color: #ffffff; border: 1px solid #666666; }
  body.light .ac-pushButton { background: #ffffff; color: #242424; border: 1px solid #d1d1d1; }
  body.dark input, body.dark textarea, body.dark select { background: #1f1f1f; color: #ffffff; border: 1px solid #666666; }
`;

let browser: Browser;
let page: Page;

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  browser = await launchChromium();
  // One page for every card: each rendering replaces the last, so the whole file costs one browser start.
  page = await browser.newPage({ viewport: { width: WIDTH + 24, height: 900 } });
  await page.route(/^https?:/, (r) => r.abort());
  await page.setContent(`<!doctype html><html><head><meta charset="utf-8"><style>${css}</style></head><body><div id="cs-card-host"></div></body></html>`);
  await page.addStyleTag({ path: join(root, 'node_modules/adaptivecards/dist/adaptivecards.css') });
  await page.addStyleTag({ content: css });
  await page.addScriptTag({ path: join(root, 'node_modules/adaptivecards/dist/adaptivecards.min.js') });
  await page.addScriptTag({ path: join(root, 'tests/support/card-checks.browser.js') });
});

const report: string[] = [];

afterAll(async () => {
  await browser?.close();
  // One file listing every finding, next to the screenshots, for a person going through them.
  writeFileSync(join(shots, 'findings.txt'), report.length ? report.join('\n') + '\n' : 'No findings.\n');
});

interface Finding {
  check: 'overflow' | 'word-break' | 'contrast' | 'render';
  text: string;
  detail?: string;
}

async function renderAt330(name: string, theme: Theme): Promise<Finding[]> {
  const payload = cardSamples[name]();
  const findings = (await page.evaluate(
    `document.body.className = ${JSON.stringify(theme)}; window.renderAndCheck(${JSON.stringify(payload)}, ${JSON.stringify(teamsHostConfig(theme))}, ${WIDTH})`,
  )) as Finding[];
  await page.locator('#cs-card-host').screenshot({ path: join(shots, `${name}.${theme}.png`) });
  return findings;
}

describe.each(themes)('every card at 330 px in the %s theme', (theme) => {
  test.each(Object.keys(cardSamples))('%s', async (name) => {
    const findings = (await renderAt330(name, theme)).map((f) => `${f.check}: "${f.text}" ${f.detail ?? ''}`.trim());
    report.push(...findings.map((f) => `${name}.${theme}.png  ${f}`));
    expect(findings).toEqual([]);
  });
});

describe('the checks find what they look for', () => {
  // A card made to fail each check, so a check that silently passes everything is caught.
  test('a narrow column header, a long unbroken word, a wrapped reference and faint text are all reported', async () => {
    const bad = {
      type: 'AdaptiveCard',
      version: '1.5',
      body: [
        { type: 'TextBlock', text: 'Acknowledgementsofpolicies', size: 'ExtraLarge', weight: 'Bolder', wrap: true, style: 'heading' },
        { type: 'TextBlock', text: 'Unwrappedlinethatkeepsgoingwellpastthecardedge and more', wrap: false },
        { type: 'TextBlock', text: 'Request reference CS-000000000000000000000000000000000000000001', wrap: true },
        { type: 'TextBlock', text: 'Faint warning', color: 'Warning', wrap: true },
        {
          type: 'Table',
          firstRowAsHeader: true,
          columns: [{ width: 3 }, { width: 1 }, { width: 1 }, { width: 1 }, { width: 1 }],
          rows: [{ type: 'TableRow', cells: ['Department', 'Signed', 'Outstanding', 'Failed', 'Unconfirmed'].map((t) => ({ type: 'TableCell', items: [{ type: 'TextBlock', text: t, weight: 'Bolder', wrap: true }] })) }],
        },
      ],
    };
    const findings = (await page.evaluate(
      `document.body.className = 'light'; window.renderAndCheck(${JSON.stringify(bad)}, ${JSON.stringify(teamsHostConfig('light'))}, ${WIDTH})`,
    )) as Finding[];
    const has = (check: Finding['check'], text: RegExp) => findings.some((f) => f.check === check && text.test(`${f.text} ${f.detail ?? ''}`));
    expect(has('word-break', /Acknowledgementsofpolicies/)).toBe(true);
    expect(has('overflow', /Unwrappedline/)).toBe(true);
    expect(has('word-break', /CS-0+1/)).toBe(true);
    expect(has('contrast', /Faint warning/)).toBe(true);
    expect(has('word-break', /Outstanding|Unconfirmed/)).toBe(true);
  });
});
