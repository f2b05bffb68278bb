import type { Job, JobQueue } from '../../ports/job-queue';
import { SharePointError } from './errors';
import { ceilToSecond, fromDateTime, lit, num, toDateTime } from './fields';
import { jobFields, jobFrom } from './mappers';
import { type Item, type SiteClient } from './site';

/** Every pending or running job has a DueAt; this literal is before all of them. */
const EPOCH = `'1970-01-01T00:00:00Z'`;

/**
 * The job queue as a SharePoint list, safe across several app instances.
 *
 * A job is claimable when its DueAt has passed: runAt while pending, the
 * lease's end while running. Claiming is a PATCH with If-Match on the eTag we
 * read: of two instances that read the same job, exactly one PATCH succeeds and
 * the other gets 412 and skips it. A worker that dies leaves DueAt at its lease
 * end, so the job is claimable again then.
 *
 * SharePoint keeps dateTime to the second: runAt is stored rounded down (a job
 * may start up to a second early, never late) and lease ends rounded up (a
 * lease never ends early).
 */
export class SharePointJobQueue implements JobQueue {
  /** Job id → item id, for jobs this instance enqueued or claimed. */
  private readonly itemIds = new Map<string, string>();

  constructor(private readonly site: SiteClient) {}

  /** Batches of 20; a job whose key (or id) exists already is a 409 and is ignored: the first one stays. */
  async enqueue(jobs: Job[]): Promise<void> {
    const seen = new Set<string>();
    const fresh = jobs.filter((j) => !seen.has(j.key) && seen.add(j.key));
    const res = await this.site.batch.all(fresh.map((j) => this.site.createReq('jobs', jobFields(j))));
    res.forEach((r, i) => {
      if (r.status === 201) this.remember(fresh[i]!.id, String((r.body as { id?: string }).id ?? ''));
      else if (r.status !== 409) throw new SharePointError(`SharePoint: enqueuing job ${fresh[i]!.key} failed (${r.status})`, r.status);
    });
  }

  async claimDue(now: Date, limit: number, leaseMs: number): Promise<Job[]> {
    if (limit < 1) return [];
    const due = await this.site.query('jobs', { filter: `fields/DueAt le ${lit(toDateTime(now.toISOString())!)}`, orderby: 'fields/DueAt', top: limit }, limit);
    if (!due.length) return [];
    const lease = ceilToSecond(now.getTime() + leaseMs);
    const res = await this.site.batch.all(
      due.map((it) => this.site.updateReq('jobs', it.id, { JobStatus: 'running', LeaseUntil: lease, DueAt: lease, Attempts: num(it.fields.Attempts) + 1 }, it.eTag)),
    );
    const won: Job[] = [];
    res.forEach((r, i) => {
      const it = due[i]!;
      if (r.status === 200) {
        const job = jobFrom(it.fields);
        this.remember(job.id, it.id);
        won.push({ ...job, attempts: job.attempts + 1 });
      } else if (r.status !== 412 && r.status !== 404) {
        // 412: another instance claimed it between our read and our write; 404: deleted by hand. Anything else is an outage.
        throw new SharePointError(`SharePoint: claiming job ${String(it.fields.JobKey)} failed (${r.status})`, r.status);
      }
    });
    return won.sort((a, b) => (a.runAt < b.runAt ? -1 : a.runAt > b.runAt ? 1 : 0));
  }

  async complete(id: string): Promise<void> {
    await this.set(id, { JobStatus: 'done', LeaseUntil: null, DueAt: null });
  }

  async checkpoint(id: string, payload: Record<string, unknown>): Promise<void> {
    await this.set(id, { Payload: JSON.stringify(payload) });
  }

  async retryLater(id: string, runAt: string, error: string): Promise<void> {
    const at = toDateTime(runAt);
    await this.set(id, { JobStatus: 'pending', RunAt: at, DueAt: at, LeaseUntil: null, LastError: error.slice(0, 500) });
  }

  async fail(id: string, error: string): Promise<void> {
    await this.set(id, { JobStatus: 'failed', DueAt: null, LeaseUntil: null, LastError: error.slice(0, 500) });
  }

  /** Pages through the open jobs' ids (one indexed range). For draining and tests; not on any hot path. */
  async pendingCount(): Promise<number> {
    return (await this.site.query('jobs', { filter: `fields/DueAt ge ${EPOCH}`, select: ['JobId'] })).length;
  }

  async nextDueAt(): Promise<string | undefined> {
    const [first] = await this.site.query('jobs', { filter: `fields/DueAt ge ${EPOCH}`, orderby: 'fields/DueAt', top: 1, select: ['DueAt'] }, 1);
    return first ? (fromDateTime(first.fields.DueAt) ?? undefined) : undefined;
  }

  /** Unconditional, as in SQLite: whoever finishes a job last says how it ended. */
  private async set(id: string, fields: Record<string, unknown>): Promise<void> {
    const itemId = this.itemIds.get(id) ?? (await this.find(id))?.id;
    if (!itemId) return; // never enqueued here or deleted by hand: nothing to record
    const r = await this.site.update('jobs', itemId, fields);
    if (r === 'conflict') throw new SharePointError(`SharePoint: job ${id} refused an unconditional update`, 412);
  }

  private find(id: string): Promise<Item | undefined> {
    return this.site.findOne('jobs', `fields/JobId eq ${lit(id)}`);
  }

  private remember(jobId: string, itemId: string) {
    if (!itemId) return;
    if (this.itemIds.size > 50_000) this.itemIds.clear();
    this.itemIds.set(jobId, itemId);
  }
}
