import { BookedSignal, earliestRunAt, VISIBILITY_MS, type Job, type JobQueue, type ReceivedJob } from '../../ports/job-queue';
import { SharePointError } from './errors';
import { ceilToSecond, fromDateTime, lit, num, toDateTime, type Fields, EPOCH } from './fields';
import { jobFields, jobFrom } from './mappers';
import { itemOf, type Item, type SiteClient } from './site';

/** Every pending or running job has a DueAt; this literal is before all of them. */

/**
 * The job queue as a SharePoint list, safe across several app instances, with
 * the port's message-queue semantics.
 *
 * DueAt is the visibility timeout: runAt while waiting, the lease's end while
 * held, empty when done or poison (JobStatus `failed`). Receiving is a PATCH
 * with If-Match on the eTag we read: of two instances that read the same job,
 * exactly one PATCH succeeds and the other gets 412 and skips it. The eTag
 * that PATCH returns is the receipt: completing, releasing or poisoning is
 * another PATCH with If-Match on it, so a worker whose lease ran out (the job
 * was delivered again) changes nothing. A worker that dies leaves DueAt at its
 * lease end, so the job is visible again then.
 *
 * SharePoint keeps dateTime to the second: runAt is stored rounded down (a job
 * may start up to a second early, never late) and lease ends rounded up (a
 * lease never ends early).
 */
export class SharePointJobQueue implements JobQueue {
  private readonly signal = new BookedSignal();
  /** What the last receive saw of the next due time; cleared by anything this process books or releases. */
  private hint?: { nextDueAt: string | undefined };

  constructor(private readonly site: SiteClient) {}

  /** Batches of 20; a job whose key (or id) exists already is a 409 and is ignored: the first one stays. */
  async enqueue(jobs: Job[]): Promise<void> {
    const seen = new Set<string>();
    const fresh = jobs.filter((j) => !seen.has(j.key) && seen.add(j.key));
    const res = await this.site.batch.all(fresh.map((j) => this.site.createReq('jobs', jobFields(j))));
    res.forEach((r, i) => {
      if (r.status !== 201 && r.status !== 409) throw new SharePointError(`SharePoint: enqueuing job ${fresh[i]!.key} failed (${r.status})`, r.status);
    });
    if (fresh.length) this.booked(earliestRunAt(fresh));
  }

  booked(runAt?: string, held?: ReceivedJob[]): void {
    this.hint = undefined;
    this.signal.fire(runAt, held);
  }

  onBooked(listener: (runAt?: string, held?: ReceivedJob[]) => void): () => void {
    return this.signal.on(listener);
  }

  /**
   * The fields of a job written already received by this process, for a store that books jobs inside
   * its own write (see `booked`'s `held`): running, invisible until the lease ends, first delivery.
   */
  heldFields(j: Job, now: Date): Fields {
    const lease = ceilToSecond(now.getTime() + VISIBILITY_MS);
    return { ...jobFields(j), JobStatus: 'running', LeaseUntil: lease, DueAt: lease, Attempts: 1 };
  }

  /**
   * A job written held whose POST answer we did not see (the reply was lost and the retry met 409, or the
   * chain was replayed): if it is still exactly as we wrote it, it is ours to run, with the eTag read now.
   * Otherwise (already received or finished) it is someone else's. Saves waiting out the lease.
   */
  async adopt(j: Job, at: Date): Promise<ReceivedJob | undefined> {
    const it = await this.site.findOne('jobs', `fields/JobKey eq ${lit(j.key)}`);
    if (!it || it.fields.JobId !== j.id || it.fields.JobStatus !== 'running' || num(it.fields.Attempts) !== 1) return undefined;
    if (fromDateTime(it.fields.LeaseUntil) !== fromDateTime(this.heldFields(j, at).LeaseUntil)) return undefined;
    return this.heldFrom(j, it);
  }

  /** The held job as the worker receives it, from the POST that created it (its eTag is the receipt). */
  heldFrom(j: Job, created: Item): ReceivedJob {
    return { ...j, attempts: 1, receipt: receiptOf(created.id, created.eTag) };
  }

