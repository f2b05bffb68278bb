import type Database from 'better-sqlite3';
import type { Job, JobQueue } from '../ports/job-queue';

export function insertJobs(db: Database.Database, jobs: Job[]) {
  const stmt = db.prepare(
    `INSERT OR IGNORE INTO jobs (id, kind, key, payload, run_at, attempts, status, school_id) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)`,
  );
  for (const j of jobs) stmt.run(j.id, j.kind, j.key, JSON.stringify(j.payload), j.runAt, j.attempts, j.schoolId);
}

const toJob = (r: any): Job => ({ id: r.id, schoolId: r.school_id, kind: r.kind, key: r.key, payload: JSON.parse(r.payload), runAt: r.run_at, attempts: r.attempts });

/** The embedded mode's durable queue: a table, claimed with leases so a crash loses nothing. */
export class SqliteJobQueue implements JobQueue {
  private readonly claim: Database.Statement;
  private readonly nextPending: Database.Statement;
  private readonly nextLease: Database.Statement;
  private readonly done: Database.Statement;

  constructor(private readonly db: Database.Database) {
    // Prepared once: the worker runs these thousands of times a minute in a campaign.
    // Two index range scans (pending by run_at, running by lease) instead of one OR over the table.
    this.claim = db.prepare(
      `UPDATE jobs SET status = 'running', lease_until = ?, attempts = attempts + 1
       WHERE id IN (
         SELECT id FROM (SELECT id, run_at FROM jobs WHERE status = 'pending' AND run_at <= ? ORDER BY run_at LIMIT ?)
         UNION ALL
         SELECT id FROM (SELECT id, lease_until FROM jobs WHERE status = 'running' AND lease_until <= ? ORDER BY lease_until LIMIT ?)
         LIMIT ?)
       RETURNING *`,
    );
    this.nextPending = db.prepare(`SELECT MIN(run_at) AS at FROM jobs WHERE status = 'pending'`);
    this.nextLease = db.prepare(`SELECT MIN(lease_until) AS at FROM jobs WHERE status = 'running'`);
    this.done = db.prepare(`UPDATE jobs SET status = 'done', lease_until = NULL WHERE id = ?`);
  }

  async enqueue(jobs: Job[]): Promise<void> {
    this.db.transaction(() => insertJobs(this.db, jobs))();
  }

  async claimDue(now: Date, limit: number, leaseMs: number): Promise<Job[]> {
    const at = now.toISOString();
    const lease = new Date(now.getTime() + leaseMs).toISOString();
    // Claims pending due jobs, and running jobs whose worker died (lease expired), in one statement.
    const rows = this.claim.all(lease, at, limit, at, limit, limit);
    return rows.map(toJob).sort((a, b) => a.runAt.localeCompare(b.runAt));
  }

  /** Single-process embedded mode: at start, jobs left running by a process that died are due again at once. */
  recoverAfterRestart(): number {
    return this.db.prepare(`UPDATE jobs SET status = 'pending', lease_until = NULL WHERE status = 'running'`).run().changes;
  }

  async complete(id: string): Promise<void> {
    this.done.run(id);
  }

  async checkpoint(id: string, payload: Record<string, unknown>): Promise<void> {
    this.db.prepare(`UPDATE jobs SET payload = ? WHERE id = ?`).run(JSON.stringify(payload), id);
  }

  async retryLater(id: string, runAt: string, error: string): Promise<void> {
    this.db.prepare(`UPDATE jobs SET status = 'pending', run_at = ?, lease_until = NULL, last_error = ? WHERE id = ?`).run(runAt, error.slice(0, 500), id);
  }

  async fail(id: string, error: string): Promise<void> {
    this.db.prepare(`UPDATE jobs SET status = 'failed', lease_until = NULL, last_error = ? WHERE id = ?`).run(error.slice(0, 500), id);
  }

  async pendingCount(): Promise<number> {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM jobs WHERE status IN ('pending', 'running')`).get() as { n: number }).n;
  }

  async nextDueAt(): Promise<string | undefined> {
    const times = [(this.nextPending.get() as { at: string | null }).at, (this.nextLease.get() as { at: string | null }).at].filter((t): t is string => !!t);
    return times.sort()[0];
  }
}
