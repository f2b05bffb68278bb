import { formatDay, localDay } from './display-dates';
import { RECIPIENT_STATES, type RecipientState } from './recipient.workflow';
import { NO_DEPARTMENT } from './roster';

/**
 * Who a campaign goes to. `departments`: the roster, only those whose directory department is one of
 * these (as the directory spells them). `joinedSince`: the roster, only those whose join date
 * (YYYY-MM-DD, from the directory) is on or after `since`; people with no join date are left out,
 * since nothing says they are new.
 */
export type AudienceSpec =
  | { kind: 'roster' }
  | { kind: 'departments'; departments: string[] }
  | { kind: 'joinedSince'; since: string }
  | { kind: 'group'; groupId: string }
  /** `teamName`: as the team was called at launch (campaigns launched before it was kept have none). */
  | { kind: 'team'; teamId: string; teamName?: string };

/**
 * Whether a member of staff read from the directory belongs to the audience. Someone who has left is
 * never in one (the directory sync marks them; they stay in the store for their records). Someone
 * without a department is in a department audience for "No department". A team's members are known only
 * from the team's roster in Teams, which the campaign's audience job reads: a directory record alone never
 * puts anyone in a team audience. (A group's roster arrives with the Microsoft 365 directory: everyone, for now.)
 */
export function inAudience(a: AudienceSpec, person: { department: string; joinedOn?: string; leftOn?: string }): boolean {
  if (person.leftOn) return false;
  if (a.kind === 'departments') return a.departments.includes(person.department.trim() || NO_DEPARTMENT);
  if (a.kind === 'joinedSince') return !!person.joinedOn && person.joinedOn >= a.since;
  if (a.kind === 'team') return false;
  return true;
}

/** The audience in an admin's words: "All staff", "Key Stage 1 and Early Years", "Staff who joined since 1 September 2026". */
export function audienceWords(a: AudienceSpec): string {
  if (a.kind === 'departments') {
    const d = a.departments;
    return d.length <= 1 ? (d[0] ?? 'No department') : `${d.slice(0, -1).join(', ')} and ${d[d.length - 1]}`;
  }
  if (a.kind === 'joinedSince') return `Staff who joined on or after ${formatDay(a.since)}`;
  if (a.kind === 'team') return teamAudienceWords(a.teamName);
  return a.kind === 'roster' ? 'All staff' : 'A Microsoft 365 group';
}

/** "Members of Year 6 team"; "Members of a team" for a campaign stored before the team's name was kept. */
export function teamAudienceWords(teamName: string | undefined): string {
  const name = teamName?.trim();
  if (!name) return 'Members of a team';
  return /\bteam$/i.test(name) ? `Members of ${name}` : `Members of ${name} team`;
}

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
  /** The school day (YYYY-MM-DD) an admin last pressed "Remind now": at most once a day (campaign-permissions.ts). */
  remindedOn?: string;
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

/** "Sent, delivery not confirmed" and what it means, apart, so a count can sit between them. */
export const [UNCONFIRMED_LABEL, UNCONFIRMED_MEANING] = RECIPIENT_STATE_LABELS.unconfirmed.split(': ') as [string, string];

/** What is said while the audience is being read and nothing is counted yet ("0 of 0" would read as an empty audience). */
export const COUNTING_AUDIENCE = 'Counting the audience.';

/** Nothing to count yet: the launch's job has not booked its first page. */
export const countingAudience = (p: Pick<Progress, 'phase' | 'total'>): boolean => p.phase === 'preparing' && p.total === 0;

/** The campaign's phase in an admin's words, as the status card and the tab say it. */
export function campaignPhaseWords(c: { closed?: { at: string; byName: string } }, p: Pick<Progress, 'phase'>, timeZone: string): string {
  return {
    preparing: 'Preparing the audience: reading the directory and booking the cards',
    sending: 'Sending cards',
    open: 'Open',
    closed: c.closed ? `Closed by ${c.closed.byName} on ${formatDay(localDay(c.closed.at, timeZone))}` : 'Closed (deadline passed)',
  }[p.phase];
}

/** "1 of 4 signed, 2 still to sign, 1 could not be reached": a department's line. "Still to sign" counts everyone not signed who can still be reached: waiting, in doubt or not sent yet. */
export function departmentWords(d: Progress['byDepartment'][number]): string {
  return [`${d.signed} of ${d.total} signed`, ...(d.outstanding ? [`${d.outstanding} still to sign`] : []), ...(d.failed ? [`${d.failed} could not be reached`] : [])].join(', ');
}

/**
 * Completion over time: for each school day on which someone signed, how many had signed by its end.
 * From the recipients' own signedAt, so it always ends at the signed count.
 */
export function signaturesByDay(signedAts: Iterable<string>, timeZone: string): Array<{ day: string; signed: number }> {
  const perDay = new Map<string, number>();
  for (const at of signedAts) {
    const day = localDay(at, timeZone);
    perDay.set(day, (perDay.get(day) ?? 0) + 1);
  }
  let total = 0;
  return [...perDay.keys()].sort().map((day) => ({ day, signed: (total += perDay.get(day)!) }));
}

/** The export's file name: safe as a file name, and says what it is. */
export const campaignExportFileName = (c: Pick<Campaign, 'versionLabel' | 'id'>, today: string): string =>
  `campaign-${c.versionLabel}-${today}-${c.id.slice(0, 8)}.csv`.replace(/[^\w.-]/g, '-');

/** The deadline a launch form suggests: three weeks from today. */
export const DEFAULT_DEADLINE_DAYS = 21;
