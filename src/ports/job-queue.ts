/**
 * The durable job queue: the campaign outbox (one job per recipient) and every
 * delayed task (reminders, escalations). A job is claimed with a lease; a
 * worker that dies loses its lease and the job runs again, so handlers check
 * state before acting.
 */
export interface Job {
  id: string;
  /** The school of the record the job is about (a request's, a campaign's). */
  schoolId: string;
  kind: string;
  /** Unique per job: enqueuing the same key twice keeps the first. */
  key: string;
  payload: Record<string, unknown>;
  /** ISO time before which the job does not run. */
  runAt: string;
  attempts: number;
}

export interface JobQueue {
  enqueue(jobs: Job[]): Promise<void>;
  /** Claims up to `limit` due jobs for `leaseMs`; expired leases count as due. */
  claimDue(now: Date, limit: number, leaseMs: number): Promise<Job[]>;
  complete(id: string): Promise<void>;
  /**
   * Replaces a claimed job's payload, so a job that sends several messages can
   * say how far it got before each one leaves: after a crash the job runs again
   * and resumes there, sending nothing twice. (Azure Storage Queue: updateMessage
   * with the pop receipt.)
   */
  checkpoint(id: string, payload: Record<string, unknown>): Promise<void>;
  retryLater(id: string, runAt: string, error: string): Promise<void>;
  fail(id: string, error: string): Promise<void>;
  /** Jobs not yet done or failed, for draining and for tests. */
  pendingCount(): Promise<number>;
  /** The earliest runAt among pending jobs, so a worker can sleep until then. */
  nextDueAt(): Promise<string | undefined>;
}
