import { describe, expect, it } from 'vitest';
import { accountPermissions, accountRefusal } from '../../src/domain/account-permissions';
import { accountReviewDate, accountWarnings, confirmGoLive, daysUntil, handOver } from '../../src/domain/account-register';
import type { RegisteredAccount } from '../../src/domain/account-request';
import { ErrorCodes } from '../../src/domain/errors';

const account = (extra: Partial<RegisteredAccount> = {}): RegisteredAccount => ({
  id: 'acc-1',
  schoolId: 'larkfield',
  requestId: 'r1',
  reference: 'CS-0001',
  department: 'Key Stage 2',
  platform: 'Instagram',
  host: 'Meta',
  visibility: 'private',
  administrators: [
    { id: 'a1', name: 'Amira' },
    { id: 'a2', name: 'Ben' },
  ],
  moderators: [
    { id: 'm1', name: 'Chloe' },
    { id: 'm2', name: 'Grace' },
  ],
  goLive: '2026-01-10',
  closure: '',
  approvedAt: '2026-01-05T10:00:00.000Z',
  ownerId: 'a1',
  ownerName: 'Amira',
  ...extra,
});

const kinds = (a: RegisteredAccount, today: string, left?: Set<string>) => accountWarnings(a, today, left).map((w) => w.kind);

describe('the review date', () => {
  it('is a year after final approval, the day the annual review reminder is booked for', () => {
    expect(accountReviewDate(account())).toBe('2027-01-05');
    expect(accountReviewDate(account({ approvedAt: '' }))).toBe('');
  });
});

describe('account warnings', () => {
  const today = '2026-03-01';

  it('has none for a healthy account with no closure date and a review far off', () => {
    expect(accountWarnings(account(), today)).toEqual([]);
  });

  it('warns when fewer than two administrators or moderators remain, counting people who have left as gone', () => {
    expect(kinds(account(), today, new Set(['a2']))).toEqual(['staffLeft', 'fewAdministrators']);
    expect(kinds(account(), today, new Set(['m1', 'm2']))).toEqual(['staffLeft', 'fewModerators']);
    expect(accountWarnings(account(), today, new Set(['m1', 'm2']))[1]!.message).toBe('Only 0 moderators remain; an account needs 2.');
    expect(kinds(account({ administrators: [{ id: 'a1', name: 'Amira' }] }), today)).toEqual(['fewAdministrators']);
    expect(accountWarnings(account({ administrators: [{ id: 'a1', name: 'Amira' }] }), today)[0]!.message).toBe('Only 1 administrator remains; an account needs 2.');
  });

  it('names the administrators and moderators who have left, so their part is handed over', () => {
    expect(accountWarnings(account(), today, new Set(['a2']))[0]).toEqual({ kind: 'staffLeft', message: 'Ben (administrator) has left the school: hand their part over to someone who is staying.' });
    expect(accountWarnings(account(), today, new Set(['a1', 'm2']))[0]!.message).toBe('Amira (administrator) and Grace (moderator) have left the school: hand their parts over to someone who is staying.');
    expect(kinds(account(), today, new Set(['someone-else']))).toEqual([]);
  });

  it('counts the same person listed twice once, and a typed name without an id as present', () => {
    expect(kinds(account({ administrators: [{ id: 'a1', name: 'Amira' }, { id: 'a1', name: 'Amira' }] }), today)).toEqual(['fewAdministrators']);
    expect(kinds(account({ moderators: [{ id: '', name: 'Someone' }, { id: 'm1', name: 'Chloe' }] }), today)).toEqual([]);
  });

  it('warns of a closure date 30 days ahead or nearer, today, or past, and not 31 days ahead', () => {
    expect(kinds(account({ closure: '2026-04-01' }), today)).toEqual([]); // 31 days
    expect(kinds(account({ closure: '2026-03-31' }), today)).toEqual(['closureSoon']); // 30 days
    expect(accountWarnings(account({ closure: '2026-03-31' }), today)[0]!.message).toBe('Closure date is in 30 days.');
    expect(accountWarnings(account({ closure: '2026-03-01' }), today)[0]!.message).toBe('Closure date is today.');
    expect(kinds(account({ closure: '2026-02-28' }), today)).toEqual(['closurePast']);
    expect(accountWarnings(account({ closure: '2026-02-28' }), today)[0]!.message).toBe('Closure date passed 1 day ago.');
  });

  it('warns of the review 30 days ahead or nearer, and once it is past', () => {
    expect(kinds(account(), '2026-12-05')).toEqual([]); // 31 days before 2027-01-05
    expect(kinds(account(), '2026-12-06')).toEqual(['reviewSoon']);
    expect(kinds(account(), '2027-01-06')).toEqual(['reviewPast']);
  });

  it('lists every problem at once, people first', () => {
    expect(kinds(account({ closure: '2026-03-02' }), '2027-01-01', new Set(['a1', 'm1']))).toEqual(['staffLeft', 'fewAdministrators', 'fewModerators', 'closurePast', 'reviewSoon']);
  });

  it('counts days across a clock change as whole days', () => {
    expect(daysUntil('2026-03-30', '2026-03-28')).toBe(2);
    expect(daysUntil('2026-10-26', '2026-10-24')).toBe(2);
  });
});

