import type { Job, JobQueue, ReceivedJob } from '../ports/job-queue';
import type { DeliveryResult } from '../ports/notifier';
import type { JobOutcome } from './job-runner';

/** How far a job that sends several messages has got: kept in the job's own payload. */
export interface DeliveryProgress {
  /** The next message to send. */
  next: number;
  /** Set right before message `sending` leaves; found set on a rerun, that message may or may not have arrived. */
  sending: number | null;
  /** Messages whose fate is unknown because the process died while they were on the wire. */
  unconfirmed: number[];
}

const fresh = (): DeliveryProgress => ({ next: 0, sending: null, unconfirmed: [] });

export function progressOf(job: Pick<Job, 'payload'>): DeliveryProgress {
  const p = job.payload.progress as Partial<DeliveryProgress> | undefined;
  if (!p || typeof p !== 'object') return fresh();
  return {
    next: Number.isInteger(p.next) ? Number(p.next) : 0,
    sending: Number.isInteger(p.sending) ? Number(p.sending) : null,
    unconfirmed: Array.isArray(p.unconfirmed) ? p.unconfirmed.filter((n) => Number.isInteger(n)) : [],
  };
}

/** What one message's send reported, or that it no longer needs sending (the request moved on). */
export type Send = (beforeSend: () => Promise<boolean>) => Promise<DeliveryResult | 'skip'>;

/**
 * Sends a job's messages in order, each at most once. Before message i leaves,
 * the job's payload records `sending: i` (which also says that every message
 * before i is done). A rerun after a crash finds it, counts message i as
 * unconfirmed rather than sending it again, and carries on from i + 1. Teams
 * offers no way to ask whether a message arrived, so that one message is the
 * only doubt; the reminders heal it. A throttled or transient failure records
 * where to resume and asks the queue to retry later.
 */
export async function deliverInOrder(
  queue: JobQueue,
  job: ReceivedJob,
  sends: Send[],
  log: (msg: string) => void,
  retryAfterMs: (attempt: number) => number,
): Promise<JobOutcome> {
  let progress = progressOf(job);
  if (progress.sending !== null) {
    log(`job ${job.key}: message ${progress.sending + 1} of ${sends.length} was on the wire when the last run stopped; recorded as sent, not confirmed`);
    progress = { next: progress.sending + 1, sending: null, unconfirmed: [...progress.unconfirmed, progress.sending] };
    // A stale receipt: the job was delivered to another worker meanwhile, which now owns it.
    if (!(await queue.checkpoint(job, { ...job.payload, progress }))) return { kind: 'done' };
  }
  for (let i = progress.next; i < sends.length; i++) {
    const at = i;
    const result = await sends[i](async () => {
      progress = { ...progress, next: at, sending: at };
      return queue.checkpoint(job, { ...job.payload, progress });
    });
    // Cancelled: the checkpoint found the job taken over by another worker, so nothing left here and the rest is theirs.
    if (result !== 'skip' && result.kind === 'cancelled') return { kind: 'done' };
    if (result === 'skip' || result.kind === 'sent') continue;
    if (result.kind === 'recipientNotFound' || (result.kind === 'failed' && !result.transient)) {
      log(`job ${job.key}: message ${i + 1} could not be delivered to ${result.userId}: ${result.reason}`);
      continue;
    }
    // Nothing left this process for message i (the connector answered), so it is safe to send it again later.
    progress = { ...progress, next: i, sending: null };
    if (!(await queue.checkpoint(job, { ...job.payload, progress }))) return { kind: 'done' };
    return result.kind === 'throttled'
      ? { kind: 'retry', afterMs: result.retryAfterMs, error: 'throttled' }
      : { kind: 'retry', afterMs: retryAfterMs(job.attempts), error: result.reason };
  }
  return { kind: 'done' };
}
