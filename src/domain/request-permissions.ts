import { currentApprover, type AccountRequest } from './account-request';
import { domainError, ErrorCodes, type DomainError } from './errors';
import type { SchoolRole } from './people';

/**
 * Who may do what with an account request: decided here, once. The workflow
 * refuses with it, the cards show only the buttons it allows, and the bot and
 * the tab API answer with its reasons. Nothing else holds a status rule.
 */
export type RequestAction = 'decide' | 'withdraw' | 'edit' | 'resubmit' | 'view';

export const requestActions: readonly RequestAction[] = ['decide', 'withdraw', 'edit', 'resubmit', 'view'];

/** The person asking, as the server established them. Roles come from the store, never from the client. */
export interface Viewer {
  id: string;
  roles?: readonly SchoolRole[];
}

/** Roles that oversee every request of their school (the Approvals page), without deciding them. */
const overseers: readonly SchoolRole[] = ['ictLeader', 'headTeacher', 'deputyHead', 'policyAdmin'];

/** Undefined when `viewer` may take `action` on `r`; otherwise why not, with a stable code. */
export function requestRefusal(r: AccountRequest, viewer: Viewer, action: RequestAction): DomainError | undefined {
  const isRequester = viewer.id === r.requesterId;
  switch (action) {
    case 'decide': {
      if (r.status !== 'pending') return domainError(ErrorCodes.REQUEST_NOT_PENDING, `This request is ${r.status} and can no longer be decided.`);
      if (isRequester) return domainError(ErrorCodes.APPROVAL_OWN_REQUEST, 'You cannot decide your own request.');
      const step = currentApprover(r)!;
      if (viewer.id !== step.approverId) return domainError(ErrorCodes.APPROVAL_NOT_APPROVER, `Only ${step.approverName} can decide this step.`);
      return undefined;
    }
    case 'withdraw':
      if (!isRequester) return domainError(ErrorCodes.REQUEST_NOT_REQUESTER, 'Only the person who made this request can withdraw it.');
      if (r.status !== 'pending' && r.status !== 'returned') return domainError(ErrorCodes.REQUEST_NOT_PENDING, `This request is ${r.status} and can no longer be withdrawn.`);
      return undefined;
    case 'edit':
    case 'resubmit':
      if (!isRequester) return domainError(ErrorCodes.REQUEST_NOT_REQUESTER, 'Only the person who made this request can resubmit it.');
      if (r.status !== 'returned') return domainError(ErrorCodes.REQUEST_NOT_RETURNED, `This request is ${r.status}; only a returned request can be resubmitted.`);
      return undefined;
    case 'view': {
      const involved = isRequester || r.steps.some((s) => s.approverId === viewer.id);
      if (involved || (viewer.roles ?? []).some((role) => overseers.includes(role))) return undefined;
      return domainError(ErrorCodes.APPROVAL_NOT_APPROVER, 'This request is not yours to see.');
    }
  }
}

export const may = (r: AccountRequest, viewer: Viewer, action: RequestAction): boolean => !requestRefusal(r, viewer, action);

/** Every action with its answer for this viewer: what the cards and the tab show, and why the rest is refused. */
export function requestPermissions(r: AccountRequest, viewer: Viewer): Record<RequestAction, { allowed: boolean; reason?: DomainError }> {
  const out = {} as Record<RequestAction, { allowed: boolean; reason?: DomainError }>;
  for (const action of requestActions) {
    const reason = requestRefusal(r, viewer, action);
    out[action] = reason ? { allowed: false, reason } : { allowed: true };
  }
  return out;
}
