import type { RetentionCutoffs, RetentionPlan } from '../domain/retention';

/** What a retention run did, for its audit entry and the operator. */
export interface RetentionOutcome {
  checkpointId: string;
  removed: { declarations: number; campaignRecords: number; requests: number; decisions: number };
  anonymised: { staff: number };
  /** Audit entries about removed records whose personal data was blanked (their content hashes kept). */
  redactedEntries: number;
}

/** The checkpoint as signed: JSON of this, and a MAC over it with the server's key. */
export interface RetentionCheckpoint {
  id: string;
  schoolId: string;
  at: string;
  /** The chain's head when the run began. */
  head: { count: number; hash: string };
  /** Every entry blanked, with the place and content hash it keeps. */
  redacted: Array<{ seq: number; id: string; contentHash: string }>;
}

export interface RetentionStore {
  /** What is due under these cut-offs; writes nothing. */
  plan(cutoffs: RetentionCutoffs): Promise<RetentionPlan>;
  /**
   * Removes and anonymises what the plan names, blanks the audit entries about it, stores the signed checkpoint
   * and appends an entry saying what was removed: one transaction per school.
   */
  apply(plan: RetentionPlan, o: { at: string; newId: () => string; sign: (data: string) => string }): Promise<RetentionOutcome[]>;
}
