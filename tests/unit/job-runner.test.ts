import { afterEach, describe, expect, it, vi } from 'vitest';
import { SqliteStore } from '../../src/adapters/sqlite.store';
import type { Clock } from '../../src/ports/clock';
import type { Job, JobQueue, ReceivedJob } from '../../src/ports/job-queue';
import { JobRunner, type JobHandler } from '../../src/services/job-runner';
import type { RetryPolicy } from '../../src/resilience/retry.policy';

const T0 = Date.parse('2026-03-02T09:00:00Z');
const job = (id: string, atMs = T0, kind = 'k'): Job => ({ id, schoolId: 'larkfield', kind, key: `key-${id}`, payload: { id }, runAt: new Date(atMs).toISOString() });
const policy: RetryPolicy = { maxAttempts: 3, baseMs: 1000, capMs: 60_000, jitter: 'equal' };

/** A clock the test moves by hand. */
function manualClock(start = T0) {
  let t = start;
  const clock: Clock = { now: () => new Date(t) };
  return { clock, advance: (ms: number) => void (t += ms) };
}

const stores: SqliteStore[] = [];
function queue() {
  const store = new SqliteStore(':memory:');
  stores.push(store);
  return store.jobs;
}
afterEach(() => {
  vi.useRealTimers();
  while (stores.length) stores.pop()!.close();
});

describe('JobRunner over the SQLite queue', () => {
  it('delivers a job again after its visibility timeout when its worker died, with the dequeue count', async () => {
    const q = queue();
    const { clock, advance } = manualClock();
    const seen: number[] = [];
    const runner = new JobRunner({ queue: q, clock, handlers: { k: async (j) => (seen.push(j.attempts), { kind: 'done' }) }, leaseMs: 30_000, policy, log: () => undefined });
    await q.enqueue([job('a')]);
    // A worker takes it and dies without answering.
    expect(await q.receive(clock.now(), 10, 30_000)).toHaveLength(1);
    expect(await runner.drain()).toBe(0);
    advance(29_000);
    expect(await runner.drain()).toBe(0);
    advance(1_000);
    expect(await runner.drain()).toBe(1);
    expect(seen).toEqual([2]);
    expect(q.inspect('a')?.status).toBe('done');
  });

  it('backs off a handler that throws, counting deliveries, and poisons it after maxAttempts with the last error', async () => {
    const q = queue();
    const { clock, advance } = manualClock();
    const seen: number[] = [];
    const handler: JobHandler = async (j) => {
      seen.push(j.attempts);
      throw new Error(`outage ${j.attempts}`);
    };
    const runner = new JobRunner({ queue: q, clock, handlers: { k: handler }, policy, random: () => 0, log: () => undefined });
    await q.enqueue([job('a')]);
    expect(await runner.drain()).toBe(1);
    // Equal jitter with random 0: half the backoff, 500 ms after the first failure, then 1 s.
    expect(await q.nextDueAt()).toBe(new Date(T0 + 500).toISOString());
    advance(500);
    await runner.drain();
    advance(999);
    expect(await runner.drain()).toBe(0);
    advance(1);
    await runner.drain();
    expect(seen).toEqual([1, 2, 3]);
    expect(q.inspect('a')).toEqual({ status: 'poison', attempts: 3, lastError: 'outage 3' });
    expect(await q.pendingCount()).toBe(0);
  });

  it('poisons without running a job whose workers keep dying', async () => {
    const q = queue();
    const { clock, advance } = manualClock();
    let ran = 0;
    const runner = new JobRunner({ queue: q, clock, handlers: { k: async () => (ran++, { kind: 'done' }) }, leaseMs: 1000, policy, log: () => undefined });
    await q.enqueue([job('a')]);
    for (let i = 0; i < policy.maxAttempts; i++) {
      expect(await q.receive(clock.now(), 1, 1000)).toHaveLength(1);
      advance(1000);
    }
    await runner.drain();
    expect(ran).toBe(0);
    expect(q.inspect('a')).toMatchObject({ status: 'poison', attempts: 4 });
  });

  it('a handler that says failed poisons the job; one that says retry releases it until then', async () => {
    const q = queue();
    const { clock, advance } = manualClock();
    const runner = new JobRunner({
      queue: q,
      clock,
      handlers: { bad: async () => ({ kind: 'failed', error: 'gone' }), later: async (j) => (j.attempts < 2 ? { kind: 'retry', afterMs: 5000, error: 'throttled' } : { kind: 'done' }) },
      policy,
      log: () => undefined,
    });
    await q.enqueue([job('b', T0, 'bad'), job('l', T0, 'later'), job('x', T0, 'nobody')]);
    await runner.drain();
    expect(q.inspect('b')).toMatchObject({ status: 'poison', lastError: 'gone' });
    expect(q.inspect('x')).toMatchObject({ status: 'poison', lastError: 'no handler for nobody' });
    expect(q.inspect('l')).toMatchObject({ status: 'queued', lastError: 'throttled' });
    advance(5000);
    await runner.drain();
    expect(q.inspect('l')).toMatchObject({ status: 'done', attempts: 2 });
  });

  it('never runs more than `concurrency` jobs at once', async () => {
    const q = queue();
    let now = 0;
    let most = 0;
    const release: Array<() => void> = [];
    const runner = new JobRunner({
      queue: q,
      clock: { now: () => new Date(T0) },
      concurrency: 3,
      handlers: {
        k: async () => {
          most = Math.max(most, ++now);
          await new Promise<void>((r) => release.push(r));
          now--;
          return { kind: 'done' };
        },
      },
      policy,
      log: () => undefined,
    });
    await q.enqueue(Array.from({ length: 10 }, (_, i) => job(`j${i}`)));
    runner.start();
    while ((await q.pendingCount()) > 0) {
      await vi.waitFor(() => expect(release.length).toBeGreaterThan(0));
      release.shift()!();
      await new Promise((r) => setTimeout(r, 1));
    }
    await runner.stop();
    expect(most).toBe(3);
  });
});