describe('who may confirm and hand over', () => {
  it('lets the account’s administrators confirm, and no one else, whatever their role', () => {
    expect(accountPermissions(account(), { id: 'a2', roles: [] })).toEqual({ confirm: true, handover: false });
    expect(accountRefusal(account(), { id: 'ict', roles: ['ictLeader'] }, 'confirm')!.code).toBe(ErrorCodes.ACCOUNT_NOT_ADMINISTRATOR);
    expect(accountRefusal(account(), { id: 'm1', roles: [] }, 'confirm')!.code).toBe(ErrorCodes.ACCOUNT_NOT_ADMINISTRATOR);
  });

  it('lets the ICT leader, the head and policy admins hand over, and not a deputy head or a teacher', () => {
    for (const role of ['ictLeader', 'headTeacher', 'policyAdmin'] as const) expect(accountPermissions(account(), { id: 'x', roles: [role] }).handover).toBe(true);
    expect(accountRefusal(account(), { id: 'x', roles: ['deputyHead'] }, 'handover')!.code).toBe(ErrorCodes.ACCOUNT_NOT_KEEPER);
    expect(accountRefusal(account(), { id: 'a1' }, 'handover')!.code).toBe(ErrorCodes.ACCOUNT_NOT_KEEPER);
  });
});

describe('confirming go-live', () => {
  const actor = { id: 'a1', name: 'Amira' };
  it('records the day, the network manager’s name, who and when', () => {
    const r = confirmGoLive(account(), { liveOn: '2026-01-12', networkManagerName: '  Gareth Lloyd ', at: '2026-01-12T09:00:00.000Z' }, actor);
    expect(r.ok && r.value.confirmation).toEqual({ liveOn: '2026-01-12', networkManagerName: 'Gareth Lloyd', byId: 'a1', byName: 'Amira', at: '2026-01-12T09:00:00.000Z' });
  });
  it('refuses a blank name and a go-live after the closure date, naming the field', () => {
    const blank = confirmGoLive(account(), { liveOn: '2026-01-12', networkManagerName: '  ', at: 'x' }, actor);
    expect(!blank.ok && blank.error.fields).toHaveProperty('networkManagerName');
    const late = confirmGoLive(account({ closure: '2026-01-11' }), { liveOn: '2026-01-12', networkManagerName: 'G', at: 'x' }, actor);
    expect(!late.ok && late.error.fields).toHaveProperty('liveOn');
  });
});

describe('handing over', () => {
  it('replaces the administrator in place', () => {
    const r = handOver(account(), { fromId: 'a2', to: { id: 'n1', name: 'Nia' } });
    expect(r.ok && r.value.administrators).toEqual([
      { id: 'a1', name: 'Amira' },
      { id: 'n1', name: 'Nia' },
    ]);
  });
  it('refuses someone who is not an administrator, a replacement already on the list or gone, and a list left with one person', () => {
    const field = (r: ReturnType<typeof handOver>) => (!r.ok ? Object.keys(r.error.fields ?? {})[0] : 'ok');
    expect(field(handOver(account(), { fromId: 'm1', to: { id: 'n1', name: 'Nia' } }))).toBe('fromId');
    expect(field(handOver(account(), { fromId: 'a2', to: { id: 'a1', name: 'Amira' } }))).toBe('toId');
    expect(field(handOver(account(), { fromId: 'a2', to: { id: 'n1', name: 'Nia' } }, new Set(['n1'])))).toBe('toId');
    expect(field(handOver(account({ administrators: [{ id: 'a1', name: 'Amira' }] }), { fromId: 'a1', to: { id: 'n1', name: 'Nia' } }))).toBe('fromId');
  });
  it('allows replacing one who left while another who left is still listed: a step towards two', () => {
    const r = handOver(account(), { fromId: 'a1', to: { id: 'n1', name: 'Nia' } }, new Set(['a1', 'a2']));
    expect(r.ok).toBe(true);
    expect(r.ok && accountWarnings(r.value, '2026-03-01', new Set(['a1', 'a2'])).map((w) => w.kind)).toEqual(['staffLeft', 'fewAdministrators']);
  });
});
