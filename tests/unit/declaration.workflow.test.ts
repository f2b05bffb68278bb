import { describe, expect, test } from 'vitest';
import { campaignProgress, addSchoolDays } from '../../src/domain/campaign';
import { signDeclaration, type Declaration } from '../../src/domain/declaration.workflow';
import { ErrorCodes } from '../../src/domain/errors';
import { plausiblySameName } from '../../src/domain/name-match';
import { canonicalVersionContent, currentVersion, type PolicyVersion } from '../../src/domain/policy';
import { newRecipient, transitionRecipient, type Recipient, type RecipientEvent, type RecipientState } from '../../src/domain/recipient.workflow';

const actor = { id: 'u1', name: 'Siobhán O’Neill-Park' };
const base: PolicyVersion = {
  id: 'v2',
  schoolId: 'larkfield',
  policyId: 'p',
  title: 'Acceptable use',
  versionLabel: '2026',
  effectiveDate: '2026-09-01',
  reviewDate: '2027-08-31',
  documentUrl: 'https://x.example/p.pdf',
  summary: 's',
  statements: ['I will'],
  requireOpenBeforeSign: false,
  publishedAt: '2026-08-01T00:00:00Z',
  contentHash: 'h2',
};
const old: PolicyVersion = { ...base, id: 'v1', versionLabel: '2025', effectiveDate: '2025-09-01', contentHash: 'h1' };
const existing: Declaration = {
  id: 'd0', schoolId: 'larkfield', signerId: 'u1', signerName: actor.name, typedName: 'x', versionId: 'v2', policyId: 'p', versionLabel: '2026', contentHash: 'h2', campaignId: null, signedAt: '2026-10-01T00:00:00Z',
};
const input = (o: Partial<Parameters<typeof signDeclaration>[0]> = {}) => ({
  id: 'd1', schoolId: 'larkfield', version: base, current: base, typedName: actor.name, confirmed: true, opened: false, campaignId: null, at: '2026-11-23T10:00:00Z', ...o,
});

describe('declaration workflow', () => {
  const table: Array<[string, Partial<Parameters<typeof signDeclaration>[0]>, string]> = [
    ['a fresh, confirmed, named signature', {}, 'signed'],
    ['the same version again', { existing }, 'alreadySigned'],
    ['again even with a wrong name (idempotent, nothing changes)', { existing, typedName: 'nobody' }, 'alreadySigned'],
    ['a superseded version', { version: old }, ErrorCodes.DECLARATION_SUPERSEDED],
    ['not confirmed', { confirmed: false }, ErrorCodes.DECLARATION_NOT_CONFIRMED],
    ['no name', { typedName: '  ' }, ErrorCodes.DECLARATION_NOT_CONFIRMED],
    ['a different person’s name', { typedName: 'John Smith' }, ErrorCodes.DECLARATION_NAME_MISMATCH],
    ['an oversized name', { typedName: 'x'.repeat(300) }, ErrorCodes.DECLARATION_NAME_MISMATCH],
    ['read-first policy not opened', { version: { ...base, requireOpenBeforeSign: true }, current: { ...base, requireOpenBeforeSign: true } }, ErrorCodes.DECLARATION_NOT_OPENED],
    ['read-first policy opened', { version: { ...base, requireOpenBeforeSign: true }, current: { ...base, requireOpenBeforeSign: true }, opened: true }, 'signed'],
  ];
  test.each(table)('%s', (_n, o, expected) => {
    const r = signDeclaration(input(o), actor);
    expect(r.ok ? r.value.kind : r.error.code).toBe(expected);
  });
  test('a signature records who, the typed name, time, version, hash, campaign and school', () => {
    const r = signDeclaration(input({ campaignId: 'c1', typedName: ' siobhan o neill park ' }), actor);
    expect(r.ok && r.value.declaration).toEqual({
      id: 'd1', schoolId: 'larkfield', signerId: 'u1', signerName: actor.name, typedName: 'siobhan o neill park', versionId: 'v2', policyId: 'p', versionLabel: '2026', contentHash: 'h2', campaignId: 'c1', signedAt: '2026-11-23T10:00:00Z',
    });
  });
});

