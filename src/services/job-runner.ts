import type { Clock } from '../ports/clock';
import type { JobQueue, ReceivedJob } from '../ports/job-queue';
import { backoffMs, jobsPolicy, type RetryPolicy } from '../resilience/retry.policy';

/** What a handler says about a job: done, try again later, or give up (the job is poison). */
export type JobOutcome = { kind: 'done' } | { kind: 'retry'; afterMs: number; error: string } | { kind: 'failed'; error: string };
export type JobHandler = (job: ReceivedJob) => Promise<JobOutcome>;

export interface JobRunnerOptions {
  queue: JobQueue;
  clock: Clock;
  handlers: Record<string, JobHandler>;
  /** Jobs in flight at once. Sends are paced by the messenger's rate gate, not by this. */
  concurrency?: number;
  /** The visibility timeout: how long a received job is ours; if we die, it is delivered again after this. */
  leaseMs?: number;
  /**
   * Longest sleep when nothing is due. Jobs booked in this process wake the
   * worker at once; this cap is how late it finds jobs booked by other instances.
   */
  idleMs?: number;
  /** Back-off for a handler that threw; its maxAttempts is the poison threshold (deliveries). */
  policy?: RetryPolicy;
  random?: () => number;
  log: (msg: string) => void;
}

type Wake = 'timer' | 'booked' | 'finished' | 'stop';

/** How soon the loop asks again after the queue failed to answer. */
const QUEUE_RETRY_MS = 5_000;

/**
 * Runs due jobs from the durable queue. At least once: a job whose worker died
 * is delivered again after its visibility timeout, so every handler checks
 * state before it acts.
 *
 * When idle it sleeps until the next job is due (if the queue can tell), at
 * most `idleMs`, and wakes at once when a job is booked in this process. On
 * SharePoint an idle wake costs one Graph request (nextDueAt).
 *
 * Poison: a job delivered more than `policy.maxAttempts` times without an
 * answer (its workers kept dying), or whose handler threw on its last allowed
 * delivery, or whose handler said `failed`, is set aside with its last error.
 * A handler that answers `retry` owns its own limit; the delivery cap still
 * stops it in the end.
 */
export class JobRunner {
  private running = false;
  private inFlight = 0;
  /** The jobs running now, so that a shutdown can hand back the ones that do not finish in time. */
  private readonly inHand = new Set<ReceivedJob>();
  /** Jobs handed back by a shutdown: their handler's late answer must not count. */
  private readonly released = new WeakSet<ReceivedJob>();
  private wake?: (why: Wake) => void;
  /** What happened while the loop was not asleep. */
  private missed?: Wake;
  /** Moves the current sleep's end earlier, to a clock time in ms. */
  private retime?: (atMs: number) => void;
  /** A job was booked for later while the loop was not asleep: the next due time it knows may be too late. */
  private stale = false;
  /** While the loop sleeps: the next due time it knows of (ms, or undefined for none). */
  private asleepKnowing?: { next: number | undefined };
  private loop?: Promise<void>;
  private unsubscribe?: () => void;
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly idleMs: number;
  private readonly refill: number;
  private readonly policy: RetryPolicy;

  constructor(private readonly o: JobRunnerOptions) {
    this.concurrency = o.concurrency ?? 32;
    this.refill = Math.max(1, Math.floor(this.concurrency / 4));
    this.leaseMs = o.leaseMs ?? 60_000;
    this.idleMs = o.idleMs ?? 60_000;
    this.policy = o.policy ?? jobsPolicy;
  }

  start() {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.o.queue.onBooked((runAt, held) => this.onBooked(runAt, held));
    this.loop = this.run();
  }

