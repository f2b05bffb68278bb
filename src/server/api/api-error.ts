import { ErrorCodes, type DomainError, type ErrorCode } from '../../domain/errors';
import type { ApiErrorBody } from '../../contract/api';

/** An answer other than success, with its HTTP status and a stable code. Thrown by handlers; the router answers it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Pick<ApiErrorBody, 'field' | 'fields'> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  body(): ApiErrorBody {
    return { error: this.code, message: this.message, ...this.extra };
  }
}

/** The HTTP status for each domain error: who may not (403), what is not there (404), what changed meanwhile (409), what is wrong in the input (400). */
const statusByCode: Partial<Record<ErrorCode, number>> = {
  [ErrorCodes.REQUEST_NOT_FOUND]: 404,
  [ErrorCodes.CAMPAIGN_NOT_FOUND]: 404,
  [ErrorCodes.DECLARATION_VERSION_NOT_FOUND]: 404,
  [ErrorCodes.ACCOUNT_NOT_FOUND]: 404,
  [ErrorCodes.POLICY_NOT_FOUND]: 404,
  [ErrorCodes.ACCOUNT_NOT_ADMINISTRATOR]: 403,
  [ErrorCodes.ACCOUNT_NOT_KEEPER]: 403,
  [ErrorCodes.POLICY_ALREADY_PUBLISHED]: 409,
  [ErrorCodes.APPROVAL_NOT_APPROVER]: 403,
  [ErrorCodes.APPROVAL_OWN_REQUEST]: 403,
  [ErrorCodes.REQUEST_NOT_REQUESTER]: 403,
  [ErrorCodes.CAMPAIGN_NOT_ADMIN]: 403,
  [ErrorCodes.PAGE_NOT_ALLOWED]: 403,
  [ErrorCodes.ACTOR_UNKNOWN]: 403,
  [ErrorCodes.REQUEST_NOT_PENDING]: 409,
  [ErrorCodes.REQUEST_NOT_RETURNED]: 409,
  [ErrorCodes.APPROVAL_ALREADY_DECIDED]: 409,
  [ErrorCodes.STORE_CONFLICT]: 409,
  [ErrorCodes.CAMPAIGN_ALREADY_OPEN]: 409,
  [ErrorCodes.CAMPAIGN_CLOSED]: 409,
  [ErrorCodes.CAMPAIGN_ALREADY_REMINDED]: 409,
  [ErrorCodes.DECLARATION_SUPERSEDED]: 409,
  [ErrorCodes.RECIPIENT_BAD_TRANSITION]: 409,
  [ErrorCodes.ROLE_NOT_ADMIN]: 403,
  [ErrorCodes.ROLE_PERSON_NOT_FOUND]: 404,
  [ErrorCodes.SUBJECT_NOT_FOUND]: 404,
  [ErrorCodes.ROLE_PERSON_LEFT]: 409,
  [ErrorCodes.ROLE_LAST_ADMIN]: 409,
  [ErrorCodes.ROLE_ALREADY_HELD]: 409,
  [ErrorCodes.RECEIPT_NOT_ALLOWED]: 403,
  [ErrorCodes.RECEIPT_PERSON_NOT_FOUND]: 404,
  [ErrorCodes.RECEIPT_NOT_SIGNED]: 404,
};

/** A domain refusal as an API answer: input errors are 400 and keep their field messages. */
export function fromDomain(e: DomainError): ApiError {
  const status = statusByCode[e.code] ?? 400;
  const fields = e.fields && Object.keys(e.fields).length ? e.fields : undefined;
  const field = fields ? Object.keys(fields)[0] : undefined;
  return new ApiError(status, e.code, e.message, { ...(field ? { field } : {}), ...(fields ? { fields } : {}) });
}

/** Unwraps a service result, or throws its refusal as an API answer. */
export function unwrap<T>(r: { ok: true; value: T } | { ok: false; error: DomainError }): T {
  if (r.ok) return r.value;
  throw fromDomain(r.error);
}
