import { describe, expect, it } from 'vitest';
import { backoffMs, parseRetryAfter, retrying, type RetryPolicy } from '../../src/resilience/retry.policy';

const p = (o: Partial<RetryPolicy> = {}): RetryPolicy => ({ maxAttempts: 5, baseMs: 100, capMs: 1000, jitter: 'full', ...o });

describe('backoffMs', () => {
  it('doubles with each failure up to the cap (random pinned at the top)', () => {
    const top = 1 - Number.EPSILON;
    expect([1, 2, 3, 4, 5, 6, 30].map((n) => backoffMs(p(), n, top))).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });

  it('full jitter spans [0, backoff]; equal jitter spans [backoff/2, backoff]', () => {
    expect(backoffMs(p(), 3, 0)).toBe(0);
    expect(backoffMs(p(), 3, 0.5)).toBe(200);
    expect(backoffMs(p({ jitter: 'equal' }), 3, 0)).toBe(200);
    expect(backoffMs(p({ jitter: 'equal' }), 3, 0.5)).toBe(300);
    for (let i = 0; i < 1000; i++) {
      const r = Math.random();
      const full = backoffMs(p(), 4, r);
      const equal = backoffMs(p({ jitter: 'equal' }), 4, r);
      expect(full).toBeGreaterThanOrEqual(0);
      expect(full).toBeLessThanOrEqual(800);
      expect(equal).toBeGreaterThanOrEqual(400);
      expect(equal).toBeLessThanOrEqual(800);
    }
  });

  it('waits exactly Retry-After when the server gives one, even above the cap or at zero', () => {
    expect(backoffMs(p(), 1, 0, 3000)).toBe(3000);
    expect(backoffMs(p(), 5, 0.99, 50)).toBe(50);
    expect(backoffMs(p(), 3, 0.5, 0)).toBe(0);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, and nothing else', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
  });
});

describe('retrying', () => {
  const transient = (e: unknown) => ((e as { status?: number }).status === 429 ? { transient: true as const, retryAfterMs: (e as { after?: number }).after } : { transient: false as const });

  it('retries transient failures with the policy, honouring Retry-After, then succeeds', async () => {
    const waits: number[] = [];
    let calls = 0;
    const out = await retrying(
      p({ jitter: 'equal' }),
      async () => {
        calls++;
        if (calls === 1) throw { status: 429, after: 700 };
        if (calls === 2) throw { status: 429 };
        return 'ok';
      },
      transient,
      { sleep: async (ms) => void waits.push(ms), random: () => 0 },
    );
    expect(out).toBe('ok');
    expect(waits).toEqual([700, 100]);
  });

  it('gives up after maxAttempts with the last error, and at once on a permanent failure', async () => {
    let calls = 0;
    const sleeps: number[] = [];
    await expect(retrying(p({ maxAttempts: 3 }), async () => { calls++; throw { status: 429, n: calls }; }, transient, { sleep: async (ms) => void sleeps.push(ms) })).rejects.toEqual({ status: 429, n: 3 });
    expect(calls).toBe(3);
    expect(sleeps).toHaveLength(2);
    calls = 0;
    await expect(retrying(p(), async () => { calls++; throw { status: 403 }; }, transient, { sleep: async () => undefined })).rejects.toEqual({ status: 403 });
    expect(calls).toBe(1);
  });

  it('does not wait out a Retry-After longer than maxWaitMs: it throws for a slower layer to retry', async () => {
    let calls = 0;
    await expect(retrying(p({ maxWaitMs: 2000 }), async () => { calls++; throw { status: 429, after: 30_000 }; }, transient, { sleep: async () => undefined })).rejects.toEqual({ status: 429, after: 30_000 });
    expect(calls).toBe(1);
  });
});