describe('name matching forgives case, spacing, accents, punctuation, initials and middle names', () => {
  test.each([
    ['Siobhan O Neill-Park', true],
    ['  SIOBHÁN o’neill-park ', true],
    ['S. O’Neill-Park', true],
    ['Siobhan Mary O’Neill-Park', true],
    ['Siobhan Smith', false],
    ['Mary O’Neill-Park', false],
    ['Siobhan', false],
    ['', false],
  ])('%s → %s', (typed, same) => expect(plausiblySameName(typed as string, actor.name)).toBe(same));
});

describe('policy versions', () => {
  test('the canonical content changes with every signed-for field, and ignores surrounding space', () => {
    const c = canonicalVersionContent(base);
    expect(canonicalVersionContent({ ...base, summary: ' s ' })).toBe(c);
    for (const change of [{ title: 'Other' }, { statements: ['I will not'] }, { documentUrl: 'https://x.example/q.pdf' }, { requireOpenBeforeSign: true }, { versionLabel: '2027' }]) {
      expect(canonicalVersionContent({ ...base, ...change })).not.toBe(c);
    }
  });
  test('the current version is the newest already in effect', () => {
    const future = { ...base, id: 'v3', effectiveDate: '2027-09-01' };
    expect(currentVersion([old, base, future], '2026-11-23')?.id).toBe('v2');
    expect(currentVersion([old, base, future], '2026-01-01')?.id).toBe('v1');
  });
});

describe('recipient workflow: state × event', () => {
  const at = '2026-11-23T10:00:00Z';
  const r0 = newRecipient('c', { id: 'u', name: 'U', department: 'D' }, at, 'larkfield');
  const states: Record<string, Recipient> = {
    queued: r0,
    sending: { ...r0, sendingSince: at, attempts: 1 },
    sent: { ...r0, state: 'sent', conversationId: 'cv', activityId: 'a1' },
    unconfirmed: { ...r0, state: 'unconfirmed', sentAt: at },
    signed: { ...r0, state: 'signed', signedAt: at },
    failed: { ...r0, state: 'failed', failureReason: 'gone' },
  };
  const events: Record<string, RecipientEvent> = {
    attempt: { type: 'attempt', at },
    attemptFailed: { type: 'attemptFailed', at },
    assumedDelivered: { type: 'assumedDelivered', at },
    delivered: { type: 'delivered', conversationId: 'cv', activityId: 'a', at },
    failed: { type: 'failed', reason: 'x', at },
    reminded: { type: 'reminded', at },
    signed: { type: 'signed', at },
    requeue: { type: 'requeue', at },
  };
  // Expected state after the event, or null when refused.
  const expected: Record<string, Record<string, RecipientState | null>> = {
    queued: { attempt: 'queued', attemptFailed: 'queued', assumedDelivered: null, delivered: 'sent', failed: 'failed', reminded: null, signed: 'signed', requeue: null },
    sending: { attempt: null, attemptFailed: 'queued', assumedDelivered: 'unconfirmed', delivered: 'sent', failed: 'failed', reminded: null, signed: 'signed', requeue: null },
    sent: { attempt: null, attemptFailed: null, assumedDelivered: null, delivered: null, failed: null, reminded: 'sent', signed: 'signed', requeue: null },
    unconfirmed: { attempt: null, attemptFailed: null, assumedDelivered: null, delivered: null, failed: null, reminded: 'sent', signed: 'signed', requeue: null },
    signed: { attempt: null, attemptFailed: null, assumedDelivered: null, delivered: null, failed: null, reminded: null, signed: null, requeue: null },
    failed: { attempt: null, attemptFailed: null, assumedDelivered: null, delivered: null, failed: null, reminded: null, signed: 'signed', requeue: 'queued' },
  };
  const cases = Object.keys(states).flatMap((s) => Object.keys(events).map((e) => ({ s, e, want: expected[s][e] })));
  test('the table is complete', () => expect(cases).toHaveLength(6 * 8));
  test.each(cases)('$e on $s → $want', ({ s, e, want }) => {
    const r = transitionRecipient(states[s], events[e]);
    expect(r.ok ? r.value.state : null).toBe(want);
    if (!r.ok) expect(r.error.code).toBe(ErrorCodes.RECIPIENT_BAD_TRANSITION);
  });
  test('a redelivered send job cannot attempt twice while one is in flight; an assumed delivery has no message id', () => {
    const sending = transitionRecipient(r0, events.attempt);
    expect(sending.ok && transitionRecipient(sending.value, events.attempt).ok).toBe(false);
    const assumed = sending.ok && transitionRecipient(sending.value, events.assumedDelivered);
    expect(assumed && assumed.ok && [assumed.value.state, assumed.value.activityId]).toEqual(['unconfirmed', null]);
  });
  test('a reminder that reaches an unconfirmed recipient confirms delivery, with where the fresh card went', () => {
    const r = transitionRecipient(states.unconfirmed, { type: 'reminded', at, conversationId: 'cv2', activityId: 'a2' });
    expect(r.ok && [r.value.state, r.value.conversationId, r.value.activityId, r.value.remindersSent]).toEqual(['sent', 'cv2', 'a2', 1]);
    const inPlace = transitionRecipient(states.sent, { type: 'reminded', at });
    expect(inPlace.ok && [inPlace.value.conversationId, inPlace.value.activityId]).toEqual(['cv', 'a1']);
  });
});

