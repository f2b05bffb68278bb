import { describe, expect, it } from 'vitest';
import { readinessProbe } from '../../src/server/readiness';

describe('readinessProbe', () => {
  it('runs each check at most once per cache window, however often it is asked', async () => {
    let t = 0;
    let looks = 0;
    const probe = readinessProbe({ store: async () => void looks++ }, { cacheMs: 10_000, timeoutMs: 1_000, log: () => undefined, now: () => t });
    await Promise.all([probe.check(), probe.check(), probe.check()]);
    t += 9_999;
    expect(await probe.check()).toEqual({ status: 'ok', checks: { store: 'ok' } });
    expect(looks).toBe(1);
    t += 1;
    await probe.check();
    expect(looks).toBe(2);
  });

  it('names the failing check, keeps the reason for the log only, and counts a check that hangs as unavailable', async () => {
    const logs: string[] = [];
    const probe = readinessProbe(
      { store: async () => undefined, queue: () => Promise.reject(new Error('SQLITE_CANTOPEN: /secret/path\n    at open (db.ts:1)')), slow: () => new Promise(() => undefined) },
      { cacheMs: 0, timeoutMs: 50, log: (m) => logs.push(m) },
    );
    const answer = await probe.check();
    expect(answer).toEqual({ status: 'unavailable', checks: { store: 'ok', queue: 'unavailable', slow: 'unavailable' } });
    expect(JSON.stringify(answer)).not.toMatch(/SQLITE|secret|db\.ts/);
    expect(logs).toEqual(['readiness: queue unavailable: SQLITE_CANTOPEN: /secret/path', 'readiness: slow unavailable: no answer within 50 ms']);
  });
});
