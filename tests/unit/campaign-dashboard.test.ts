import { describe, expect, it } from 'vitest';
import { audienceWords, departmentWords, inAudience, signaturesByDay } from '../../src/domain/campaign';
import { remindNowRefusal } from '../../src/domain/campaign-permissions';

describe('the campaign dashboard’s derivations', () => {
  it('counts signatures cumulatively by the school’s day, not the server’s', () => {
    // 23:30 UTC on 31 March 2027 is already 1 April in London (BST).
    const at = ['2027-03-30T08:00:00Z', '2027-03-31T23:30:00Z', '2027-03-30T15:00:00Z', '2027-04-01T09:00:00Z'];
    expect(signaturesByDay(at, 'Europe/London')).toEqual([
      { day: '2027-03-30', signed: 2 },
      { day: '2027-04-01', signed: 4 },
    ]);
    expect(signaturesByDay([], 'Europe/London')).toEqual([]);
  });

  it('a department audience takes only its departments; all staff takes everyone', () => {
    const a = { kind: 'departments' as const, departments: ['Key Stage 1', 'Early Years'] };
    expect(inAudience(a, { department: 'Key Stage 1' })).toBe(true);
    expect(inAudience(a, { department: 'Key Stage 2' })).toBe(false);
    expect(inAudience({ kind: 'roster' }, { department: 'Key Stage 2' })).toBe(true);
    expect(audienceWords(a)).toBe('Key Stage 1 and Early Years');
    expect(audienceWords({ kind: 'departments', departments: ['A', 'B', 'C'] })).toBe('A, B and C');
    expect(audienceWords({ kind: 'roster' })).toBe('All staff');
    // A team's members come from the team's roster, read by the audience job: a directory record alone is never enough.
    expect(inAudience({ kind: 'team', teamId: '19:t@thread.tacv2', teamName: 'Year 6' }, { department: 'Key Stage 2' })).toBe(false);
    expect(audienceWords({ kind: 'team', teamId: '19:t@thread.tacv2', teamName: 'Year 6' })).toBe('Members of Year 6 team');
    expect(audienceWords({ kind: 'team', teamId: '19:t@thread.tacv2', teamName: 'Office team' })).toBe('Members of Office team');
    // Stored before the name was kept.
    expect(audienceWords({ kind: 'team', teamId: '19:t@thread.tacv2' })).toBe('Members of a team');
    // Joined since a date: on or after it, and only people whose join date is known.
    const newStarters = { kind: 'joinedSince', since: '2026-09-01' } as const;
    expect(inAudience(newStarters, { department: 'A', joinedOn: '2026-09-01' })).toBe(true);
    expect(inAudience(newStarters, { department: 'A', joinedOn: '2026-08-31' })).toBe(false);
    expect(inAudience(newStarters, { department: 'A' })).toBe(false);
    expect(audienceWords(newStarters)).toBe('Staff who joined on or after 1 September 2026');
    // Someone who has left is in no audience.
    for (const audience of [{ kind: 'roster' }, a, newStarters] as const) expect(inAudience(audience, { department: 'Key Stage 1', joinedOn: '2026-10-01', leftOn: '2026-11-01' })).toBe(false);
  });

  it('says a department’s line as the status card does', () => {
    expect(departmentWords({ department: 'Key Stage 1', total: 4, signed: 1, outstanding: 2, failed: 1 })).toBe('1 of 4 signed, 2 still to sign, 1 could not be reached');
    expect(departmentWords({ department: 'Office', total: 2, signed: 2, outstanding: 0, failed: 0 })).toBe('2 of 2 signed');
  });

  it('“Remind now” once a school day, and only while the campaign is open', () => {
    const open = { deadline: '2027-03-20' };
    expect(remindNowRefusal(open, '2027-03-10')).toBeUndefined();
    expect(remindNowRefusal({ ...open, remindedOn: '2027-03-09' }, '2027-03-10')).toBeUndefined();
    expect(remindNowRefusal({ ...open, remindedOn: '2027-03-10' }, '2027-03-10')).toMatchObject({ code: 'CAMPAIGN.ALREADY_REMINDED', message: expect.stringMatching(/tomorrow/) });
    expect(remindNowRefusal({ ...open, closed: { at: '2027-03-05T10:00:00Z', by: 'x', byName: 'Ada Admin' } }, '2027-03-10')).toMatchObject({ code: 'CAMPAIGN.CLOSED', message: expect.stringMatching(/closed by Ada Admin/) });
    expect(remindNowRefusal(open, '2027-03-21')).toMatchObject({ code: 'CAMPAIGN.CLOSED', message: expect.stringMatching(/deadline/) });
  });
});
