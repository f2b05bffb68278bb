import { describe, expect, test } from 'vitest';
import type { StaffMember } from '../../src/domain/people';
import { inAudience } from '../../src/domain/campaign';
import { newRecipient } from '../../src/domain/recipient.workflow';
import { NO_DEPARTMENT, planRoster, planSummary, rosterWrites, type DirectoryPerson, type RosterInput } from '../../src/domain/roster';

const school = 'larkfield';
const today = '2026-11-24';
const staff = (id: string, over: Partial<StaffMember> = {}): StaffMember => ({
  id,
  schoolId: school,
  name: `Person ${id}`,
  email: `${id}@school.example`,
  department: 'Maths',
  jobTitle: 'Teacher',
  roles: [],
  ...over,
});
const person = (id: string, over: Partial<DirectoryPerson> = {}): DirectoryPerson => {
  const { roles: _r, schoolId: _s, leftOn: _l, ...rest } = staff(id);
  return { ...rest, ...over };
};
const ctx = { schoolId: school, today, markUnlistedLeft: true };

describe('planRoster: what a roster changes', () => {
  const stored = [staff('a', { roles: ['headTeacher'] }), staff('b'), staff('c', { leftOn: '2026-01-10', roles: ['ictLeader'] }), staff('z', { schoolId: 'other-school' })];

  const cases: Array<{ name: string; input: RosterInput; markUnlistedLeft?: boolean; expect: { added?: string[]; updated?: Array<[string, string[]]>; left?: string[]; rejoined?: string[]; unchanged: number } }> = [
    { name: 'the same people again: nothing to write', input: { kind: 'full', people: [person('a'), person('b')] }, expect: { unchanged: 2 } },
    { name: 'a new person is added', input: { kind: 'full', people: [person('a'), person('b'), person('d')] }, expect: { added: ['d'], unchanged: 2 } },
    {
      name: 'a rename and a department move are updates naming their fields',
      input: { kind: 'full', people: [person('a', { name: 'Person A Smith' }), person('b', { department: 'Science', jobTitle: 'Head of Science' })] },
      expect: { updated: [['a', ['name']], ['b', ['department', 'jobTitle']]], unchanged: 0 },
    },
    { name: 'a full roster marks the unlisted as left', input: { kind: 'full', people: [person('a')] }, expect: { left: ['b'], unchanged: 1 } },
    { name: 'an import without --full leaves the unlisted alone', input: { kind: 'full', people: [person('a')] }, markUnlistedLeft: false, expect: { unchanged: 1 } },
    { name: 'someone who left and is listed again rejoins', input: { kind: 'full', people: [person('a'), person('b'), person('c')] }, expect: { rejoined: ['c'], unchanged: 2 } },
    { name: 'a delta removes and adds only what it names', input: { kind: 'delta', upserts: [person('d')], removed: ['b'] }, expect: { added: ['d'], left: ['b'], unchanged: 0 } },
    { name: 'a delta removal of someone already left, unknown, or of another school changes nothing', input: { kind: 'delta', upserts: [], removed: ['c', 'nobody', 'z'] }, expect: { unchanged: 0 } },
    { name: 'ids match without case', input: { kind: 'full', people: [person('A', { name: 'Person a', email: 'a@school.example' }), person('B', { name: 'Person b', email: 'b@school.example' })] }, expect: { unchanged: 2 } },
    { name: 'a person listed twice counts once, the last listing wins', input: { kind: 'full', people: [person('a'), person('b'), person('b', { name: 'Bee' })] }, expect: { updated: [['b', ['name']]], unchanged: 1 } },
    { name: 'a person of another school is a new row for this school, the other is untouched', input: { kind: 'delta', upserts: [person('z')], removed: [] }, expect: { added: ['z'], unchanged: 0 } },
  ];

  for (const c of cases) {
    test(c.name, () => {
      const plan = planRoster(stored, c.input, { ...ctx, markUnlistedLeft: c.markUnlistedLeft ?? true });
      expect(plan.added.map((p) => p.id)).toEqual(c.expect.added ?? []);
      expect(plan.updated.map((u) => [u.before.id, u.fields])).toEqual(c.expect.updated ?? []);
      expect(plan.left.map((l) => l.before.id)).toEqual(c.expect.left ?? []);
      expect(plan.rejoined.map((r) => r.before.id)).toEqual(c.expect.rejoined ?? []);
      expect(plan.unchanged).toBe(c.expect.unchanged);
    });
  }

  test('no write carries roles: the stored ones stay, a new person starts with none', () => {
    const plan = planRoster(stored, { kind: 'full', people: [person('a', { name: 'Renamed' }), person('c'), person('d')] }, ctx);
    for (const w of rosterWrites(plan)) expect(w).not.toHaveProperty('roles');
    expect(plan.added[0]).toMatchObject({ id: 'd', schoolId: school });
  });

  test('a leaver gets today as leftOn; a rejoiner loses theirs', () => {
    const plan = planRoster(stored, { kind: 'full', people: [person('a'), person('c')] }, ctx);
    expect(plan.left[0]!.after).toMatchObject({ id: 'b', leftOn: today });
    expect(plan.rejoined[0]!.after.leftOn).toBeUndefined();
  });

  test('a blank department is stored as "No department", and that is no change the next time', () => {
    const first = planRoster([], { kind: 'full', people: [person('d', { department: '  ' })] }, ctx);
    expect(first.added[0]!.department).toBe(NO_DEPARTMENT);
    const again = planRoster([{ ...first.added[0]!, roles: [] }], { kind: 'full', people: [person('d', { department: '' })] }, ctx);
    expect(again.unchanged).toBe(1);
  });

  test('a source without a join date keeps the stored one; a new one is an update', () => {
    const withDate = [staff('a', { joinedOn: '2020-09-01' })];
    expect(planRoster(withDate, { kind: 'full', people: [person('a')] }, ctx).unchanged).toBe(1);
    const moved = planRoster(withDate, { kind: 'full', people: [person('a', { joinedOn: '2021-01-04' })] }, ctx);
    expect(moved.updated[0]!.fields).toEqual(['joinedOn']);
  });

  test('a summary in words', () => {
    expect(planSummary(planRoster(stored, { kind: 'full', people: [person('a'), person('d')] }, ctx))).toBe('1 added, 0 updated, 1 left, 0 rejoined, 1 unchanged');
  });
});

describe('departments from the directory, as audiences and reports group them', () => {
  test('someone without a department is reported and chosen as "No department"', () => {
    expect(newRecipient('c1', { id: 'a', name: 'A', department: ' ' }, '2026-11-24T10:00:00Z', school).department).toBe(NO_DEPARTMENT);
    expect(inAudience({ kind: 'departments', departments: [NO_DEPARTMENT] }, { department: '' })).toBe(true);
    expect(inAudience({ kind: 'departments', departments: ['Maths'] }, { department: '' })).toBe(false);
  });
  test('a leaver is in no audience', () => {
    expect(inAudience({ kind: 'roster' }, { department: 'Maths', leftOn: '2026-11-01' })).toBe(false);
    expect(inAudience({ kind: 'departments', departments: ['Maths'] }, { department: 'Maths', leftOn: '2026-11-01' })).toBe(false);
    expect(inAudience({ kind: 'roster' }, { department: 'Maths' })).toBe(true);
  });
});
