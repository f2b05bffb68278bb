import type { AccountRequest } from '../domain/account-request';
import type { RegisteredAccount } from './store';

/**
 * Tells people about requests, in domain terms. The adapter in bot/ renders the
 * cards and delivers them through the Bot Connector; the core never sees a card.
 * Each method reports per-recipient delivery so failures are visible, not thrown.
 */
export interface Notifier {
  /** The step's approver has a decision to make. */
  approvalNeeded(request: AccountRequest): Promise<DeliveryResult>;
  /** The requester is told the outcome of a step or of the whole request. */
  requesterUpdated(request: AccountRequest): Promise<DeliveryResult>;
  /** The named administrators may now create the account. */
  accountApproved(account: RegisteredAccount, request: AccountRequest): Promise<DeliveryResult[]>;
  /** Earlier approvers' cards are brought up to date after the request changed. */
  refreshSentCards(request: AccountRequest): Promise<void>;
}

export type DeliveryResult =
  | { kind: 'sent'; userId: string }
  | { kind: 'throttled'; userId: string; retryAfterMs: number }
  | { kind: 'recipientNotFound'; userId: string }
  | { kind: 'failed'; userId: string; reason: string };
