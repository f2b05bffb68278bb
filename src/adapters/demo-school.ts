import type { StaffMember } from '../domain/people';

/**
 * The embedded mode's demo school. Fictional, written for Countersign: any
 * likeness to a real school or person is accidental. Ids are fixed so the
 * Agents Playground config can sign in as any of them.
 */
export const demoSchool = {
  /** The embedded mode's SCHOOL_ID unless one is set: stamped on every record. */
  id: 'larkfield',
  name: 'Larkfield Primary School',
  tenantId: '00000000-0000-4000-8000-00000000aaaa',
};

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** Join dates are what a "joined since" campaign reads: three people started this school year. */
export const demoStaff: StaffMember[] = [
  { id: id(1), schoolId: demoSchool.id, name: 'Priya Raman', email: 'p.raman@larkfield.example', department: 'Senior Leadership', jobTitle: 'Head Teacher', roles: ['headTeacher'], joinedOn: '2019-01-07' },
  { id: id(2), schoolId: demoSchool.id, name: 'Tom Okafor', email: 't.okafor@larkfield.example', department: 'Senior Leadership', jobTitle: 'Deputy Head Teacher', roles: ['deputyHead'], joinedOn: '2017-09-01' },
  { id: id(3), schoolId: demoSchool.id, name: 'Gareth Lloyd', email: 'g.lloyd@larkfield.example', department: 'Computing', jobTitle: 'Computing Subject Leader and Year 5 Teacher', roles: ['ictLeader'], joinedOn: '2020-09-01' },
  { id: id(4), schoolId: demoSchool.id, name: 'Hannah Whitfield', email: 'h.whitfield@larkfield.example', department: 'Senior Leadership', jobTitle: 'Assistant Head and Designated Safeguarding Lead', roles: ['policyAdmin'], joinedOn: '2018-04-16' },
  { id: id(5), schoolId: demoSchool.id, name: 'Amira Haddad', email: 'a.haddad@larkfield.example', department: 'Key Stage 2', jobTitle: 'Year 6 Teacher', roles: [], joinedOn: '2022-09-01' },
  { id: id(6), schoolId: demoSchool.id, name: 'Ben Carter', email: 'b.carter@larkfield.example', department: 'Key Stage 2', jobTitle: 'Year 4 Teacher', roles: [], joinedOn: '2023-01-09' },
  { id: id(7), schoolId: demoSchool.id, name: 'Chloe Marsh', email: 'c.marsh@larkfield.example', department: 'Key Stage 1', jobTitle: 'Year 2 Teacher', roles: [], joinedOn: '2021-09-01' },
  { id: id(8), schoolId: demoSchool.id, name: 'Daniel Novak', email: 'd.novak@larkfield.example', department: 'Key Stage 1', jobTitle: 'Learning Support Assistant', roles: [], joinedOn: '2026-09-01' },
  { id: id(9), schoolId: demoSchool.id, name: 'Esther Mensah', email: 'e.mensah@larkfield.example', department: 'Early Years', jobTitle: 'Reception Teacher', roles: [], joinedOn: '2015-09-01' },
  { id: id(10), schoolId: demoSchool.id, name: 'Farid Aziz', email: 'f.aziz@larkfield.example', department: 'Early Years', jobTitle: 'Nursery Practitioner', roles: [], joinedOn: '2026-09-01' },
  { id: id(11), schoolId: demoSchool.id, name: 'Grace Whelan', email: 'g.whelan@larkfield.example', department: 'School Office', jobTitle: 'School Business Manager', roles: [], joinedOn: '2016-06-13' },
  { id: id(12), schoolId: demoSchool.id, name: 'Isaac Brennan', email: 'i.brennan@larkfield.example', department: 'School Office', jobTitle: 'Office Administrator', roles: [], joinedOn: '2026-10-05' },
  { id: id(13), schoolId: demoSchool.id, name: 'Jess Patel', email: 'j.patel@larkfield.example', department: 'PE and Sport', jobTitle: 'PE Coordinator', roles: [], joinedOn: '2024-04-22' },
  { id: id(14), schoolId: demoSchool.id, name: 'Kofi Asante', email: 'k.asante@larkfield.example', department: 'Governors', jobTitle: 'Parent Governor', roles: [], joinedOn: '2025-10-14' },
];

/** Who the README's walkthrough acts as. */
export const demoPeople = {
  requester: demoStaff[5],
  ictLeader: demoStaff[2],
  headTeacher: demoStaff[0],
  deputy: demoStaff[1],
  policyAdmin: demoStaff[3],
};
