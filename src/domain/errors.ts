/**
 * The error catalogue. Codes are stable: they appear in logs, audit entries and
 * tests, so rename the message, never the code.
 */
export const ErrorCodes = {
  REQUEST_NOT_FOUND: 'REQUEST.NOT_FOUND',
  REQUEST_NOT_PENDING: 'REQUEST.NOT_PENDING',
  REQUEST_NOT_RETURNED: 'REQUEST.NOT_RETURNED',
  REQUEST_NOT_REQUESTER: 'REQUEST.NOT_REQUESTER',
  REQUEST_INVALID: 'REQUEST.INVALID',
  APPROVAL_NOT_APPROVER: 'APPROVAL.NOT_APPROVER',
  APPROVAL_OWN_REQUEST: 'APPROVAL.OWN_REQUEST',
  APPROVAL_ALREADY_DECIDED: 'APPROVAL.ALREADY_DECIDED',
  APPROVAL_SIGNATURE_REQUIRED: 'APPROVAL.SIGNATURE_REQUIRED',
  APPROVAL_SIGNATURE_MISMATCH: 'APPROVAL.SIGNATURE_MISMATCH',
  APPROVAL_REASON_REQUIRED: 'APPROVAL.REASON_REQUIRED',
  APPROVAL_COMMENT_REQUIRED: 'APPROVAL.COMMENT_REQUIRED',
  ROUTING_NO_APPROVER: 'ROUTING.NO_APPROVER',
  ACTOR_UNKNOWN: 'ACTOR.UNKNOWN',
  STORE_CONFLICT: 'STORE.CONFLICT',
  DECLARATION_NOT_CONFIRMED: 'DECLARATION.NOT_CONFIRMED',
  DECLARATION_NAME_MISMATCH: 'DECLARATION.NAME_MISMATCH',
  DECLARATION_SUPERSEDED: 'DECLARATION.SUPERSEDED',
  DECLARATION_NOT_OPENED: 'DECLARATION.NOT_OPENED',
  DECLARATION_VERSION_NOT_FOUND: 'DECLARATION.VERSION_NOT_FOUND',
  CAMPAIGN_NOT_ADMIN: 'CAMPAIGN.NOT_ADMIN',
  CAMPAIGN_INVALID: 'CAMPAIGN.INVALID',
  CAMPAIGN_NOT_FOUND: 'CAMPAIGN.NOT_FOUND',
  CAMPAIGN_ALREADY_OPEN: 'CAMPAIGN.ALREADY_OPEN',
  CAMPAIGN_CLOSED: 'CAMPAIGN.CLOSED',
  CAMPAIGN_ALREADY_REMINDED: 'CAMPAIGN.ALREADY_REMINDED',
  RECIPIENT_BAD_TRANSITION: 'RECIPIENT.BAD_TRANSITION',
  PAGE_NOT_ALLOWED: 'PAGE.NOT_ALLOWED',
  ACCOUNT_NOT_FOUND: 'ACCOUNT.NOT_FOUND',
  ACCOUNT_NOT_ADMINISTRATOR: 'ACCOUNT.NOT_ADMINISTRATOR',
  ACCOUNT_NOT_KEEPER: 'ACCOUNT.NOT_KEEPER',
  ACCOUNT_INVALID: 'ACCOUNT.INVALID',
  POLICY_NOT_FOUND: 'POLICY.NOT_FOUND',
  POLICY_ALREADY_PUBLISHED: 'POLICY.ALREADY_PUBLISHED',
  ROLE_NOT_ADMIN: 'ROLE.NOT_ADMIN',
  ROLE_PERSON_NOT_FOUND: 'ROLE.PERSON_NOT_FOUND',
  ROLE_PERSON_LEFT: 'ROLE.PERSON_LEFT',
  ROLE_LAST_ADMIN: 'ROLE.LAST_ADMIN',
  ROLE_ALREADY_HELD: 'ROLE.ALREADY_HELD',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** A business error: a stable code, a message a person can act on, and optional detail. */
export interface DomainError {
  code: ErrorCode;
  message: string;
  /** Field-level messages, keyed by field name, for input errors. */
  fields?: Record<string, string>;
  /** For ALREADY_DECIDED: who decided and when, so the loser can be told. */
  decidedBy?: { name: string; at: string; outcome: string };
}

export const domainError = (code: ErrorCode, message: string, extra: Partial<DomainError> = {}): DomainError => ({
  code,
  message,
  ...extra,
});

/** Thrown (not returned) by stores when an optimistic-concurrency check fails. */
export class ConflictError extends Error {
  readonly code = ErrorCodes.STORE_CONFLICT;
  constructor(entity: string, id: string) {
    super(`${entity} ${id} was changed by someone else`);
    this.name = 'ConflictError';
  }
}
