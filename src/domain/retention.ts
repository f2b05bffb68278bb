/**
 * How long Countersign keeps each kind of record, and which records are due. Pure: the clock is passed in.
 * The defaults and their sources are in the README ("Retention"); a school sets its own with RETENTION_*.
 */

export interface RetentionPolicy {
  /** Signed declarations, counted from the day the person left. */
  declarationsYearsAfterLeaving: number;
  /** Campaign records (who was asked, reminded, when), counted from the day the person left. */
  campaignRecordsYearsAfterLeaving: number;
  /** A leaver's staff record (name, e-mail, department) is anonymised this long after they left. */
  staffYearsAfterLeaving: number;
  /** Requests rejected or withdrawn, with their decisions, counted from their last change. */
  unsuccessfulRequestsYears: number;
}

/**
 * Six years after employment ends: the period the IRMS Information Management Toolkit for Schools gives for a
 * member of staff's personnel records, matching the six-year limitation period for contract claims (Limitation
 * Act 1980, s.5). One year for requests that came to nothing: the example the issue sets, and long enough to
 * answer "why was my request turned down?" at the next annual review.
 */
export const DEFAULT_RETENTION: RetentionPolicy = {
  declarationsYearsAfterLeaving: 6,
  campaignRecordsYearsAfterLeaving: 6,
  staffYearsAfterLeaving: 6,
  unsuccessfulRequestsYears: 1,
};

/** The date before which a record of the given age is due: `now` minus whole years, as a calendar date (YYYY-MM-DD). */
export function cutoffDay(now: Date, years: number): string {
  const d = new Date(Date.UTC(now.getUTCFullYear() - years, now.getUTCMonth(), now.getUTCDate()));
  return d.toISOString().slice(0, 10);
}

export interface RetentionCutoffs {
  /** People who left before this day: their declarations go. */
  declarationsLeftBefore: string;
  campaignRecordsLeftBefore: string;
  staffLeftBefore: string;
  /** Rejected or withdrawn requests last changed before this instant. */
  unsuccessfulRequestsBefore: string;
}

export function cutoffsOf(policy: RetentionPolicy, now: Date): RetentionCutoffs {
  return {
    declarationsLeftBefore: cutoffDay(now, policy.declarationsYearsAfterLeaving),
    campaignRecordsLeftBefore: cutoffDay(now, policy.campaignRecordsYearsAfterLeaving),
    staffLeftBefore: cutoffDay(now, policy.staffYearsAfterLeaving),
    unsuccessfulRequestsBefore: `${cutoffDay(now, policy.unsuccessfulRequestsYears)}T00:00:00.000Z`,
  };
}

/** What a retention run would remove or anonymise: ids and what a person needs to recognise them, never more. */
export interface RetentionPlan {
  declarations: Array<{ id: string; schoolId: string; signerId: string; versionLabel: string; signedAt: string }>;
  campaignRecords: Array<{ campaignId: string; userId: string; schoolId: string }>;
  staff: Array<{ id: string; schoolId: string; leftOn: string }>;
  requests: Array<{ id: string; schoolId: string; reference: string; status: string; updatedAt: string }>;
}

export const emptyPlan = (): RetentionPlan => ({ declarations: [], campaignRecords: [], staff: [], requests: [] });

export function planSize(p: RetentionPlan): number {
  return p.declarations.length + p.campaignRecords.length + p.staff.length + p.requests.length;
}

/** The name an anonymised staff record keeps: no one can be told from it, and it still reads as a person. */
export const ANONYMISED_NAME = 'Former member of staff';
