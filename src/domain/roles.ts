import { domainError, ErrorCodes, type DomainError } from './errors';
import { roleLabels, type SchoolRole, type StaffMember } from './people';
import type { Viewer } from './request-permissions';

/** Every role, in the order the Settings page lists them. */
export const schoolRoles: readonly SchoolRole[] = ['headTeacher', 'deputyHead', 'ictLeader', 'policyAdmin', 'networkManager'];

/**
 * Roles one person holds for the school: approvals route to "the" head teacher, "the" deputy and
 * "the" ICT leader, so a second holder would make the route depend on list order.
 */
export const singleHolderRoles: readonly SchoolRole[] = ['headTeacher', 'deputyHead', 'ictLeader'];

/** What each role lets a person do, in the words the Settings page shows. */
export const roleDuties: Record<SchoolRole, string> = {
  headTeacher: 'Gives the final approval of every account request; keeps the account register.',
  deputyHead: 'Takes over approvals when the head teacher or ICT leader has left; sees every request.',
  ictLeader: 'Gives the first approval of every account request; keeps the account register.',
  policyAdmin: 'Publishes policies, runs campaigns and assigns roles (this page).',
  networkManager: 'Holds the school accounts’ logins.',
};

/** Who may assign roles: policy admins. Decided here, once; the API and the bot ask this. */
export function mayAssignRoles(viewer: Viewer): boolean {
  return (viewer.roles ?? []).includes('policyAdmin');
}

/** The roles as given, each once, in the Settings page's order. */
export const normaliseRoles = (roles: readonly SchoolRole[]): SchoolRole[] => schoolRoles.filter((r) => roles.includes(r));

export interface RoleChangeContext {
  /** Everyone who holds a role now (the school's role holders). */
  holders: readonly StaffMember[];
}

/**
 * Undefined when `viewer` may give `target` exactly `roles`; otherwise why not. Refused: someone who
 * is not a policy admin; a person who has left; taking the policy admin role from the school's last
 * policy admin (nobody could assign roles again); a single-holder role another person holds (the
 * message names them: take it from them first).
 */
export function roleChangeRefusal(viewer: Viewer, target: StaffMember, roles: readonly SchoolRole[], ctx: RoleChangeContext): DomainError | undefined {
  if (!mayAssignRoles(viewer)) return domainError(ErrorCodes.ROLE_NOT_ADMIN, 'Only a policy admin can assign roles. Ask your school’s policy admin.');
  const next = normaliseRoles(roles);
  if (target.leftOn && next.length) return domainError(ErrorCodes.ROLE_PERSON_LEFT, `${target.name} has left the school, so they can hold no role.`, { fields: { roles: 'Someone who has left holds no role.' } });
  const otherAdmins = ctx.holders.filter((h) => h.id !== target.id && !h.leftOn && h.roles.includes('policyAdmin'));
  if (target.roles.includes('policyAdmin') && !next.includes('policyAdmin') && otherAdmins.length === 0) {
    return domainError(ErrorCodes.ROLE_LAST_ADMIN, `${target.name} is the school’s only policy admin: make someone else a policy admin first, or nobody could assign roles.`, {
      fields: { roles: 'Keep Policy admin: they are the only one.' },
    });
  }
  for (const role of singleHolderRoles) {
    if (!next.includes(role) || target.roles.includes(role)) continue;
    const holder = ctx.holders.find((h) => h.id !== target.id && !h.leftOn && h.roles.includes(role));
    if (holder) {
      return domainError(ErrorCodes.ROLE_ALREADY_HELD, `${holder.name} is the ${roleLabels[role].toLowerCase()}. Take the role from them first: approvals go to one ${roleLabels[role].toLowerCase()}.`, {
        fields: { roles: `${roleLabels[role]} is held by ${holder.name}.` },
      });
    }
  }
  return undefined;
}
