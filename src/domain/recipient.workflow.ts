import { domainError, ErrorCodes, type DomainError } from './errors';
import { err, ok, type Result } from './result';
import { NO_DEPARTMENT } from './roster';

/**
 * A campaign recipient: queued → sent → signed, or failed with a reason.
 * `unconfirmed`: the card was on the wire when the process died, so it may or
 * may not have reached Teams (Teams offers no way to ask). It counts as sent
 * (no second card now), is shown to admins as in doubt, and the next reminder,
 * which sends a fresh card, turns it into `sent`.
 */
export type RecipientState = 'queued' | 'sent' | 'unconfirmed' | 'signed' | 'failed';

export const RECIPIENT_STATES: readonly RecipientState[] = ['queued', 'sent', 'unconfirmed', 'signed', 'failed'];

/** States a reminder goes to: the card went out (or may have) and the person has not signed. */
export const REMINDABLE: readonly RecipientState[] = ['sent', 'unconfirmed'];

export interface Recipient {
  campaignId: string;
  /** The campaign's school. */
  schoolId: string;
  userId: string;
  name: string;
  department: string;
  state: RecipientState;
  attempts: number;
  remindersSent: number;
  failureReason: string | null;
  sentAt: string | null;
  signedAt: string | null;
  /** Where the card went, so a reminder can update it in place. */
  conversationId: string | null;
  activityId: string | null;
  /** Set while a send is in flight. Found set after a crash, the send may or may not have reached Teams. */
  sendingSince: string | null;
  updatedAt: string;
}

export type RecipientEvent =
  | { type: 'attempt'; at: string }
  | { type: 'attemptFailed'; at: string }
  | { type: 'assumedDelivered'; at: string }
  | { type: 'delivered'; conversationId: string; activityId: string; at: string }
  | { type: 'failed'; reason: string; at: string }
  /** A reminder reached the person; where a fresh card was sent, its address comes with it. */
  | { type: 'reminded'; at: string; conversationId?: string; activityId?: string }
  | { type: 'signed'; at: string }
  | { type: 'requeue'; at: string };

const bad = (s: RecipientState, what: string): Result<never, DomainError> =>
  err(domainError(ErrorCodes.RECIPIENT_BAD_TRANSITION, `A ${s} recipient cannot be ${what}.`));

/**
 * The recipient workflow, pure. `attempt` counts a send attempt (only while
 * queued, so a redelivered job never sends twice); `signed` wins from any
 * state, because a person may sign through `sign` even if their card failed.
 */
export function transitionRecipient(r: Recipient, e: RecipientEvent): Result<Recipient, DomainError> {
  switch (e.type) {
    case 'attempt':
      return r.state === 'queued' && !r.sendingSince ? ok({ ...r, attempts: r.attempts + 1, sendingSince: e.at, updatedAt: e.at }) : bad(r.state, 'sent again');
    case 'attemptFailed':
      return r.state === 'queued' ? ok({ ...r, sendingSince: null, updatedAt: e.at }) : bad(r.state, 'retried');
    case 'assumedDelivered':
      // After a crash mid-send we cannot ask Teams whether the card arrived. We choose at most once:
      // no second card now, recorded as unconfirmed; if it never arrived, the next reminder delivers it.
      return r.state === 'queued' && r.sendingSince
        ? ok({ ...r, state: 'unconfirmed', sentAt: r.sendingSince, sendingSince: null, conversationId: null, activityId: null, updatedAt: e.at })
        : bad(r.state, 'assumed delivered');
    case 'delivered':
      return r.state === 'queued'
        ? ok({ ...r, state: 'sent', sentAt: e.at, conversationId: e.conversationId, activityId: e.activityId, failureReason: null, sendingSince: null, updatedAt: e.at })
        : bad(r.state, 'delivered');
    case 'failed':
      return r.state === 'queued' ? ok({ ...r, state: 'failed', failureReason: e.reason, sendingSince: null, updatedAt: e.at }) : bad(r.state, 'failed');
    case 'reminded': {
      if (!REMINDABLE.includes(r.state)) return bad(r.state, 'reminded');
      const where = e.activityId ? { conversationId: e.conversationId ?? r.conversationId, activityId: e.activityId } : {};
      // A reminder that reached an unconfirmed recipient confirms delivery: they have a card now.
      return ok({ ...r, ...where, state: 'sent', remindersSent: r.remindersSent + 1, updatedAt: e.at });
    }
    case 'signed':
      return r.state === 'signed' ? bad(r.state, 'signed again') : ok({ ...r, state: 'signed', signedAt: e.at, updatedAt: e.at });
    case 'requeue':
      return r.state === 'failed' ? ok({ ...r, state: 'queued', failureReason: null, updatedAt: e.at }) : bad(r.state, 'requeued');
  }
}

/** `schoolId` is the campaign's: a recipient belongs where its campaign does. */
export function newRecipient(campaignId: string, person: { id: string; name: string; department: string }, at: string, schoolId: string): Recipient {
  return {
    campaignId,
    schoolId,
    userId: person.id,
    name: person.name,
    // Reports group by department: someone without one is counted under a name a governor can read.
    department: person.department.trim() || NO_DEPARTMENT,
    state: 'queued',
    attempts: 0,
    remindersSent: 0,
    failureReason: null,
    sentAt: null,
    signedAt: null,
    conversationId: null,
    activityId: null,
    sendingSince: null,
    updatedAt: at,
  };
}
