import type { RecipientState } from './recipient.workflow';

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
  /** 'sending' while anyone is queued; 'open' until the deadline; then 'closed'. */
  phase: 'sending' | 'open' | 'closed';
}

/** Campaign progress, derived from recipient records: never stored twice. */
export function campaignProgress(c: Pick<Campaign, 'deadline'>, counts: RecipientCount[], today: string): Progress {
  const byState: Record<RecipientState, number> = { queued: 0, sent: 0, signed: 0, failed: 0 };
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
  const total = byState.queued + byState.sent + byState.signed + byState.failed;
  const phase = today > c.deadline ? 'closed' : byState.queued > 0 ? 'sending' : 'open';
  return {
    total,
    byState,
    signedShare: total ? byState.signed / total : 0,
    byDepartment: [...depts.values()].sort((a, b) => a.department.localeCompare(b.department)),
    phase,
  };
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
