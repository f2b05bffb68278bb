import { domainError, ErrorCodes, type DomainError } from '../domain/errors';
import { roleLabels, type Actor, type SchoolRole, type StaffMember } from '../domain/people';
import type { Viewer } from '../domain/request-permissions';
import { mayAssignRoles, normaliseRoles, roleChangeRefusal, schoolRoles } from '../domain/roles';
import { err, ok, type Result } from '../domain/result';
import type { Clock } from '../ports/clock';
import type { Directory } from '../ports/directory';
import type { IdSource } from '../ports/ids';
import type { Store } from '../ports/store';

export interface RolesDeps {
  store: Store;
  directory: Directory;
  clock: Clock;
  ids: IdSource;
}

const notAdmin = () => domainError(ErrorCodes.ROLE_NOT_ADMIN, 'Only a policy admin can assign roles. Ask your school’s policy admin.');

/**
 * Roles held per school, in the store: who holds each, and a policy admin's changes to them (which
 * apply at the next action: the actor is read afresh each time). The first policy admins come from
 * the COUNTERSIGN_ADMINS setting, once, while the school has none.
 */
export class RolesService {
  constructor(private readonly d: RolesDeps) {}

  /** Everyone who holds a role, by role, in the Settings page's order. */
  async holders(viewer: Viewer): Promise<Result<StaffMember[], DomainError>> {
    if (!mayAssignRoles(viewer)) return err(notAdmin());
    return ok(await this.allHolders());
  }

  private async allHolders(): Promise<StaffMember[]> {
    const seen = new Map<string, StaffMember>();
    for (const role of schoolRoles) for (const s of await this.d.directory.findByRole(role)) seen.set(s.id, s);
    return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Sets `personId`'s roles to exactly `roles`, if the domain allows; writes an audit entry saying what changed. */
  async setRoles(actor: Actor, viewer: Viewer, personId: string, roles: readonly SchoolRole[]): Promise<Result<StaffMember, DomainError>> {
    if (!mayAssignRoles(viewer)) return err(notAdmin());
    const target = await this.d.store.getStaff(personId);
    if (!target) return err(domainError(ErrorCodes.ROLE_PERSON_NOT_FOUND, 'No one with this id is on the staff list.'));
    const refusal = roleChangeRefusal(viewer, target, roles, { holders: await this.allHolders() });
    if (refusal) return err(refusal);
    const next = normaliseRoles(roles);
    if (sameRoles(next, target.roles)) return ok(target);
    const saved = await this.d.store.setStaffRoles(target.id, next, {
      id: this.d.ids.next(),
      schoolId: target.schoolId,
      entityType: 'staff',
      entityId: target.id,
      actorId: actor.id,
      actorName: actor.name,
      action: 'staff.roles',
      at: this.d.clock.now().toISOString(),
      before: JSON.stringify({ roles: target.roles }),
      after: JSON.stringify({ roles: next }),
    });
    return saved ? ok(saved) : err(domainError(ErrorCodes.ROLE_PERSON_NOT_FOUND, 'No one with this id is on the staff list.'));
  }

  /**
   * COUNTERSIGN_ADMINS: object ids or e-mail addresses (UPNs) of the first policy admins. Applied only
   * while the school has no policy admin, so the setting never overrides what admins later decide in
   * Settings. Returns what it did, and who it could not find yet (the roster may not have synced).
   */
  async grantFirstAdmins(named: readonly string[]): Promise<{ granted: StaffMember[]; notFound: string[] }> {
    if (!named.length) return { granted: [], notFound: [] };
    if ((await this.d.directory.findByRole('policyAdmin')).some((s) => !s.leftOn)) return { granted: [], notFound: [] };
    const granted: StaffMember[] = [];
    const notFound: string[] = [];
    for (const who of named) {
      const person = who.includes('@') ? await this.d.store.getStaffByEmail(who) : await this.d.store.getStaff(who);
      if (!person || person.leftOn) {
        notFound.push(who);
        continue;
      }
      const roles = normaliseRoles([...person.roles, 'policyAdmin']);
      const saved = await this.d.store.setStaffRoles(person.id, roles, {
        id: `first-admin-${person.id}`,
        schoolId: person.schoolId,
        entityType: 'staff',
        entityId: person.id,
        actorId: 'countersign',
        actorName: 'Countersign (the COUNTERSIGN_ADMINS setting)',
        action: 'staff.roles',
        at: this.d.clock.now().toISOString(),
        before: JSON.stringify({ roles: person.roles }),
        after: JSON.stringify({ roles }),
      });
      if (saved) granted.push(saved);
    }
    return { granted, notFound };
  }
}

const sameRoles = (a: readonly SchoolRole[], b: readonly SchoolRole[]) => a.length === b.length && a.every((r) => b.includes(r));

/** "Head teacher, Policy admin" or "No role". */
export const rolesWords = (roles: readonly SchoolRole[]) => (roles.length ? normaliseRoles(roles).map((r) => roleLabels[r]).join(', ') : 'No role');
