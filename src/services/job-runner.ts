import type { Clock } from '../ports/clock';
import type { Job, JobQueue } from '../ports/job-queue';

/** What a handler says about a job: done, try again later, or give up. */
export type JobOutcome = { kind: 'done' } | { kind: 'retry'; afterMs: number; error: string } | { kind: 'failed'; error: string };
export type JobHandler = (job: Job) => Promise<JobOutcome>;

export interface JobRunnerOptions {
  queue: JobQueue;
  clock: Clock;
  handlers: Record<string, JobHandler>;
  /** Jobs in flight at once. Sends are paced by the messenger's rate gate, not by this. */
  concurrency?: number;
  /** How long a claimed job is ours; a worker that dies releases it when this runs out. */
  leaseMs?: number;
  /** Longest sleep when nothing is due. */
  idleMs?: number;
  log: (msg: string) => void;
}

/**
 * Runs due jobs from the durable queue. At least once: a job whose worker died
 * runs again after its lease, so every handler checks state before it acts.
 */
export class JobRunner {
  private running = false;
  private inFlight = 0;
  private wake?: () => void;
  private loop?: Promise<void>;

  constructor(private readonly o: JobRunnerOptions) {}

  start() {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop() {
    this.running = false;
    this.wake?.();
    await this.loop;
    while (this.inFlight > 0) await new Promise((r) => setTimeout(r, 10));
  }

  /** Jobs this runner is executing right now (the loop's, not drain's). */
  get busy(): number {
    return this.inFlight;
  }

  /** Wakes the loop early, e.g. right after a campaign is launched. */
  nudge() {
    this.wake?.();
  }

  /** Runs every job due now (and any they make due now), then returns. For tests that move the clock. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const jobs = await this.o.queue.claimDue(this.o.clock.now(), this.o.concurrency ?? 32, this.o.leaseMs ?? 60_000);
      if (!jobs.length) return total;
      total += jobs.length;
      await Promise.all(jobs.map((j) => this.execute(j)));
    }
  }

  private async run() {
    const concurrency = this.o.concurrency ?? 32;
    while (this.running) {
      const room = concurrency - this.inFlight;
      const jobs = room > 0 ? await this.o.queue.claimDue(this.o.clock.now(), room, this.o.leaseMs ?? 60_000) : [];
      for (const job of jobs) {
        this.inFlight++;
        void this.execute(job).finally(() => {
          this.inFlight--;
          this.wake?.();
        });
      }
      if (jobs.length === room && room > 0) continue;
      await this.sleep(await this.sleepFor());
    }
  }

  private async sleepFor(): Promise<number> {
    const idle = this.o.idleMs ?? 1000;
    const next = await this.o.queue.nextDueAt();
    if (!next) return idle;
    return Math.max(5, Math.min(idle, Date.parse(next) - this.o.clock.now().getTime()));
  }

  private sleep(ms: number) {
    return new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }

  private async execute(job: Job) {
    const { queue, clock, log } = this.o;
    const handler = this.o.handlers[job.kind];
    if (!handler) {
      await queue.fail(job.id, `no handler for ${job.kind}`);
      return;
    }
    let outcome: JobOutcome;
    try {
      outcome = await handler(job);
    } catch (e) {
      // A bug or an outage: back off and try again; the attempt count bounds it.
      outcome = job.attempts >= 10 ? { kind: 'failed', error: (e as Error).message } : { kind: 'retry', afterMs: 1000 * 2 ** Math.min(job.attempts, 6), error: (e as Error).message };
      log(`job ${job.kind} ${job.key} threw: ${(e as Error).message}`);
    }
    if (outcome.kind === 'done') await queue.complete(job.id);
    else if (outcome.kind === 'failed') await queue.fail(job.id, outcome.error);
    else await queue.retryLater(job.id, new Date(clock.now().getTime() + outcome.afterMs).toISOString(), outcome.error);
  }
}
