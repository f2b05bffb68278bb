import { describe, expect, it } from 'vitest';
import type { SchoolRole, StaffMember } from '../../src/domain/people';
import { roleChangeRefusal } from '../../src/domain/roles';

const person = (id: string, roles: SchoolRole[], extra: Partial<StaffMember> = {}): StaffMember => ({ id, schoolId: 's', name: id.toUpperCase(), email: `${id}@s.example`, department: 'D', jobTitle: 'T', roles, ...extra });
const admin = person('ada', ['policyAdmin']);
const head = person('hal', ['headTeacher']);
const teacher = person('tia', []);
const holders = [admin, head];
const asAdmin = { id: admin.id, roles: admin.roles };

describe('who may give which role (roleChangeRefusal)', () => {
  const cases: Array<[string, { id: string; roles: SchoolRole[] }, StaffMember, SchoolRole[], StaffMember[], string | undefined]> = [
    ['a policy admin gives a teacher the network manager role', asAdmin, teacher, ['networkManager'], holders, undefined],
    ['a policy admin makes a second policy admin', asAdmin, teacher, ['policyAdmin'], holders, undefined],
    ['someone who is not a policy admin', { id: head.id, roles: head.roles }, teacher, ['networkManager'], holders, 'ROLE.NOT_ADMIN'],
    ['the last policy admin loses the role', asAdmin, admin, [], holders, 'ROLE.LAST_ADMIN'],
    ['a policy admin steps down while another remains', asAdmin, admin, [], [...holders, person('bob', ['policyAdmin'])], undefined],
    ['the other admin has left: the last one stays', asAdmin, admin, [], [...holders, person('bob', ['policyAdmin'], { leftOn: '2026-01-01' })], 'ROLE.LAST_ADMIN'],
    ['a second head teacher', asAdmin, teacher, ['headTeacher'], holders, 'ROLE.ALREADY_HELD'],
    ['the head teacher keeps the role while gaining another', asAdmin, head, ['headTeacher', 'networkManager'], holders, undefined],
    ['the head teacher who holds it has left: it can be given', asAdmin, teacher, ['headTeacher'], [admin, { ...head, leftOn: '2026-01-01' }], undefined],
    ['a role for someone who has left', asAdmin, { ...teacher, leftOn: '2026-01-01' }, ['networkManager'], holders, 'ROLE.PERSON_LEFT'],
    ['taking every role from someone who has left', asAdmin, { ...head, leftOn: '2026-01-01' }, [], holders, undefined],
  ];
  it.each(cases)('%s', (_, viewer, target, roles, all, code) => {
    expect(roleChangeRefusal(viewer, target, roles, { holders: all })?.code).toBe(code);
  });
});