describe('campaign progress is derived from recipient counts', () => {
  test('totals, shares, departments and phase', () => {
    const p = campaignProgress({ deadline: '2026-12-01' }, [
      { state: 'signed', department: 'KS1', count: 3 },
      { state: 'sent', department: 'KS1', count: 1 },
      { state: 'failed', department: 'KS2', count: 1 },
      { state: 'queued', department: 'KS2', count: 5 },
    ], '2026-11-23');
    expect(p.total).toBe(10);
    expect(p.signedShare).toBeCloseTo(0.3);
    expect(p.phase).toBe('sending');
    expect(p.byDepartment).toEqual([
      { department: 'KS1', total: 4, signed: 3, outstanding: 1, failed: 0 },
      { department: 'KS2', total: 6, signed: 0, outstanding: 5, failed: 1 },
    ]);
    expect(campaignProgress({ deadline: '2026-12-01' }, [{ state: 'sent', department: 'A', count: 1 }], '2026-11-23').phase).toBe('open');
    expect(campaignProgress({ deadline: '2026-12-01' }, [{ state: 'sent', department: 'A', count: 1 }], '2026-12-02').phase).toBe('closed');
  });
  test('unconfirmed recipients are counted apart, as outstanding; preparing and closed early are phases', () => {
    const counts = [
      { state: 'unconfirmed' as const, department: 'KS1', count: 2 },
      { state: 'sent' as const, department: 'KS1', count: 1 },
    ];
    const p = campaignProgress({ deadline: '2026-12-01' }, counts, '2026-11-23');
    expect([p.total, p.byState.unconfirmed, p.byState.sent, p.byDepartment[0]!.outstanding]).toEqual([3, 2, 1, 3]);
    expect(campaignProgress({ deadline: '2026-12-01', audienceStatus: 'preparing' }, counts, '2026-11-23').phase).toBe('preparing');
    expect(campaignProgress({ deadline: '2026-12-01', audienceStatus: 'ready' }, counts, '2026-11-23').phase).toBe('open');
    expect(campaignProgress({ deadline: '2026-12-01', closed: { at: '2026-11-20T10:00:00Z', by: 'u', byName: 'U' } }, counts, '2026-11-23').phase).toBe('closed');
  });
  test('school days skip weekends', () => {
    expect(addSchoolDays(new Date('2026-11-27T09:00:00Z'), 1).toISOString().slice(0, 10)).toBe('2026-11-30'); // Friday + 1 = Monday
    expect(addSchoolDays(new Date('2026-11-23T09:00:00Z'), 5).toISOString().slice(0, 10)).toBe('2026-11-30');
  });
});
