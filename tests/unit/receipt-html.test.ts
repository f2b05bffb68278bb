import { describe, expect, it } from 'vitest';
import { BEING_RECORDED, receiptFileName, receiptHtml } from '../../src/services/receipt.html';
import type { Receipt } from '../../src/services/receipt.service';

const hash = (c: string) => c.repeat(64);
const receipt = (over: Partial<Receipt> = {}): Receipt => ({
  schoolName: 'Larkfield Primary',
  timeZone: 'Europe/London',
  policyName: 'Acceptable use of ICT',
  versionId: 'v-2025',
  versionTitle: 'Acceptable use of ICT and social media',
  versionLabel: '2025-26',
  effectiveDate: '2025-09-01',
  signerId: 'u-1',
  signerName: 'Pat Jones',
  signerEmail: 'pat@larkfield.example',
  typedName: 'Pat Jones',
  signedAt: '2025-09-15T13:05:00.000Z',
  campaignId: null,
  contentHash: hash('a'),
  recordHash: hash('b'),
  chain: { seq: 42, hash: hash('c'), prevHash: hash('d'), recordHash: hash('b') },
  ...over,
});
const text = (html: string) => html.replace(/<style>[\s\S]*?<\/style>/, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('receiptHtml', () => {
  it('shows every field of the evidence, the time in the school’s time zone, and how to check it', () => {
    const t = text(receiptHtml(receipt(), { generatedAt: '2025-10-01T09:00:00Z' }));
    for (const s of [
      'Larkfield Primary',
      'Acceptable use of ICT, version 2025-26',
      'Signed by Pat Jones (pat@larkfield.example)',
      'Name typed as signature Pat Jones',
      // 13:05 UTC is 14:05 in London in September (BST).
      'Signed at 15 September 2025, 14:05 (Europe/London)',
      'Effective from 1 September 2025',
      `Content hash (SHA-256) ${hash('a')}`,
      `Signature record hash ${hash('b')}`,
      'Chain position entry 42 of Larkfield Primary’s audit chain',
      `Entry hash ${hash('c')}`,
      `Previous entry hash ${hash('d')}`,
      'npm run audit:verify',
    ]) {
      expect(t).toContain(s);
    }
    expect(t).not.toContain('being recorded');
    expect(t).not.toContain('no longer matches the hash its audit entry');
  });

  it('shows user text as text: a typed name of <script> is escaped, never markup', () => {
    const html = receiptHtml(receipt({ typedName: '<script>alert(1)</script>', signerName: 'Pat "Jo" O\'Neil & co', policyName: '<img src=x onerror=alert(1)>' }), { generatedAt: '2025-10-01T09:00:00Z' });
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Pat &quot;Jo&quot; O&#39;Neil &amp; co');
  });

  it('says plainly when the chain position is still being recorded, and when the record no longer matches its entry', () => {
    const pending = text(receiptHtml(receipt({ chain: null }), { generatedAt: '2025-10-01T09:00:00Z' }));
    expect(pending).toContain(BEING_RECORDED);
    expect(pending).not.toContain('Entry hash');
    const changed = text(receiptHtml(receipt({ recordHash: hash('e') }), { generatedAt: '2025-10-01T09:00:00Z' }));
    expect(changed).toContain('no longer matches the hash its audit entry recorded');
  });

  it('is self-contained, with a print stylesheet for one A4 page', () => {
    const html = receiptHtml(receipt(), { generatedAt: '2025-10-01T09:00:00Z' });
    expect(html).not.toMatch(/<(link|script|img)\b|src=|url\(/);
    expect(html).toMatch(/@media print\{\s*@page\{size:A4/);
  });
});

describe('receiptFileName', () => {
  it('keeps only safe characters', () => {
    expect(receiptFileName('pat@larkfield.example', '2025-26')).toBe('receipt-pat-larkfield.example-2025-26.html');
    expect(receiptFileName('../../etc', 'v 1/2')).toBe('receipt-etc-v-1-2.html');
  });
});
