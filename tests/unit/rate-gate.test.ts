import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RateGate, TEAMS_RATE_LIMITS, type RateLimits } from '../../bot/rate-gate';

/** Fake timers move Date.now too, so the gate's clock and its timers agree exactly. */
beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Acquires `n` slots for `key` one after another, recording when each was granted. */
function take(gate: RateGate, key: string, n: number, log: Array<[string, number]>) {
  const grants: Promise<void>[] = [];
  // Each request is answered at once, so it counts from the moment it was granted.
  for (let i = 0; i < n; i++) grants.push(gate.acquire(key).then((answered) => (log.push([key, Date.now()]), answered())));
  return Promise.all(grants);
}

/** The most grants in any window of `windowMs` (sliding, both ends counted as Teams does: stamps within windowMs). */
function maxInWindow(times: number[], windowMs: number) {
  let best = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe('RateGate', () => {
  it("keeps one conversation exactly within Teams' per-conversation windows", async () => {
    const gate = new RateGate(TEAMS_RATE_LIMITS, 0);
    const log: Array<[string, number]> = [];
    const done = take(gate, 'c1', 130, log);
    await vi.advanceTimersByTimeAsync(70_000);
    await done;
    const times = log.map(([, t]) => t);
    expect(times).toHaveLength(130);
    expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(7);
    expect(maxInWindow(times, 2000)).toBeLessThanOrEqual(8);
    expect(maxInWindow(times, 30_000)).toBe(60);
    // It also uses the room it has: the 61st call waits for the 30-s window and no longer.
    expect(times[60]! - times[0]!).toBe(30_000);
  });

  it('keeps the global window across conversations', async () => {
    const limits: RateLimits = { perConversation: TEAMS_RATE_LIMITS.perConversation, global: { max: 50, windowMs: 1000 } };
    const gate = new RateGate(limits, 0);
    const log: Array<[string, number]> = [];
    const done = Promise.all(Array.from({ length: 300 }, (_, i) => take(gate, `c${i}`, 1, log)));
    await vi.advanceTimersByTimeAsync(10_000);
    await done;
    expect(log).toHaveLength(300);
    expect(maxInWindow(log.map(([, t]) => t), 1000)).toBeLessThanOrEqual(50);
  });

  it('is fair: a conversation at its 60-per-30-s limit does not delay anyone else', async () => {
    const gate = new RateGate(TEAMS_RATE_LIMITS, 0);
    const log: Array<[string, number]> = [];
    const busy = take(gate, 'busy', 80, log);
    // Let the busy conversation use up its 30-s window, so 20 of its callers are now waiting.
    await vi.advanceTimersByTimeAsync(16_000); // 8 per 2 s: 60 calls take 14 s
    expect(log.filter(([k]) => k === 'busy')).toHaveLength(60);
    expect(gate.waiting).toBe(20);
    const asked = Date.now();
    const others = Promise.all(Array.from({ length: 10 }, (_, i) => take(gate, `other${i}`, 1, log)));
    await vi.advanceTimersByTimeAsync(1000);
    const otherTimes = log.filter(([k]) => k.startsWith('other')).map(([, t]) => t);
    expect(otherTimes).toHaveLength(10);
    // Only the global pacing (50/s, 1% slack) separates them: 10 calls within about 200 ms.
    expect(Math.max(...otherTimes) - asked).toBeLessThan(250);
    await vi.advanceTimersByTimeAsync(60_000);
    await Promise.all([busy, others]);
  });

  it('makes up for a late timer: a busy event loop costs no sends, and the window still holds', async () => {
    const limits: RateLimits = { perConversation: TEAMS_RATE_LIMITS.perConversation, global: { max: 50, windowMs: 1000 } };
    const gate = new RateGate(limits, 0);
    const log: Array<[string, number]> = [];
    const done = Promise.all(Array.from({ length: 200 }, (_, i) => take(gate, `c${i}`, 1, log)));
    await vi.advanceTimersByTimeAsync(300);
    // The process is busy for 400 ms (a garbage collection, a big synchronous write): no timer fires.
    vi.setSystemTime(Date.now() + 400);
    await vi.advanceTimersByTimeAsync(300);
    // One second has passed; the busy spell took nothing from it: as many sends as the pacing allows (50 a second, less 1%).
    expect(log.length).toBeGreaterThanOrEqual(49);
    await vi.advanceTimersByTimeAsync(5000);
    await done;
    expect(maxInWindow(log.map(([, t]) => t), 1000)).toBeLessThanOrEqual(50);
  });

  it('serves callers of one conversation in arrival order', async () => {
    const gate = new RateGate(TEAMS_RATE_LIMITS, 0);
    const order: number[] = [];
    const all = Promise.all(Array.from({ length: 20 }, (_, i) => gate.acquire('c').then((answered) => (order.push(i), answered()))));
    await vi.advanceTimersByTimeAsync(10_000);
    await all;
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('counts a request from when it goes until a window after its answer, however slow the answer', async () => {
    const limits: RateLimits = { perConversation: [{ max: 2, windowMs: 1000 }], global: { max: 100, windowMs: 1000 } };
    const gate = new RateGate(limits, 0);
    const first = await gate.acquire('c');
    const second = await gate.acquire('c');
    let third = false;
    const waiting = gate.acquire('c').then((answered) => ((third = true), answered()));
    // Both are still in flight after three windows: Teams may not have counted them yet.
    await vi.advanceTimersByTimeAsync(3000);
    expect(third).toBe(false);
    first(); // answered at 3000: counts until 4000
    await vi.advanceTimersByTimeAsync(999);
    expect(third).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(third).toBe(true);
    second();
    await waiting;
  });

  it('run() takes the slot and gives the answer time back, also when the request fails', async () => {
    const limits: RateLimits = { perConversation: [{ max: 1, windowMs: 1000 }], global: { max: 100, windowMs: 1000 } };
    const gate = new RateGate(limits, 0);
    await expect(gate.run('c', async () => Promise.reject(new Error('429')))).rejects.toThrow('429');
    let ran = false;
    const next = gate.run('c', async () => void (ran = true));
    await vi.advanceTimersByTimeAsync(999);
    expect(ran).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await next;
    expect(ran).toBe(true);
    expect(gate.granted).toBe(2);
  });
});
