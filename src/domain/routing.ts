import type { StaffMember } from './people';
import type { ApprovalStep, StepRole } from './account-request';
import { domainError, ErrorCodes, type DomainError } from './errors';
import { err, ok, type Result } from './result';

/** The people who can fill each approval step at a school. */
export interface SchoolApprovers {
  ictLeader?: StaffMember;
  headTeacher?: StaffMember;
  /** Takes a step when the requester holds that step's role. */
  deputy?: StaffMember;
}

const order: StepRole[] = ['ictLeader', 'headTeacher'];

/**
 * Routes a request: ICT leader, then head teacher. Nobody decides their own
 * request: when the requester holds a step's role the step goes to the deputy.
 */
export function routeRequest(requesterId: string, approvers: SchoolApprovers): Result<ApprovalStep[], DomainError> {
  const steps: ApprovalStep[] = [];
  for (const role of order) {
    const holder = approvers[role];
    const delegated = !holder || holder.id === requesterId;
    const person = delegated ? approvers.deputy : holder;
    if (!person || person.id === requesterId) {
      return err(
        domainError(
          ErrorCodes.ROUTING_NO_APPROVER,
          `No one can approve the ${role === 'ictLeader' ? 'Computing/ICT subject leader' : 'head teacher'} step for this request: ask an administrator to set a deputy.`,
        ),
      );
    }
    steps.push({ role, approverId: person.id, approverName: person.name, delegated: person !== holder });
  }
  return ok(steps);
}
