import type { AccountRequest } from '../domain/account-request';
import type { Campaign } from '../domain/campaign';
import type { Recipient } from '../domain/recipient.workflow';
import type { PolicyVersion } from '../domain/policy';
import type { RegisteredAccount } from './store';

/**
 * Tells people things, in domain terms. The adapter in bot/ renders the cards
 * and delivers them through the Bot Connector; the core never sees a card.
 * Delivery is reported as a closed result, never thrown.
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
  /** A step has waited too long: remind its approver. */
  approvalReminder(request: AccountRequest): Promise<DeliveryResult>;
  /** Reminders for an account: its closure date is near, or its annual review is due. */
  accountReminder(account: RegisteredAccount, kind: 'closure' | 'review', toUserIds: string[]): Promise<DeliveryResult[]>;

  /**
   * A campaign's declaration card, once, with no retry inside: the job queue retries.
   * `beforeSend` runs after rate limiting, right before the message leaves; if it
   * returns false nothing is sent. It lets the caller record the attempt at the
   * last moment, so a crash leaves as small a doubt as possible.
   */
  sendDeclaration(recipient: Recipient, version: PolicyVersion, campaign: Campaign, beforeSend?: () => Promise<boolean>): Promise<DeliveryResult>;
  /** A reminder: updates the card already sent where possible, else sends it again. */
  remindDeclaration(recipient: Recipient, version: PolicyVersion, campaign: Campaign): Promise<DeliveryResult>;
}

export type DeliveryResult =
  | { kind: 'sent'; userId: string; conversationId?: string; activityId?: string }
  | { kind: 'throttled'; userId: string; retryAfterMs: number }
  | { kind: 'recipientNotFound'; userId: string; reason: string }
  | { kind: 'failed'; userId: string; reason: string; transient: boolean }
  /** beforeSend said no: nothing left this process. */
  | { kind: 'cancelled'; userId: string };