  async receive(now: Date, limit: number, visibilityMs: number): Promise<ReceivedJob[]> {
    if (limit < 1) return [];
    // One look ahead past the due jobs tells when the next one falls due, so the worker's nextDueAt()
    // right after needs no request of its own.
    const open = await this.site.query('jobs', { filter: `fields/DueAt ge ${EPOCH}`, orderby: 'fields/DueAt', top: limit + 1 }, limit + 1);
    const isDue = (it: { fields: Record<string, unknown> }) => Date.parse(String(it.fields.DueAt)) <= now.getTime();
    const due = open.filter(isDue).slice(0, limit);
    const ahead = open.find((it) => !isDue(it));
    this.hint = { nextDueAt: ahead ? (fromDateTime(ahead.fields.DueAt) ?? undefined) : open.length > limit ? now.toISOString() : undefined };
    if (!due.length) return [];
    const lease = ceilToSecond(now.getTime() + visibilityMs);
    const res = await this.site.together(
      due.map((it) => this.site.updateReq('jobs', it.id, { JobStatus: 'running', LeaseUntil: lease, DueAt: lease, Attempts: num(it.fields.Attempts) + 1 }, it.eTag)),
    );
    const won: ReceivedJob[] = [];
    res.forEach((r, i) => {
      const it = due[i]!;
      if (r.status === 200) {
        const job = jobFrom(it.fields);
        won.push({ ...job, attempts: num(it.fields.Attempts) + 1, receipt: receiptOf(it.id, itemOf(r).eTag) });
      } else if (r.status !== 412 && r.status !== 404) {
        // 412: another instance received it between our read and our write; 404: deleted by hand. Anything else is an outage.
        throw new SharePointError(`SharePoint: receiving job ${String(it.fields.JobKey)} failed (${r.status})`, r.status);
      }
    });
    return won.sort((a, b) => (a.runAt < b.runAt ? -1 : a.runAt > b.runAt ? 1 : 0));
  }

  async complete(job: ReceivedJob): Promise<boolean> {
    return this.settle(job, { JobStatus: 'done', LeaseUntil: null, DueAt: null });
  }

  /** If-Match on the receipt's eTag; the write gives the item a new eTag, which becomes the job's receipt. */
  async checkpoint(job: ReceivedJob, payload: Record<string, unknown>): Promise<boolean> {
    const { itemId, eTag } = parseReceipt(job.receipt);
    if (!itemId) return false;
    const res = await this.site.update('jobs', itemId, { Payload: JSON.stringify(payload) }, eTag);
    if (res === 'conflict') return false;
    job.receipt = receiptOf(itemId, res.eTag);
    job.payload = payload;
    return true;
  }

  async release(job: ReceivedJob, runAt: string, error: string): Promise<boolean> {
    const at = toDateTime(runAt);
    this.hint = undefined;
    return this.settle(job, { JobStatus: 'pending', RunAt: at, DueAt: at, LeaseUntil: null, LastError: error.slice(0, 500) });
  }

  async poison(job: ReceivedJob, error: string): Promise<boolean> {
    return this.settle(job, { JobStatus: 'failed', DueAt: null, LeaseUntil: null, LastError: error.slice(0, 500) });
  }

  /** Pages through the open jobs' ids (one indexed range). For draining and tests; not on any hot path. */
  async pendingCount(): Promise<number> {
    return (await this.site.query('jobs', { filter: `fields/DueAt ge ${EPOCH}`, select: ['JobId'] })).length;
  }

  /** One request for at most one open job's id (the indexed DueAt range): the list and the Graph token answer. */
  async ping(): Promise<void> {
    await this.site.query('jobs', { filter: `fields/DueAt ge ${EPOCH}`, top: 1, select: ['JobId'] }, 1);
  }

  /**
   * From the look-ahead of the last receive when nothing was booked or released in this process since
   * (each once: a later call asks SharePoint, to see what other instances booked); otherwise one query.
   */
  async nextDueAt(): Promise<string | undefined> {
    const hint = this.hint;
    this.hint = undefined;
    if (hint) return hint.nextDueAt;
    const [first] = await this.site.query('jobs', { filter: `fields/DueAt ge ${EPOCH}`, orderby: 'fields/DueAt', top: 1, select: ['DueAt'] }, 1);
    return first ? (fromDateTime(first.fields.DueAt) ?? undefined) : undefined;
  }

  /** Only the holder of the latest receipt may say how a delivery ended: If-Match on the eTag it was given. */
  private async settle(job: ReceivedJob, fields: Record<string, unknown>): Promise<boolean> {
    const { itemId, eTag } = parseReceipt(job.receipt);
    if (!itemId) return false;
    try {
      return (await this.site.update('jobs', itemId, fields, eTag)) !== 'conflict';
    } catch (e) {
      if (e instanceof SharePointError && e.status === 404) return false; // deleted by hand: nothing to record
      throw e;
    }
  }
}

/** The receipt carries the item, so settling needs no lookup, and the eTag that proves this delivery. */
const receiptOf = (itemId: string, eTag: string) => `${itemId} ${eTag}`;
function parseReceipt(receipt: string): { itemId: string; eTag: string } {
  const at = receipt.indexOf(' ');
  return at < 0 ? { itemId: '', eTag: '' } : { itemId: receipt.slice(0, at), eTag: receipt.slice(at + 1) };
}
