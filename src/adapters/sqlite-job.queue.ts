import type Database from 'better-sqlite3';
import { BookedSignal, earliestRunAt, type Job, type JobQueue, type ReceivedJob } from '../ports/job-queue';

/**
 * Writes jobs inside the caller's transaction: a change and its jobs commit together.
 * The caller then calls `jobs.booked()` after the commit so the worker wakes.
 */
export function insertJobs(db: Database.Database, jobs: Job[]) {
  const stmt = db.prepare(
    `INSERT OR IGNORE INTO jobs (id, kind, key, payload, run_at, visible_at, attempts, status, school_id) VALUES (?, ?, ?, ?, ?, ?, 0, 'queued', ?)`,
  );
  for (const j of jobs) stmt.run(j.id, j.kind, j.key, JSON.stringify(j.payload), j.runAt, j.runAt, j.schoolId);
}

const toJob = (r: any): ReceivedJob => ({ id: r.id, schoolId: r.school_id, kind: r.kind, key: r.key, payload: JSON.parse(r.payload), runAt: r.run_at, attempts: r.attempts, receipt: r.receipt });

/**
 * The embedded mode's durable queue, a table with a message queue's semantics
 * (see the port): `visible_at` is the visibility timeout, `attempts` the
 * dequeue count, `receipt` the pop receipt. Status is queued, done or poison.
 */
export class SqliteJobQueue implements JobQueue {
  private readonly take: Database.Statement;
  private readonly next: Database.Statement;
  private readonly done: Database.Statement;
  private readonly signal = new BookedSignal();

  constructor(private readonly db: Database.Database) {
    // Prepared once: the worker runs these thousands of times a minute in a campaign.
    // One index range scan (status, visible_at); randomblob is evaluated per row, so each delivery gets its own receipt.
    this.take = db.prepare(
      `UPDATE jobs SET visible_at = ?, attempts = attempts + 1, receipt = lower(hex(randomblob(8)))
       WHERE id IN (SELECT id FROM jobs WHERE status = 'queued' AND visible_at <= ? ORDER BY visible_at LIMIT ?)
       RETURNING *`,
    );
    this.next = db.prepare(`SELECT MIN(visible_at) AS at FROM jobs WHERE status = 'queued'`);
    this.done = db.prepare(`UPDATE jobs SET status = 'done', visible_at = NULL, receipt = NULL WHERE id = ? AND receipt = ? AND status = 'queued'`);
  }

  async enqueue(jobs: Job[]): Promise<void> {
    this.db.transaction(() => insertJobs(this.db, jobs))();
    if (jobs.length) this.booked(earliestRunAt(jobs));
  }

  booked(runAt?: string, held?: ReceivedJob[]): void {
    this.signal.fire(runAt, held);
  }

  onBooked(listener: (runAt?: string, held?: ReceivedJob[]) => void): () => void {
    return this.signal.on(listener);
  }

  async receive(now: Date, limit: number, visibilityMs: number): Promise<ReceivedJob[]> {
    if (limit < 1) return [];
    const rows = this.take.all(new Date(now.getTime() + visibilityMs).toISOString(), now.toISOString(), limit);
    return rows.map(toJob).sort((a, b) => a.runAt.localeCompare(b.runAt));
  }

  /** Single-process embedded mode: at start, jobs held by a process that died are visible again at once. */
  recoverAfterRestart(): number {
    return this.db.prepare(`UPDATE jobs SET visible_at = run_at, receipt = NULL WHERE status = 'queued' AND receipt IS NOT NULL`).run().changes;
  }

  async complete(job: ReceivedJob): Promise<boolean> {
    return this.done.run(job.id, job.receipt).changes === 1;
  }

  async checkpoint(job: ReceivedJob, payload: Record<string, unknown>): Promise<boolean> {
    const ok = this.db.prepare(`UPDATE jobs SET payload = ? WHERE id = ? AND receipt = ? AND status = 'queued'`).run(JSON.stringify(payload), job.id, job.receipt).changes === 1;
    if (ok) job.payload = payload;
    return ok;
  }

  async release(job: ReceivedJob, runAt: string, error: string): Promise<boolean> {
    return (
      this.db
        .prepare(`UPDATE jobs SET run_at = ?, visible_at = ?, receipt = NULL, last_error = ? WHERE id = ? AND receipt = ? AND status = 'queued'`)
        .run(runAt, runAt, error.slice(0, 500), job.id, job.receipt).changes === 1
    );
  }

  async poison(job: ReceivedJob, error: string): Promise<boolean> {
    return (
      this.db
        .prepare(`UPDATE jobs SET status = 'poison', visible_at = NULL, receipt = NULL, last_error = ? WHERE id = ? AND receipt = ? AND status = 'queued'`)
        .run(error.slice(0, 500), job.id, job.receipt).changes === 1
    );
  }

  async pendingCount(): Promise<number> {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM jobs WHERE status = 'queued'`).get() as { n: number }).n;
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1 FROM jobs LIMIT 1').get();
  }

  async nextDueAt(): Promise<string | undefined> {
    return (this.next.get() as { at: string | null }).at ?? undefined;
  }

  /** A job's state and last error, for tests and for the operator's eye. */
  inspect(id: string): { status: string; attempts: number; lastError: string | null } | undefined {
    const r = this.db.prepare(`SELECT status, attempts, last_error FROM jobs WHERE id = ?`).get(id) as { status: string; attempts: number; last_error: string | null } | undefined;
    return r && { status: r.status, attempts: r.attempts, lastError: r.last_error };
  }
}
