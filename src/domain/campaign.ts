import { RECIPIENT_STATES, type RecipientState } from './recipient.workflow';

export type AudienceSpec = { kind: 'roster' } | { kind: 'group'; groupId: string } | { kind: 'team'; teamId: string };

export interface Campaign {
  id: string;
  /** The launching admin's school; its recipients and jobs carry the same. */
  schoolId: string;
  policyId: string;
  versionId: string;
  versionLabel: string;
  title: string;
  audience: AudienceSpec;
  /** YYYY-MM-DD: the campaign stays open until the end of this day. */
  deadline: string;
  reminderEveryDays: number;
  launchedBy: string;
  launchedByName: string;
  launchedAt: string;
  /**
   * 'preparing' while the launch's job reads the audience page by page and books the sends;
   * absent on campaigns launched before the audience was expanded in the background (they were ready at once).
   */
  audienceStatus?: 'preparing' | 'ready';
  /** Set when an admin closes the campaign early (or a new launch closes one past its deadline). Absent while open. */
  closed?: { at: string; by: string; byName: string };
}

/** Open: neither closed by an admin nor past its deadline. At most one open campaign per policy version. */
export function isOpen(c: Pick<Campaign, 'closed' | 'deadline'>, today: string): boolean {
  return !c.closed && today <= c.deadline;
}

/**
 * How people read a recipient's state: the status card, the CSV, the summary for governors and the
 * tab say the same words. Written for a governor, not for the code: "Waiting", never "sent".
 */
export const RECIPIENT_STATE_LABELS: Record<RecipientState, string> = {
  queued: 'Not sent yet',
  sent: 'Waiting',
  unconfirmed: 'Sent, delivery not confirmed: the next reminder will reach them',
  signed: 'Signed',
  failed: 'Could not be reached',
};

/**
 * Why a card could not be delivered, in a governor's words. The reasons come from the Notifier port
 * (bot/teams.notifier.ts): Teams answers 404 when the person's account or chat no longer exists,
 * which in a school means they have left; 403 when they blocked or removed the app.
 * Anything else is Teams refusing the card, whose technical reason the CSV keeps beside it.
 */
export function unreachableReason(technical: string | null | undefined): string {
  const t = technical ?? '';
  if (/no longer exists|not found/i.test(t)) return 'left the school';
  if (/blocked|removed the app/i.test(t)) return 'blocked or removed the Countersign app';
  return 'Teams did not accept the card';
}

/** A recipient's state as one phrase: "Signed", "Waiting", "Could not be reached: left the school". */
export function recipientStateWords(r: { state: RecipientState; failureReason?: string | null }): string {
  return r.state === 'failed' ? `${RECIPIENT_STATE_LABELS.failed}: ${unreachableReason(r.failureReason)}` : RECIPIENT_STATE_LABELS[r.state];
}

/** Recipient counts as the store groups them: one row per state and department. */
export interface RecipientCount {
  state: RecipientState;
  department: string;
  count: number;
}

export interface Progress {
  total: number;
  byState: Record<RecipientState, number>;
  /** Signed as a share of everyone, 0..1. */
  signedShare: number;
  byDepartment: Array<{ department: string; total: number; signed: number; outstanding: number; failed: number }>;
  /**
   * 'preparing' while the audience is being read and booked; 'sending' while anyone is queued;
   * 'open' until the deadline; 'closed' after it, or once an admin closed it.
   */
  phase: 'preparing' | 'sending' | 'open' | 'closed';
}

/** Campaign progress, derived from recipient records: never stored twice. */
export function campaignProgress(c: Pick<Campaign, 'deadline' | 'closed' | 'audienceStatus'>, counts: RecipientCount[], today: string): Progress {
  const byState = Object.fromEntries(RECIPIENT_STATES.map((s) => [s, 0])) as Record<RecipientState, number>;
  const depts = new Map<string, { department: string; total: number; signed: number; outstanding: number; failed: number }>();
  for (const row of counts) {
    byState[row.state] += row.count;
    const d = depts.get(row.department) ?? { department: row.department, total: 0, signed: 0, outstanding: 0, failed: 0 };
    d.total += row.count;
    if (row.state === 'signed') d.signed += row.count;
    else if (row.state === 'failed') d.failed += row.count;
    else d.outstanding += row.count;
    depts.set(row.department, d);
  }
  const total = RECIPIENT_STATES.reduce((n, s) => n + byState[s], 0);
  const phase = !isOpen(c, today) ? 'closed' : c.audienceStatus === 'preparing' ? 'preparing' : byState.queued > 0 ? 'sending' : 'open';
  return {
    total,
    byState,
    signedShare: total ? byState.signed / total : 0,
    byDepartment: [...depts.values()].sort((a, b) => a.department.localeCompare(b.department)),
    phase,
  };
}

/** Counts by state and department from recipient records as read (the export's rows), as a store's GROUP BY would. */
export function countRecipients(rs: Iterable<{ state: RecipientState; department: string }>): RecipientCount[] {
  const m = new Map<string, RecipientCount>();
  for (const r of rs) {
    const k = `${r.state}\u0000${r.department}`;
    const c = m.get(k) ?? { state: r.state, department: r.department, count: 0 };
    c.count++;
    m.set(k, c);
  }
  return [...m.values()];
}

/** Adds whole school days (Monday to Friday) to a date. Holidays are not known here. */
export function addSchoolDays(from: Date, days: number): Date {
  const d = new Date(from);
  let left = days;
  while (left > 0) {
    d.setUTCDate(d.getUTCDate() + 1);
    const wd = d.getUTCDay();
    if (wd !== 0 && wd !== 6) left--;
  }
  return d;
}
