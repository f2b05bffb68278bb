/**
 * The Approvals list on SharePoint, at the edges the store contract's small lists never reach: chunks
 * that end inside a second (SharePoint keeps dateTime to the second), a whole chunk of one second, and
 * a call that stops after its bounded read. Chunk and read bounds are made tiny to get there.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SharePointStore } from '../../src/adapters/sharepoint/sharepoint.store';
import type { RequestListQuery } from '../../src/domain/request-list';
import type { LocalGraphServer } from '../support/graph-server';
import { sharePointUnderTest } from './sharepoint-harness';
import { makeAudit, makeRequest, SCHOOL } from './store.contract';

let server: LocalGraphServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function storeWith(minutes: Record<string, number>, other: Record<string, number> = {}): Promise<SharePointStore> {
  const sp = await sharePointUnderTest({ strictIndexing: true, pageSize: 2, seed: 5 });
  server = sp.server;
  const rae = { id: 'u-rae', name: 'Rae Quest' };
  for (const [id, minute] of Object.entries(minutes)) await sp.store.saveRequestChange({ request: makeRequest(id, rae, minute), audit: makeAudit(`a-${id}`, id, 'request.submit', minute) });
  for (const [id, minute] of Object.entries(other)) {
    await sp.store.saveRequestChange({ request: makeRequest(id, rae, minute, { schoolId: 'elsewhere' }), audit: { ...makeAudit(`a-${id}`, id, 'request.submit', minute), schoolId: 'elsewhere' } });
  }
  return sp.store;
}

async function all(store: SharePointStore, limit: number, q: Partial<RequestListQuery> = {}) {
  const ids: string[] = [];
  const sizes: number[] = [];
  let after;
  for (let calls = 0; calls < 50; calls++) {
    const page = await store.listRequestsPage({ schoolId: SCHOOL, limit, after, ...q });
    ids.push(...page.items.map((r) => r.id));
    sizes.push(page.items.length);
    if (!page.next) return { ids, sizes };
    after = page.next;
  }
  throw new Error('never ended');
}

describe('SharePoint: listing a school’s requests in chunks', () => {
  it('a second that straddles chunks, and a chunk that is all one second, lose and repeat nothing', async () => {
    // r3..r7 share one second, more than a chunk of 3 holds.
    const store = await storeWith({ r1: 1, r2: 2, r3: 3, r4: 3, r5: 3, r6: 3, r7: 3, r8: 4, r9: 5 });
    store.listChunk = 3;
    const expected = ['r9', 'r8', 'r7', 'r6', 'r5', 'r4', 'r3', 'r2', 'r1'];
    expect((await all(store, 25)).ids).toEqual(expected);
    expect((await all(store, 2)).ids).toEqual(expected);
    expect((await all(store, 4)).ids).toEqual(expected);
    expect(server!.stats.thresholdRefused).toBe(0);
  });

  it('stops after its bounded read and says where, so a rare match far down costs several short calls, not one long one', async () => {
    const store = await storeWith({ r1: 1 }, { x1: 2, x2: 3, x3: 4, x4: 5, x5: 6, x6: 7 });
    store.listChunk = 2;
    store.listScan = 2;
    const { ids, sizes } = await all(store, 25);
    expect(ids).toEqual(['r1']);
    expect(sizes.length).toBeGreaterThan(2);
    expect(sizes.at(-1)).toBe(1);
  });
});
