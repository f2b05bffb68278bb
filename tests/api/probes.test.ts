import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteStore } from '../../src/adapters/sqlite.store';
import { Harness } from '../support/harness';
import { STORES } from '../support/on-each-store';

/**
 * The two probes App Service (or any load balancer) calls without a sign-in: /healthz says the process
 * answers, /readyz that the store and the job queue do. Neither ever shows a reason or a stack: those go to the log.
 */
const get = async (h: Harness, path: string) => {
  const res = await fetch(`${h.baseUrl}${path}`);
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text), text, cache: res.headers.get('cache-control') };
};

/** Nothing an attacker could use: no error text, no stack frame, no file path. */
const expectNoLeak = (text: string) => {
  expect(text).not.toMatch(/Error|\bat \w|\.ts\b|\.js\b|SQLITE|graph|no such|token/i);
};

describe.each(STORES)('the probes, on %s', (store) => {
  const h = new Harness({ store });
  beforeAll(() => h.start());
  afterAll(() => h.stop());

  it('/healthz and /readyz answer 200 without a sign-in, naming each check', async () => {
    const live = await get(h, '/healthz');
    expect(live.status).toBe(200);
    expect(live.body).toMatchObject({ status: 'ok', checks: { process: 'ok' } });
    const ready = await get(h, '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ok', checks: { serving: 'ok', store: 'ok', queue: 'ok' } });
    expect(ready.cache).toBe('no-store');
  });

  it('a load balancer probing every second does not cost a store look each time', async () => {
    await get(h, '/readyz');
    const before = h.graph?.stats.requests ?? 0;
    for (let i = 0; i < 5; i++) expect((await get(h, '/readyz')).status).toBe(200);
    // Liveness never touches the store.
    for (let i = 0; i < 5; i++) expect((await get(h, '/healthz')).status).toBe(200);
    if (h.graph) expect(h.graph.stats.requests - before).toBe(0);
  });
});

describe('/readyz when the store fails', () => {
  describe('SharePoint (Graph answers 503 to everything)', () => {
    const h = new Harness({ store: 'sharepoint' });
    beforeAll(() => h.start());
    afterAll(async () => {
      h.graph!.clearFaults();
      await h.stop();
    });

    it('a fresh look costs one small Graph request for both checks', async () => {
      await h.settle();
      await new Promise((r) => setTimeout(r, 500));
      const before = h.graph!.stats.requests;
      expect((await get(h, '/readyz')).status).toBe(200);
      expect(h.graph!.stats.requests - before).toBe(1);
    });

    it('answers 503 naming the checks that failed, and liveness stays 200', async () => {
      // Past the first look's cached answer.
      await new Promise((r) => setTimeout(r, 10_000));
      h.graph!.failNext(100_000, { status: 503, retryAfterSeconds: 0 });
      const ready = await get(h, '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body).toEqual({ status: 'unavailable', checks: { serving: 'ok', store: 'unavailable', queue: 'unavailable' } });
      expectNoLeak(ready.text);
      expect(h.logs.some((l) => l.startsWith('readiness: store unavailable'))).toBe(true);
      // Back to ready once Graph answers and the cached answer has run out.
      h.graph!.clearFaults();
      await new Promise((r) => setTimeout(r, 10_000));
      expect((await get(h, '/readyz')).status).toBe(200);
      expect((await get(h, '/healthz')).status).toBe(200);
    }, 40_000);
  });

  describe('SQLite (the jobs table is gone)', () => {
    const h = new Harness();
    beforeAll(() => h.start());
    afterAll(() => h.stop());

    it('answers 503 naming the queue alone, without the reason', async () => {
      const db = (h.app.store as SqliteStore).db;
      db.exec('ALTER TABLE jobs RENAME TO jobs_away');
      try {
        const ready = await get(h, '/readyz');
        expect(ready.status).toBe(503);
        expect(ready.body).toEqual({ status: 'unavailable', checks: { serving: 'ok', store: 'ok', queue: 'unavailable' } });
        expectNoLeak(ready.text);
        expect(h.logs.some((l) => l.startsWith('readiness: queue unavailable: no such table'))).toBe(true);
      } finally {
        db.exec('ALTER TABLE jobs_away RENAME TO jobs');
      }
    });
  });
});

describe('while shutting down', () => {
  const h = new Harness();
  beforeAll(() => h.start());
  afterAll(() => h.stop());

  it('the port refuses new connections, /readyz answers 503 and /healthz still 200', async () => {
    // The same app behind a second listener, to see what its routes answer once close() has begun.
    const side = createServer(h.app.app);
    await new Promise<void>((ok) => side.listen(0, '127.0.0.1', ok));
    const sideUrl = `http://127.0.0.1:${(side.address() as AddressInfo).port}`;
    try {
      expect((await fetch(`${sideUrl}/readyz`)).status).toBe(200);
      await h.app.close();
      expect(h.app.draining).toBe(true);
      const ready = await fetch(`${sideUrl}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: 'unavailable', checks: { serving: 'unavailable' } });
      expect(ready.headers.get('connection')).toBe('close');
      expect((await fetch(`${sideUrl}/healthz`)).status).toBe(200);
      const refused = await fetch(`${h.baseUrl}/readyz`).then(
        (r) => r.status,
        (e: Error) => String((e.cause as { code?: string })?.code ?? e),
      );
      expect(refused).toBe('ECONNREFUSED');
    } finally {
      side.closeAllConnections();
      side.close();
    }
  });
});