/** Counts the queue's calls, delegating each to the real queue. */
function counted(q: JobQueue) {
  const calls = { receive: 0, nextDueAt: 0 };
  const wrapped: JobQueue = Object.assign(Object.create(null), {
    enqueue: (j: Job[]) => q.enqueue(j),
    booked: () => q.booked(),
    onBooked: (l: () => void) => q.onBooked(l),
    receive: (n: Date, l: number, v: number) => (calls.receive++, q.receive(n, l, v)),
    complete: (j: ReceivedJob) => q.complete(j),
    release: (j: ReceivedJob, at: string, e: string) => q.release(j, at, e),
    poison: (j: ReceivedJob, e: string) => q.poison(j, e),
    pendingCount: () => q.pendingCount(),
    nextDueAt: () => (calls.nextDueAt++, q.nextDueAt()),
  });
  return { wrapped, calls };
}

/** A started runner on fake timers whose every receive and nextDueAt is counted, noting each job it runs and when. */
function idleRunner() {
  vi.useFakeTimers({ now: T0, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  const q = queue();
  const { wrapped, calls } = counted(q);
  const ran: Array<[string, number]> = [];
  const runner = new JobRunner({ queue: wrapped, clock: { now: () => new Date() }, idleMs: 60_000, handlers: { k: async (j) => (ran.push([j.id, Date.now()]), { kind: 'done' }) }, log: () => undefined });
  runner.start();
  return { q, calls, ran, runner };
}

describe('JobRunner stopping (SIGTERM)', () => {
  it('receives nothing more, lets a job that finishes within the grace finish, and it is done once', async () => {
    const q = queue();
    let release!: () => void;
    const runs: string[] = [];
    const runner = new JobRunner({ queue: q, clock: { now: () => new Date() }, handlers: { k: async (j) => (runs.push(j.id), await new Promise<void>((r) => (release = r)), { kind: 'done' }) }, log: () => undefined });
    await q.enqueue([job('a', Date.now() - 1)]);
    runner.start();
    while (runner.busy === 0) await new Promise((r) => setTimeout(r, 5));
    const stopping = runner.stop(5_000);
    await q.enqueue([job('b', Date.now() - 1)]);
    setTimeout(() => release(), 50);
    expect(await stopping).toEqual({ finished: 1, released: 0 });
    expect(runs).toEqual(['a']);
    expect(q.inspect('a')?.status).toBe('done');
    // Booked while stopping: left for the next start, never taken.
    expect(q.inspect('b')).toMatchObject({ status: 'queued', attempts: 0 });
  });

  it('releases a job still running when the grace runs out: visible again at once, and its late answer does not count', async () => {
    const q = queue();
    let finish!: () => void;
    const logs: string[] = [];
    const runner = new JobRunner({ queue: q, clock: { now: () => new Date() }, handlers: { k: async () => (await new Promise<void>((r) => (finish = r)), { kind: 'done' }) }, leaseMs: 60_000, log: (m) => logs.push(m) });
    await q.enqueue([job('a', Date.now() - 1)]);
    runner.start();
    while (runner.busy === 0) await new Promise((r) => setTimeout(r, 5));
    const t = Date.now();
    expect(await runner.stop(100)).toEqual({ finished: 0, released: 1 });
    expect(Date.now() - t).toBeLessThan(1_000);
    // Not waiting out its 60 s lease: the next start receives it now, as its second delivery.
    const [again] = await q.receive(new Date(), 10, 60_000);
    expect(again).toMatchObject({ id: 'a', attempts: 2 });
    // The first delivery's handler ends after all: the job stays with its new holder.
    finish();
    await new Promise((r) => setTimeout(r, 20));
    expect(q.inspect('a')?.status).toBe('queued');
    expect(await q.complete(again!)).toBe(true);
    expect(logs.join('\n')).toContain('released 1 of 1');
  });
});

describe('JobRunner when the queue fails', () => {
  it('lives through a receive that throws (an outage past the client retries), logs it, and runs the job once the queue answers', async () => {
    const q = queue();
    let failures = 2;
    const flaky: JobQueue = Object.assign(Object.create(q), {
      receive: (now: Date, limit: number, vis: number) => (failures-- > 0 ? Promise.reject(new Error('503 serviceNotAvailable')) : q.receive(now, limit, vis)),
    });
    const logs: string[] = [];
    const runs: string[] = [];
    const runner = new JobRunner({ queue: flaky, clock: { now: () => new Date() }, handlers: { k: async (j) => (runs.push(j.id), { kind: 'done' }) }, idleMs: 20, log: (m) => logs.push(m) });
    await q.enqueue([job('a', Date.now() - 1)]);
    runner.start();
    for (const end = Date.now() + 2_000; !runs.length && Date.now() < end; ) await new Promise((r) => setTimeout(r, 5));
    await runner.stop();
    expect(runs).toEqual(['a']);
    expect(logs.filter((l) => l.includes('the queue did not answer'))).toHaveLength(2);
  });
});

describe('JobRunner when idle', () => {
  it('sleeps up to its cap, wakes at once on a booking, and wakes when the next job falls due', async () => {
    const { q, calls, ran, runner } = idleRunner();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    // Ten idle minutes: one look per minute (plus the first receive), whatever the queue.
    expect(calls.nextDueAt + calls.receive).toBeLessThanOrEqual(12);
    // A job booked in this process runs without waiting for the cap.
    const booked = Date.now();
    await q.enqueue([job('now', booked)]);
    await vi.advanceTimersByTimeAsync(1);
    expect(ran).toEqual([['now', booked]]);
    // A job due in 90 s runs then: not at the 60-s cap, not late.
    await q.enqueue([job('later', Date.now() + 90_000)]);
    const due = Date.now() + 90_000;
    await vi.advanceTimersByTimeAsync(89_000);
    expect(ran).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(ran[1]?.[0]).toBe('later');
    expect(ran[1]![1]).toBeGreaterThanOrEqual(due);
    expect(ran[1]![1] - due).toBeLessThanOrEqual(10);
    await runner.stop();
  });

  it('a booking due before the end of its sleep moves the wake-up to it, without asking the queue', async () => {
    const { q, calls, ran, runner } = idleRunner();
    await vi.advanceTimersByTimeAsync(5_000);
    const before = { ...calls };
    const due = Date.now() + 10_000;
    await q.enqueue([job('soon', due)]);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(ran).toEqual([]);
    expect(calls).toEqual(before);
    await vi.advanceTimersByTimeAsync(1);
    expect(ran).toEqual([['soon', due]]);
    await runner.stop();
  });

  it('runs a job handed over at booking without a receive, and a finished job costs no further look at the queue', async () => {
    vi.useFakeTimers({ now: T0, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const q = queue();
    const { wrapped, calls } = counted(q);
    const ran: string[] = [];
    const runner = new JobRunner({ queue: wrapped, clock: { now: () => new Date() }, idleMs: 60_000, handlers: { k: async (j) => (ran.push(j.id), { kind: 'done' }) }, log: () => undefined });
    runner.start();
    await vi.advanceTimersByTimeAsync(1_000);
    // A store that writes a job already received (as SharePoint does with the change that books it) hands it over.
    await q.enqueue([job('first', Date.now())]);
    await vi.advanceTimersByTimeAsync(1);
    ran.length = 0;
    await q.enqueue([job('later', Date.now() + 3_600_000)]);
    await vi.advanceTimersByTimeAsync(1);
    const [received] = await q.receive(new Date(Date.now() + 3_600_000), 1, 30_000);
    const before = { ...calls };
    q.booked(undefined, [received!]);
    await vi.advanceTimersByTimeAsync(1);
    expect(ran).toEqual(['later']);
    expect(q.inspect('later')?.status).toBe('done');
    // Neither the hand-over nor the job finishing made the worker receive or ask when the next job is due.
    expect(calls).toEqual(before);
    expect(runner.quiet(60_000)).toBe(true);
    await runner.stop();
  });
});

describe('JobRunner with a backlog', () => {
  it('takes waiting jobs a quarter of its slots at a time, not one receive per finished job, and runs each once', async () => {
    vi.useFakeTimers({ now: T0, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const q = queue();
    const { wrapped, calls } = counted(q);
    const ran = new Map<string, number>();
    let running = 0;
    let most = 0;
    // Jobs take 10 to 70 ms, so they finish one by one, as campaign sends paced by the rate gate do.
    const handler: JobHandler = async (j) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 10 + (Number(String(j.id).slice(1)) % 7) * 10));
      running--;
      ran.set(j.id, (ran.get(j.id) ?? 0) + 1);
      return { kind: 'done' };
    };
    const runner = new JobRunner({ queue: wrapped, clock: { now: () => new Date() }, concurrency: 8, idleMs: 60_000, handlers: { k: handler }, log: () => undefined });
    await q.enqueue(Array.from({ length: 200 }, (_, i) => job(`j${i}`, Date.now())));
    runner.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(ran.size).toBe(200);
    expect([...ran.values()].every((n) => n === 1)).toBe(true);
    expect(most).toBeLessThanOrEqual(8);
    // Two slots at a time: about 100 receives for 200 jobs (one per finished job would be about 200).
    expect(calls.receive).toBeLessThanOrEqual(105);
    await runner.stop();
  });
});
