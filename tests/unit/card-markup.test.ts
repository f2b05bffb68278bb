import { describe, expect, test } from 'vitest';
import { demoSchool } from '../../src/adapters/demo-school';
import { demoPolicy, demoPolicyVersions } from '../../src/adapters/demo-policy';
import { inertMarkdown } from '../../src/cards/ac';
import { campaignStatusCard } from '../../src/cards/campaign.card';
import { declarationCard } from '../../src/cards/declaration.card';
import { campaignProgress, countRecipients, type Campaign } from '../../src/domain/campaign';
import type { PolicyVersion } from '../../src/domain/policy';
import { injections, markupLeak } from '../support/fuzz';
import { allText, textBlocks } from '../support/validate-card';

/**
 * A policy version's title and label are typed by a policy admin and shown to every member of staff in the
 * declaration card's heading, a TextBlock, which Teams renders as markdown. Typed markup must show as typed:
 * "[Read the policy](https://evil.example/login)" must not become a link dressed as our own words.
 */
const T0 = '2026-11-23T09:00:00.000Z';
const typed = '[Read the full policy](https://evil.example/login) **now** {{DATE(2030-01-01T00:00:00Z, SHORT)}} <at>Priya Raman</at>';
const base = demoPolicyVersions[1];
const version: PolicyVersion = {
  id: base.id,
  schoolId: demoSchool.id,
  ...base.content,
  title: typed,
  versionLabel: '[v2](javascript:alert(1))',
  policyId: demoPolicy.id,
  publishedAt: T0,
  contentHash: 'a'.repeat(64),
};
const campaign: Campaign = {
  id: 'c1',
  schoolId: demoSchool.id,
  policyId: demoPolicy.id,
  versionId: version.id,
  versionLabel: version.versionLabel,
  title: version.title,
  audience: { kind: 'roster' },
  deadline: '2099-12-18',
  reminderEveryDays: 7,
  launchedBy: 'admin',
  launchedByName: 'Hannah Whitfield',
  launchedAt: T0,
  audienceStatus: 'ready',
};

describe('typed text in a card heading shows as typed', () => {
  const cards = {
    'declaration card': declarationCard({ version, readLink: 'https://countersign.example/read?s=x', opened: false, timeZone: 'Europe/London' }),
    'superseded declaration card': declarationCard({ version, current: { ...version, id: 'newer' }, readLink: 'https://countersign.example/read?s=x', opened: false, timeZone: 'Europe/London' }),
    'campaign status card': campaignStatusCard(campaign, campaignProgress(campaign, countRecipients([]), '2026-11-25'), { timeZone: 'Europe/London' }),
  };
  test.each(Object.entries(cards))('%s: no link, image, emphasis, date function or mention from the title is live', (_name, card) => {
    expect(markupLeak(card)).toBeUndefined();
    // No markdown link or emphasis syntax survives intact in a TextBlock.
    const headings = textBlocks(card).filter((t) => t.replace(/\u200B/g, '').includes('[Read the full policy]'));
    expect(headings.length).toBeGreaterThan(0);
    for (const t of headings) expect(t).not.toMatch(/\]\(|\*\*|\{\{|<at>/);
    // …and the words are all still there for the reader.
    expect(allText(card)).toContain(typed);
  });

  test('inertMarkdown keeps every character a person typed, in order', () => {
    for (const s of [...injections, 'Acceptable use (staff) - 2026_27', '']) expect(inertMarkdown(s).replace(/\u200B/g, '')).toBe(s);
  });
});
