import { z } from 'zod';
import type { PersonRoles, RolesOverview } from '../../../contract/settings';
import { roleLabels, type StaffMember } from '../../../domain/people';
import { roleDuties, schoolRoles, singleHolderRoles } from '../../../domain/roles';
import { findStaff } from '../../../services/staff-search';
import type { ApiDeps } from '../api-deps';
import { unwrap } from '../api-error';
import { route, type ApiRoute } from '../router';

const roleList = z
  .array(z.enum(schoolRoles as [string, ...string[]], { message: `each role is one of ${schoolRoles.join(', ')}` }), { message: `a list of roles (${schoolRoles.join(', ')}); [] for none` })
  .max(schoolRoles.length, { message: 'each role once' });

const setRolesInput = z.object({ personId: z.string().trim().min(1, { message: "give the person’s id" }).max(200), roles: roleList });
const peopleQuery = z.object({ q: z.string().max(100, { message: 'at most 100 characters' }).optional().default('') });

const person = (s: StaffMember): PersonRoles => ({ id: s.id, name: s.name, email: s.email, jobTitle: s.jobTitle, department: s.department, roles: s.roles });

/** The Settings page's API (src/contract/settings.ts): who holds which role, and a policy admin's changes. */
export function settingsRoutes(d: ApiDeps): ApiRoute[] {
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
  ];
}
