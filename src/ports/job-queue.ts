/**
 * The durable job queue: every message Countersign sends and every delayed
 * task (reminders, escalations, campaign sends). Its semantics are those of a
 * message queue, so Azure Storage Queue can implement it as well as a table:
 *
 * - A job is invisible until its `runAt` (a delayed job).
 * - `receive` makes up to `limit` visible jobs invisible for `visibilityMs`
 *   (the lease), adds one to each one's dequeue count and hands each a fresh
 *   receipt. A worker that dies simply never answers, and the job becomes
 *   visible again when the visibility timeout runs out: at least once, so
 *   handlers check state before they act.
 * - Only the holder of the latest receipt can `complete`, `release` or
 *   `poison` a job; a stale receipt (the job was redelivered to someone else)
 *   changes nothing and answers false.
 * - After N deliveries a job is poison: the worker moves it aside with its
 *   last error instead of running it again (JobRunner decides N).
 *
 * Mapping to Azure Storage Queue (@azure/storage-queue QueueClient):
 * | port                         | Azure Storage Queue                                                        |
 * |------------------------------|----------------------------------------------------------------------------|
 * | enqueue(jobs)                | per job: sendMessage(JSON(job), { visibilityTimeout: runAt − now (s, ≤ 7 days) }); |
 * |                              | key uniqueness needs a claim first: Table insertEntity(PartitionKey=kind,   |
 * |                              | RowKey=key), a 409 means booked already, so skip the sendMessage           |
 * | receive(now, limit, vis)     | receiveMessages({ numberOfMessages: ≤ 32, visibilityTimeout: vis (s) });   |
 * |                              | attempts = dequeueCount, receipt = messageId + popReceipt                  |
 * | complete(job)                | deleteMessage(messageId, popReceipt); 404 = stale receipt → false          |
 * | release(job, runAt, error)   | updateMessage(messageId, popReceipt, JSON(job + lastError),                |
 * |                              | visibilityTimeout: runAt − now); dequeueCount is kept                      |
 * | poison(job, error)           | sendMessage to `<queue>-poison` (job + error), then deleteMessage           |
 * | booked() / onBooked(l)       | in-process only: wakes this instance's worker (no Azure call)              |
 * | pendingCount()               | getProperties().approximateMessagesCount                                   |
 * | ping()                       | getProperties() (one request)                                              |
 * | nextDueAt()                  | not available (Azure cannot peek invisible messages): undefined, and the    |
 * |                              | worker sleeps its capped interval                                          |
 * A runAt more than 7 days ahead exceeds Azure's longest visibility timeout: the adapter sends it
 * invisible for 7 days and, when it is received early, releases it again until its runAt.
 */
export interface Job {
  id: string;
  /** The school of the record the job is about (a request's, a campaign's). */
  schoolId: string;
  kind: string;
  /** Unique per job: enqueuing the same key twice keeps the first, even after the first has run. */
  key: string;
  payload: Record<string, unknown>;
  /** ISO time before which the job does not run (its initial invisibility). */
  runAt: string;
  /** Ignored on enqueue (a new job has been delivered 0 times); on a received job, see ReceivedJob. */
  attempts?: number;
}

/** A job as a worker holds it. */
export interface ReceivedJob extends Job {
  /** How many times it has been delivered, this time included (Azure's dequeueCount). */
  attempts: number;
  /** Proof of this delivery (Azure's popReceipt); the next delivery gets a new one. */
  receipt: string;
}

export interface JobQueue {
  /** Books jobs, then calls `booked()`. A key that exists already is skipped: the first stays. */
  enqueue(jobs: Job[]): Promise<void>;
  /**
   * Says that jobs were just booked in this process, due at `runAt` at the
   * earliest (unknown: now). `enqueue` calls it; a store that writes jobs
   * inside its own transaction calls it after the commit, with
   * `earliestRunAt(jobs)`. A worker asleep past that time wakes for it.
   *
   * `held`: jobs due now that were written already received by this process
   * (invisible for a lease, with a receipt), so the worker runs them at once
   * without a receive. Azure: sendMessage with `visibilityTimeout` = the lease
   * answers with the message's popReceipt, which is the receipt. If this
   * process dies, a held job becomes visible when its lease ends, like any other.
   */
  booked(runAt?: string, held?: ReceivedJob[]): void;
  /** Calls `listener` on every `booked()`; returns a function that stops it. */
  onBooked(listener: (runAt?: string, held?: ReceivedJob[]) => void): () => void;
  /** Takes up to `limit` visible jobs, invisible to others for `visibilityMs`, oldest runAt first. */
  receive(now: Date, limit: number, visibilityMs: number): Promise<ReceivedJob[]>;
  /** Done: the job is never delivered again. False if the receipt is stale. */
  complete(job: ReceivedJob): Promise<boolean>;
  /**
   * Replaces a held job's payload (receipt checked), so a job that sends several
   * messages can record how far it got before each one leaves: after a crash it
   * runs again and resumes there, sending nothing twice. On success the job's
   * payload and receipt are updated in place: the write may issue a new receipt
   * (Azure Storage Queue: updateMessage with the pop receipt answers a new one;
   * SharePoint: the item's new eTag). False if the receipt is stale.
   */
  checkpoint(job: ReceivedJob, payload: Record<string, unknown>): Promise<boolean>;
  /** Try again at `runAt`: visible again then, dequeue count kept, `error` kept as the last error. */
  release(job: ReceivedJob, runAt: string, error: string): Promise<boolean>;
  /** Give up: the job is set aside as poison with `error`, never delivered again. */
  poison(job: ReceivedJob, error: string): Promise<boolean>;
  /** Jobs not yet done or poison (approximate on Azure). */
  pendingCount(): Promise<number>;
  /**
   * When the next job becomes visible, if the queue can tell cheaply (a table
   * can; Azure cannot and answers undefined). The worker sleeps until then, at
   * most its cap.
   */
  nextDueAt(): Promise<string | undefined>;
  /**
   * One cheap read that proves the queue answers, for the readiness probe (/readyz); throws if it does not.
   * It changes nothing and leaves what `nextDueAt` knows alone. Azure: getProperties().
   */
  ping(): Promise<void>;
}

/**
 * How long a received job stays invisible to other workers: the worker's lease. A job handed over at
 * booking (`booked`'s `held`) is written with the same lease, so both are alike.
 */
export const VISIBILITY_MS = 30_000;

/** The earliest runAt of some jobs, for `booked()`. */
export function earliestRunAt(jobs: ReadonlyArray<Pick<Job, 'runAt'>>): string | undefined {
  let first: string | undefined;
  for (const j of jobs) if (first === undefined || Date.parse(j.runAt) < Date.parse(first)) first = j.runAt;
  return first;
}

/** The listeners behind `booked()`/`onBooked()`, for adapters to share. */
export class BookedSignal {
  private readonly listeners = new Set<(runAt?: string, held?: ReceivedJob[]) => void>();
  on(listener: (runAt?: string, held?: ReceivedJob[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  fire(runAt?: string, held?: ReceivedJob[]): void {
    // One worker per process runs a held job: hand it to the first listener only.
    let first = true;
    for (const l of this.listeners) {
      l(runAt, first ? held : undefined);
      first = false;
    }
  }
}
