import { afterAll, beforeAll, expect } from 'vitest';
import { Harness } from './harness';
import { cardProblems } from './validate-card';

export const STORES = ['sqlite', 'sharepoint'] as const;

/**
 * A running app on the given store, for a describe block: SQLite, or
 * SharePoint on the local Graph server with 20% of requests throttled (429).
 * At the end it checks that every card sent parses cleanly and, on
 * SharePoint, that the run really met throttling and never leaned on
 * non-indexed queries.
 */
export function appOn(store: (typeof STORES)[number]): Harness {
  const h = new Harness({ store, graph: { seed: 11, throttle: { rate: 0.2, retryAfterSeconds: 0 } } });
  beforeAll(() => h.start());
  afterAll(async () => {
    const problems = h.connector.allCards().flatMap((c) => cardProblems(c));
    if (store === 'sharepoint') {
      expect(h.graph!.stats.status429).toBeGreaterThan(10);
      expect(h.graph!.stats.thresholdRefused + h.graph!.stats.honorNonIndexedUsed).toBe(0);
    }
    await h.stop();
    expect(problems).toEqual([]);
  });
  return h;
}
