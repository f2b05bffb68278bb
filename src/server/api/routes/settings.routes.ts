import { z } from 'zod';
import type { PersonRoles, RolesOverview, SubjectAccessAnswer } from '../../../contract/settings';
import { roleLabels, type StaffMember } from '../../../domain/people';
import { roleDuties, schoolRoles, singleHolderRoles } from '../../../domain/roles';
import { findStaff } from '../../../services/staff-search';
import { SubjectAccessService } from '../../../services/subject-access.service';
import type { ApiDeps } from '../api-deps';
import { unwrap } from '../api-error';
import { route, type ApiRoute } from '../router';

const roleList = z
  .array(z.enum(schoolRoles as [string, ...string[]], { message: `each role is one of ${schoolRoles.join(', ')}` }), { message: `a list of roles (${schoolRoles.join(', ')}); [] for none` })
  .max(schoolRoles.length, { message: 'each role once' });

const setRolesInput = z.object({ personId: z.string().trim().min(1, { message: "give the person’s id" }).max(200), roles: roleList });
const peopleQuery = z.object({ q: z.string().max(100, { message: 'at most 100 characters' }).optional().default('') });

const subjectAccessInput = z.object({
  personId: z.string({ message: 'give the person’s id or e-mail address' }).trim().min(1, { message: 'give the person’s id or e-mail address' }).max(320, { message: 'at most 320 characters' }),
});

const person = (s: StaffMember): PersonRoles => ({ id: s.id, name: s.name, email: s.email, jobTitle: s.jobTitle, department: s.department, roles: s.roles, ...(s.leftOn ? { leftOn: s.leftOn } : {}) });

/** The Settings page's API (src/contract/settings.ts): who holds which role, and a policy admin's changes. */
export function settingsRoutes(d: ApiDeps): ApiRoute[] {
  const subjectAccess = new SubjectAccessService({ store: d.store, policies: d.store.policies, campaigns: d.store.campaigns, clock: d.clock, ids: d.ids });
  return [
    route({
      method: 'get',
      path: '/settings/roles',
      page: 'settings',
      async handle({ viewer }): Promise<RolesOverview> {
        const holders = unwrap(await d.roles.holders(viewer));
        return {
          roles: schoolRoles.map((role) => ({ role, label: roleLabels[role], duties: roleDuties[role], singleHolder: singleHolderRoles.includes(role) })),
          holders: holders.map(person),
        };
      },
    }),
    route({
      method: 'get',
      path: '/settings/people',
      page: 'settings',
      input: peopleQuery,
      async handle(_ctx, q: z.infer<typeof peopleQuery>): Promise<PersonRoles[]> {
        return (await findStaff(d.directory, q.q)).map(person);
      },
    }),
    route({
      method: 'put',
      path: '/settings/people/:personId/roles',
      page: 'settings',
      input: setRolesInput,
      async handle({ me, viewer }, input: z.infer<typeof setRolesInput>): Promise<PersonRoles> {
        return person(unwrap(await d.roles.setRoles({ id: me.id, name: me.name }, viewer, input.personId, input.roles as StaffMember['roles'])));
      },
    }),
    route({
      method: 'get',
      path: '/settings/subject-access/people',
      page: 'settings',
      input: peopleQuery,
      async handle(_ctx, q: z.infer<typeof peopleQuery>): Promise<PersonRoles[]> {
        // Leavers too: a subject access request often comes from someone who has left.
        return (await findStaff(d.directory, q.q, 20, { leavers: true })).map(person);
      },
    }),
    route({
      method: 'post',
      path: '/settings/subject-access',
      page: 'settings',
      input: subjectAccessInput,
      async handle({ me, actor, viewer }, input: z.infer<typeof subjectAccessInput>): Promise<SubjectAccessAnswer> {
        const files = unwrap(await subjectAccess.export({ kind: 'staff', actor, viewer, schoolId: me.schoolId }, input.personId));
        const x = files.export;
        d.log(`subject access export of ${x.person.id} by ${actor.id}`);
        return {
          person: { id: x.person.id, name: x.person.name, email: x.person.email, ...(x.person.leftOn ? { leftOn: x.person.leftOn } : {}) },
          fileBase: files.fileBase,
          json: files.json,
          csv: files.csv,
          counts: [
            { kind: 'Requests made', count: x.requestsMade.length },
            { kind: 'Requests naming them', count: x.requestsNamingThem.length },
            { kind: 'Decisions', count: x.decisions.length },
            { kind: 'Accounts in the register', count: x.accounts.length },
            { kind: 'Signed declarations', count: x.declarations.length },
            { kind: 'Campaign records', count: x.campaignRecords.length },
            { kind: 'Campaigns run', count: x.campaignsRun.length },
            { kind: 'Audit entries', count: x.audit.length },
          ],
        };
      },
    }),
  ];
}