  /**
   * Stops receiving, then waits for the jobs in flight. With `graceMs`, the ones still running after it
   * are released (visible again at once, their dequeue count kept) rather than left to wait out their
   * lease, and stop returns: the process is about to exit, and the next instance or the next start runs
   * them again from their last checkpoint, as after a crash. Says how many finished and how many were released.
   */
  async stop(graceMs?: number): Promise<{ finished: number; released: number }> {
    this.running = false;
    this.unsubscribe?.();
    this.signal('stop');
    const before = this.inFlight;
    const deadline = graceMs === undefined ? Infinity : Date.now() + graceMs;
    // The loop may be awaiting the queue (a receive in flight): what it receives is launched no more.
    if (graceMs === undefined) await this.loop;
    else {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([this.loop, new Promise((r) => (timer = setTimeout(r, graceMs)))]);
      clearTimeout(timer);
    }
    while (this.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const left = [...this.inHand];
    let released = 0;
    const at = this.o.clock.now().toISOString();
    await Promise.all(
      left.map(async (job) => {
        this.released.add(job);
        const ok = await this.o.queue.release(job, at, 'released at shutdown before it finished').catch(() => false);
        if (ok) released++;
      }),
    );
    if (left.length) this.o.log(`shutdown: released ${released} of ${left.length} jobs still running`);
    return { finished: before - left.length, released };
  }

  /**
   * A job due now wakes the loop; one due later than now but before the loop
   * would wake shortens its sleep to then (no request); a later one changes nothing.
   */
  private onBooked(runAt?: string, held?: ReceivedJob[]) {
    if (held?.length) {
      // Written already received by this process: run them now, whatever the slots (a change books one).
      for (const job of held) this.launch(job);
      // Nothing else was booked: no receive needed.
      if (runAt === undefined) return;
    }
    const at = runAt === undefined ? NaN : Date.parse(runAt);
    if (!(at > this.o.clock.now().getTime())) this.signal('booked');
    else if (this.retime) this.retime(at);
    else {
      // The loop is busy (awaiting the queue): what it knows of the next due time is out of date; make it ask before it sleeps.
      this.stale = true;
      this.signal('finished');
    }
  }

  /** Wakes the loop early. Booking through the queue does this already; kept for callers that know better. */
  nudge() {
    this.signal('booked');
  }

  /**
   * Wakes the loop, or, if it is busy (awaiting the queue), makes its next
   * sleep return at once: a wake-up lost here would cost a whole idle cap.
   */
  private signal(why: Wake) {
    if (this.wake) return this.wake(why);
    if (this.missed !== 'booked' && this.missed !== 'stop') this.missed = why;
  }

  /** Runs every job due now (and any they make due now), then returns. For tests that move the clock. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const jobs = await this.o.queue.receive(this.o.clock.now(), this.concurrency, this.leaseMs);
      if (!jobs.length) return total;
      total += jobs.length;
      await Promise.all(jobs.map((j) => this.execute(j)));
    }
  }

  /**
   * Asleep with nothing running and no job known to fall due within `withinMs`: what a test or a
   * benchmark waits for, without asking the queue (on SharePoint every look is a Graph request).
   */
  quiet(withinMs: number): boolean {
    if (!this.running || !this.wake || this.inFlight > 0 || this.missed || this.stale || !this.asleepKnowing) return false;
    return this.asleepKnowing.next === undefined || this.asleepKnowing.next - this.o.clock.now().getTime() > withinMs;
  }

  /** Jobs running now, for tests. */
  get busy(): number {
    return this.inFlight;
  }

  private async run() {
    // Whether a receive is worth its request: after a wake for a booking, when the next job fell due, or when the last receive filled every slot.
    let due = true;
    // When the next job falls due, as last learnt from the queue (ms), or undefined when unknown. A finished job
    // does not make it unknown: finishing only removes a job, and a retry it asks for is booked like any other.
    let knownNext: number | undefined;
    let known = false;
    let lastFull = false;
    while (this.running) {
      try {
        const room = this.concurrency - this.inFlight;
        // While due jobs are waiting (the last receive was full), take them a quarter of the slots at a time: a
        // receive per finished job costs a write each (a Graph request on SharePoint), and in a 30,000-card
        // campaign those receives were a tenth of the server's CPU (bench:campaign, CPU profile).
        if (room <= 0 || (lastFull && room < this.refill)) {
          await this.sleep(this.idleMs); // a finishing job wakes us
          due = true;
          continue;
        }
        if (!due) {
          if (this.stale) {
            this.stale = false;
            known = false;
          }
          if (!known) {
            const next = await this.o.queue.nextDueAt();
            knownNext = next === undefined ? undefined : Date.parse(next);
            known = true;
          }
          const waitMs = knownNext === undefined ? Infinity : knownNext - this.o.clock.now().getTime();
          if (waitMs > 0) {
            this.asleepKnowing = { next: knownNext };
            const [why, retimed] = await this.sleepUntilDue(Math.min(this.idleMs, waitMs));
            this.asleepKnowing = undefined;
            if (why === 'booked' || why === 'stop') due = true;
            else if (why === 'finished') {
              // A slot came free: worth a receive only if the last one left due jobs behind. What the loop knew of
              // the next due time may have been the finished job's own lease: if that was soon, ask again.
              due = lastFull;
              if (!due && knownNext !== undefined && knownNext - this.o.clock.now().getTime() <= this.idleMs) known = false;
            }
            else {
              // The timer: either the next job is due now, or the idle cap ran out and another instance may have booked.
              due = waitMs <= this.idleMs || retimed;
              if (!due) known = false;
            }
            continue;
          }
        }
        const jobs = await this.o.queue.receive(this.o.clock.now(), room, this.leaseMs);
        for (const job of jobs) this.launch(job);
        lastFull = jobs.length === room;
        due = lastFull;
        known = false;
      } catch (e) {
        // The store did not answer (an outage that outlasted its client's retries): the loop lives on and asks
        // again shortly; /readyz reports the outage meanwhile.
        this.o.log(`job runner: the queue did not answer, trying again in ${QUEUE_RETRY_MS / 1000} s: ${(e as Error).message.split('\n')[0]}`);
        await this.sleep(Math.min(this.idleMs, QUEUE_RETRY_MS));
        due = true;
        known = false;
      }
    }
  }

  /** Sleeps like `sleep`, but a booking due before the end moves the end to it; says whether it did. */
  private async sleepUntilDue(ms: number): Promise<[Wake, boolean]> {
    let retimed = false;
    let end = this.o.clock.now().getTime() + ms;
    const why = await this.sleep(ms, (arm) => {
      this.retime = (atMs) => {
        if (atMs >= end) return;
        end = atMs;
        retimed = true;
        arm(atMs - this.o.clock.now().getTime());
      };
    });
    this.retime = undefined;
    return [why, retimed];
  }

  private sleep(ms: number, expose?: (arm: (ms: number) => void) => void): Promise<Wake> {
    const missed = this.missed;
    this.missed = undefined;
    if (missed) return Promise.resolve(missed);
    return new Promise<Wake>((resolve) => {
      const done = (why: Wake) => {
        clearTimeout(t);
        if (this.wake === done) this.wake = undefined;
        resolve(why);
      };
      let t = setTimeout(() => done('timer'), Math.max(1, ms));
      this.wake = done;
      expose?.((next) => {
        clearTimeout(t);
        t = setTimeout(() => done('timer'), Math.max(1, next));
      });
    });
  }

  private launch(job: ReceivedJob) {
    if (!this.running) {
      // Received as the runner stopped: hand it back now rather than leave it to wait out its lease.
      void this.o.queue.release(job, this.o.clock.now().toISOString(), 'released at shutdown before it started').catch(() => undefined);
      return;
    }
    this.inFlight++;
    this.inHand.add(job);
    void this.execute(job).finally(() => {
      this.inHand.delete(job);
      this.inFlight--;
      this.signal('finished');
    });
  }

  private async execute(job: ReceivedJob) {
    const { log } = this.o;
    const handler = this.o.handlers[job.kind];
    if (!handler) return this.settle(job, { kind: 'failed', error: `no handler for ${job.kind}` });
    if (job.attempts > this.policy.maxAttempts) {
      // Delivered again and again without an answer: whatever it does kills the worker.
      return this.settle(job, { kind: 'failed', error: `delivered ${job.attempts} times without finishing` });
    }
    let outcome: JobOutcome;
    try {
      outcome = await handler(job);
    } catch (e) {
      // A bug or an outage: back off and deliver again, up to the poison threshold.
      const error = (e as Error).message;
      log(`job ${job.kind} ${job.key} threw on delivery ${job.attempts}: ${error}`);
      outcome = job.attempts >= this.policy.maxAttempts ? { kind: 'failed', error } : { kind: 'retry', afterMs: backoffMs(this.policy, job.attempts, (this.o.random ?? Math.random)()), error };
    }
    await this.settle(job, outcome);
  }

  private async settle(job: ReceivedJob, outcome: JobOutcome) {
    const { queue, clock, log } = this.o;
    // Handed back at shutdown: the receipt is stale (the queue would refuse), and the next delivery decides.
    if (this.released.has(job)) return;
    let ours: boolean;
    if (outcome.kind === 'done') ours = await queue.complete(job);
    else if (outcome.kind === 'failed') {
      ours = await queue.poison(job, outcome.error);
      if (ours) log(`job ${job.kind} ${job.key} is poison after ${job.attempts} deliveries: ${outcome.error}`);
    } else {
      const runAt = new Date(clock.now().getTime() + outcome.afterMs).toISOString();
      ours = await queue.release(job, runAt, outcome.error);
      // The loop may be asleep past the retry's time: a release is a booking as far as waking goes.
      if (ours) this.onBooked(runAt);
    }
    // Our visibility ran out and someone else holds the job now; their answer counts.
    if (!ours) log(`job ${job.kind} ${job.key}: delivery ${job.attempts} ended after its visibility timeout; the later delivery decides`);
  }
}
