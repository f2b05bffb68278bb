import type { Actor, StaffMember } from '../domain/people';
import { domainError, ErrorCodes, type DomainError } from '../domain/errors';
import { err, ok, type Result } from '../domain/result';
import type { Viewer } from '../domain/request-permissions';
import type { Directory } from '../ports/directory';

/**
 * Establishes who is acting from the id the channel vouched for (Teams'
 * `from.aadObjectId`), never from card data, and takes their name from the directory.
 */
export async function resolveActor(directory: Directory, aadObjectId: string | undefined): Promise<Result<Actor & { staff: StaffMember }, DomainError>> {
  const staff = aadObjectId ? await directory.getStaffNow(aadObjectId) : undefined;
  if (!staff) {
    return err(
      domainError(ErrorCodes.ACTOR_UNKNOWN, "You are not in the school's staff directory, so Countersign can't act for you. Ask your ICT team to add you."),
    );
  }
  return ok({ id: staff.id, name: staff.name, staff });
}

/**
 * The school an actor acts for: the one their staff record (read on the server,
 * never from card data) belongs to. Undefined for an actor with no staff record.
 */
export function schoolOf(actor: Actor & { staff?: StaffMember }): string | undefined {
  return actor.staff?.schoolId;
}

/** The viewer a permission check needs: the id, and the roles the directory holds for them (never the client's word). */
export function viewerOf(actor: Actor & { staff?: StaffMember }): Viewer {
  return { id: actor.id, roles: actor.staff?.roles ?? [] };
}
