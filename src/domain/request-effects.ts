import type { AccountRequest, Decision, StepRole } from './account-request';
import { addSchoolDays } from './campaign';

/**
 * What a change to a request implies, as plain data. The workflow returns these
 * with the new state; the service turns them into records and jobs that the
 * store saves with the change, so nothing a change implies exists only in memory.
 */
export type RequestMessage = 'approvalNeeded' | 'requestUpdated' | 'accountApproved';

export type RequestEffect =
  /** Keep the decision as its own record (CS_Decisions). */
  | { kind: 'recordDecision'; round: number; step: number; role: StepRole; decision: Decision }
  /** The request was finally approved: the account enters the register. */
  | { kind: 'registerAccount' }
  /** Tell a person, with a card. */
  | { kind: 'notify'; to: string; message: RequestMessage }
  /** Bring the cards already sent about this request up to date, so old buttons go. */
  | { kind: 'refreshSentCards' }
  /** Delayed work at a time: reminders, escalations, closure and review. */
  | { kind: 'schedule'; job: ScheduledJob; key: string; at: string; payload: Record<string, string | number> };

/** Job kinds for delayed work. Stored in the queue, so never rename one. */
export const ScheduledJobs = {
  approvalRemind: 'approval.remind',
  approvalEscalate: 'approval.escalate',
  accountClosure: 'account.closure-reminder',
  accountReview: 'account.annual-review',
} as const;
export type ScheduledJob = (typeof ScheduledJobs)[keyof typeof ScheduledJobs];

/** Settings the workflow needs to say when reminders fall due. */
export interface WorkflowSettings {
  /** School days a step may wait before its approver is reminded. */
  remindAfterSchoolDays: number;
}

export const defaultWorkflowSettings: WorkflowSettings = { remindAfterSchoolDays: 3 };

const DAY = 86_400_000;

/** The reminder for whoever holds the current step, due after the configured school days. */
export function remindCurrentStep(r: AccountRequest, at: string, s: WorkflowSettings): RequestEffect {
  return {
    kind: 'schedule',
    job: ScheduledJobs.approvalRemind,
    key: `approval-remind:${r.id}:${r.round}:${r.currentStep}`,
    at: addSchoolDays(new Date(at), s.remindAfterSchoolDays).toISOString(),
    payload: { requestId: r.id, round: r.round, step: r.currentStep },
  };
}

/**
 * An approved account's reminders: 14 days before its closure date (at once if
 * that is already near), and its first annual review a year on. Keyed by the
 * request, which has exactly one account.
 */
export function accountReminders(r: AccountRequest, at: string): RequestEffect[] {
  const out: RequestEffect[] = [];
  const now = Date.parse(at);
  if (r.details.closure) {
    const due = Math.max(Date.parse(`${r.details.closure}T08:00:00Z`) - 14 * DAY, now);
    out.push({ kind: 'schedule', job: ScheduledJobs.accountClosure, key: `account-closure:${r.id}`, at: new Date(due).toISOString(), payload: { requestId: r.id } });
  }
  out.push({ kind: 'schedule', job: ScheduledJobs.accountReview, key: `account-review:${r.id}:1`, at: new Date(now + 365 * DAY).toISOString(), payload: { requestId: r.id, year: 1 } });
  return out;
}
