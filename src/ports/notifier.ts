import type { AccountRequest } from '../domain/account-request';
import type { RequestMessage } from '../domain/request-effects';
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
  /**
   * One message about a request to one person: the approver's card, the
   * requester's update, the administrators' go-ahead, or a reminder. Sent once,
   * with no retry inside: the job queue retries. `beforeSend` runs right before
   * the message leaves; if it returns false nothing is sent.
   */
  aboutRequest(to: string, message: RequestMessage | 'approvalReminder', request: AccountRequest, beforeSend?: () => Promise<boolean>): Promise<DeliveryResult>;
  /** Earlier cards about the request are brought up to date after it changed. Editing a card twice is harmless. */
  refreshSentCards(request: AccountRequest): Promise<void>;
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
