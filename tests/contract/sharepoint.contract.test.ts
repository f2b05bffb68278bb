import { afterAll, describe, expect, it } from 'vitest';
import { BatchRunner } from '../../src/adapters/sharepoint/batch';
import { createGraphClient } from '../../src/adapters/sharepoint/graph-client';
import type { SharePointStore } from '../../src/adapters/sharepoint/sharepoint.store';
import type { LocalGraphServer, LocalGraphServerOptions } from '../support/graph-server';
import { SITE, sharePointUnderTest, tokenProvider } from './sharepoint-harness';
import { newRecipient } from '../../src/domain/recipient.workflow';
import { decide, makeAudit, makeCampaign, makeRequest, makeVersion, storeContract, type StorePorts } from './store.contract';

const ports = (s: SharePointStore): StorePorts => ({ store: s, policies: s.policies, campaigns: s.campaigns, jobs: s.jobs });

type Seen = { requests: number; inner: number; s429: number; s503: number; s412: number; lost: number };
const none = (): Seen => ({ requests: 0, inner: 0, s429: 0, s503: 0, s412: 0, lost: 0 });

function contractOn(options: LocalGraphServerOptions, seen: Seen = none()) {
  storeContract(async () => {
    const { server, store, connect } = await sharePointUnderTest(options);
    return {
      ...ports(store),
      // Another app instance: its own client, caches and counters, the same site.
      another: async () => ports(await connect()),
      breakEffects: () => {
        // Every record POST inside a batch fails (Retry-After 0), past the batch runner's retries; the guarded update is a PATCH.
        server.failNext(1_000_000, { status: 503, scope: 'inner', kind: 'items.post', retryAfterSeconds: 0 });
        return { mend: () => server.clearFaults() };
      },
      cleanup: async () => {
        // Every change's effects were written and cleared by the change itself; where a reply was lost,
        // the sweeper finishes what is left, and then nothing is pending.
        const pending = () => server.listItems(SITE, 'CS_Requests').filter((it) => it.fields.PendingEffects).map((it) => String(it.fields.RequestId));
        if (!options.lostReplies) expect(pending(), 'effects left pending without any fault').toEqual([]);
        await store.applyPendingChanges();
        expect(pending(), 'effects left pending after the sweeper').toEqual([]);
        const s = server.stats;
        await server.stop();
        seen.lost += s.lostReplies;
        seen.requests += s.requests;
        seen.inner += s.innerRequests;
        seen.s429 += s.status429;
        seen.s503 += s.status503;
        seen.s412 += s.status412;
        // Rules that hold for every test, whatever it did:
        expect(s.thresholdRefused, 'a query touched a non-indexed column').toBe(0);
        expect(s.honorNonIndexedUsed, 'a query sent Prefer: HonorNonIndexedQueriesWarningMayFailRandomly').toBe(0);
        expect(Math.max(0, ...s.batchSizes)).toBeLessThanOrEqual(20);
      },
    };
  });
}

describe('store contract: SharePoint on the local Graph server (strict indexing, pages of 7)', () => {
  contractOn({ strictIndexing: true, pageSize: 7, seed: 11 });
});

describe('store contract: SharePoint with 20% throttling (429) and 5% 503s', () => {
  const seen = none();
  // Retry-After 0 keeps the run short; the Retry-After waits themselves are checked below.
  contractOn({ strictIndexing: true, pageSize: 7, seed: 2024, throttle: { rate: 0.2, retryAfterSeconds: 0 }, failures: { rate: 0.05, status: 503, retryAfterSeconds: 0 } }, seen);
  afterAll(() => {
    // The faults really happened, at top level and inside batches, and every test still passed.
    expect(seen.s429).toBeGreaterThan((seen.requests + seen.inner) * 0.1);
    expect(seen.s503).toBeGreaterThan(0);
    console.log(`[contract] throttled run: ${seen.requests} requests (${seen.inner} inside batches), ${seen.s429} × 429, ${seen.s503} × 503, ${seen.s412} × 412`);
  });
});

describe('store contract: SharePoint losing 8% of write replies (the write landed; 504, 503 or a dropped connection)', () => {
  const seen = none();
  // Not yet for campaign counters (a lost reply met by another instance's write is applied twice) nor for job
  // claims (taken for "another instance won", so the job waits out its lease); see the README.
  const except = [{ list: 'CS_CampaignCounts' }, { list: 'CS_Jobs', kind: 'items.patch' }];
  contractOn({ strictIndexing: true, pageSize: 7, seed: 7, lostReplies: { rate: 0.08, as: [504, 504, 503, 'drop'], except } }, seen);
  afterAll(() => {
    expect(seen.lost).toBeGreaterThan(20);
    console.log(`[contract] lost-reply run: ${seen.requests} requests (${seen.inner} inside batches), ${seen.lost} replies lost after the write, ${seen.s412} × 412`);
  });
});

describe('SharePoint store: a change whose reply is lost is recognised as its own and finished once', () => {
  const lose = (server: LocalGraphServer, spec: Parameters<LocalGraphServer['loseNextReplies']>[1]) => server.loseNextReplies(1, spec);
  const cases: Array<[string, (server: LocalGraphServer) => void]> = [
    ['the whole batch, as a 504', (server) => lose(server, { as: [504], kind: 'batch' })],
    ['the whole batch, as a dropped connection', (server) => lose(server, { as: ['drop'], kind: 'batch' })],
    ['the guarded update inside the batch', (server) => lose(server, { as: [503], scope: 'inner', kind: 'items.patch' })],
    ['a record inside the batch', (server) => lose(server, { as: [504], scope: 'inner', kind: 'items.post' })],
  ];
  for (const [what, arm] of cases) {
    it(`loses ${what}: one request change, one set of records, and the etag returned still works`, async () => {
      const { server, store } = await sharePointUnderTest({ strictIndexing: true, seed: 3 });
      try {
        const r = makeRequest('r1', { id: 'u-req', name: 'Rae Quest' }, 0);
        arm(server);
        const v1 = await store.saveRequestChange({ request: r, audit: makeAudit('a1', r.id, 'request.submit', 0) });
        const first = decide(r, 'approved', { id: 'u-ict', name: 'Ian Price' }, 1);
        arm(server);
        const v2 = await store.saveRequestChange({ request: first.next, expectedEtag: v1.etag, decision: first.decision, audit: makeAudit('a2', r.id, 'approval.approve', 1) });
        const second = decide(first.next, 'rejected', { id: 'u-head', name: 'Hana Osei' }, 2);
        await store.saveRequestChange({ request: second.next, expectedEtag: v2.etag, decision: second.decision, audit: makeAudit('a3', r.id, 'approval.reject', 2) });
        expect(server.stats.lostReplies).toBe(2);
        expect(server.listItems(SITE, 'CS_Requests')).toHaveLength(1);
        expect(await store.listDecisions('r1')).toEqual([first.decision, second.decision]);
        expect((await store.listAudit('r1')).map((a) => a.id)).toEqual(['a1', 'a2', 'a3']);
        expect(await store.applyPendingChanges()).toBe(0);
      } finally {
        await server.stop();
      }
    });
  }
});

describe('SharePoint store: "Remind now" whose claim reply is lost', () => {
  it('is still this instance’s claim, once: the day is recorded and a second claim is refused', async () => {
    const { server, store, connect } = await sharePointUnderTest({ strictIndexing: true, seed: 5 });
    try {
      const c = makeCampaign('camp-1', 'v-2025', 0);
      await store.campaigns.createCampaign(c, [], []);
      server.loseNextReplies(1, { as: [504], kind: 'items.post' });
      expect(await store.campaigns.claimRemindDay(c.id, '2027-03-01')).toBe(true);
      expect(server.stats.lostReplies).toBe(1);
      expect((await (await connect()).campaigns.getCampaign(c.id))!.remindedOn).toBe('2027-03-01');
      expect(await (await connect()).campaigns.claimRemindDay(c.id, '2027-03-01')).toBe(false);
    } finally {
      await server.stop();
    }
  });
});

describe('SharePoint store: retries honour Retry-After', () => {
  it('retries only the throttled requests inside a batch, after their Retry-After', async () => {
    const { server, baseUrl } = await sharePointUnderTest({ strictIndexing: true });
    try {
      const client = createGraphClient({ baseUrl, tokenProvider });
      const batch = new BatchRunner(client);
      server.resetStats();
      server.failNext(2, { status: 429, scope: 'inner', retryAfterSeconds: 1 });
      const started = Date.now();
      const list = `/sites/${SITE}/lists/CS_Meta/items`;
      const res = await batch.all(Array.from({ length: 5 }, (_, i) => ({ method: 'POST' as const, url: list, body: { fields: { Title: `t${i}`, MetaKey: `k${i}`, MetaValue: String(i) } } })));
      expect(res.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      expect(server.stats.batchSizes).toEqual([5, 2]);
      expect(server.stats.earlyRetries).toBe(0);
      expect(server.listItems(SITE, 'CS_Meta')).toHaveLength(5);
    } finally {
      await server.stop();
    }
  });

  it('retries a top-level 429 and 503 through the client pipeline, honouring Retry-After', async () => {
    const { server, store } = await sharePointUnderTest({ strictIndexing: true });
    try {
      server.resetStats();
      server.failNext(1, { status: 429, scope: 'top', retryAfterSeconds: 1 });
      server.failNext(1, { status: 503, scope: 'top', retryAfterSeconds: 0 });
      const started = Date.now();
      // A list query goes out on its own (single item requests share $batch envelopes, whose inner answers BatchRunner retries).
      expect(await store.listAccounts()).toEqual([]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      expect(server.stats).toMatchObject({ status429: 1, status503: 1, earlyRetries: 0 });
    } finally {
      await server.stop();
    }
  });
});

describe('SharePoint store: Graph requests per operation', () => {
  it('single item requests made together leave in one $batch, and each caller gets its own answer', async () => {
    const { server, store } = await sharePointUnderTest({ strictIndexing: true });
    try {
      const site = store.site;
      const made = await Promise.all([1, 2, 3].map((n) => site.create('meta', { Title: `t${n}`, MetaKey: `k${n}`, MetaValue: String(n) })));
      const [a, b] = made as Array<NonNullable<(typeof made)[number]>>;
      server.resetStats();
      const [fresh, stale, dup, found, missing] = await Promise.all([
        site.update('meta', a.id, { MetaValue: 'new' }, a.eTag),
        site.update('meta', b.id, { MetaValue: 'x' }, '"{00000000-0000-0000-0000-000000000000},99"'),
        site.create('meta', { Title: 'again', MetaKey: 'k3', MetaValue: 'dup' }),
        site.findOne('meta', `fields/MetaKey eq 'k2'`),
        site.get('meta', '999999'),
      ]);
      expect(server.stats.requests).toBe(1);
      expect(server.stats.innerRequests).toBe(5);
      expect(fresh).not.toBe('conflict');
      expect(stale).toBe('conflict');
      expect(dup).toBeUndefined();
      expect(found?.fields.MetaValue).toBe('2');
      expect(missing).toBeUndefined();
      expect((await site.get('meta', b.id))?.fields.MetaValue).toBe('2');
    } finally {
      await server.stop();
    }
  });

  it('a submission is one batch and a clearing write; a decision a read and one batch; a declaration one batch; progress one query whatever the size', async () => {
    const { server, store, connect } = await sharePointUnderTest({ strictIndexing: true });
    const figures: string[] = [];
    const count = async (label: string, f: () => Promise<unknown>) => {
      server.resetStats();
      await f();
      const { requests, innerRequests } = server.stats;
      figures.push(`${label}: ${requests} (${innerRequests} inside batches)`);
      return requests;
    };
    try {
      const r = makeRequest('r1', { id: 'u-req', name: 'Rae Quest' }, 0);
      // A new item's eTag cannot be known before it exists, so its effects are cleared by a second write.
      expect(await count('submit (batch + clearing write)', () => store.saveRequestChange({ request: r, audit: makeAudit('a1', r.id, 'request.submit', 0) }))).toBe(2);
      const d = decide(r, 'approved', { id: 'u-ict', name: 'Ian Price' }, 1);
      const decision = async (s: SharePointStore, next: typeof d, audit: string) => {
        const got = (await s.getRequest(r.id))!;
        await s.saveRequestChange({ request: next.next, expectedEtag: got.etag, decision: next.decision, audit: makeAudit(audit, r.id, 'approval.approve', 1) });
      };
      expect(await count('decision (get + guarded batch)', () => decision(store, d, 'a2'))).toBe(2);
      const d2 = decide(d.next, 'approved', { id: 'u-head', name: 'Hana Osei' }, 2);
      const other = await connect();
      expect(await count('decision on another instance (query + guarded batch)', () => decision(other, d2, 'a3'))).toBe(2);

      const v = makeVersion('v1', '2025', '2025-09-01', 0);
      await store.policies.publishVersion({ id: 'pol-aup', schoolId: v.schoolId, name: 'AUP' }, v);
      const sign = (i: number) =>
        store.policies.saveDeclaration(
          { id: `dec-${i}`, schoolId: v.schoolId, signerId: `u-${i}`, signerName: `P ${i}`, typedName: `P ${i}`, versionId: v.id, policyId: v.policyId, versionLabel: v.versionLabel, contentHash: v.contentHash, campaignId: null, signedAt: v.publishedAt },
          makeAudit(`ad-${i}`, `dec-${i}`, 'declaration.sign', 3, null, 'declaration'),
        );
      expect(await count('declaration (one batch: item + audit)', () => sign(1))).toBe(1);

      const campaign = (id: string, n: number) =>
        store.campaigns.createCampaign(
          { id, schoolId: v.schoolId, policyId: 'pol-aup', versionId: v.id, versionLabel: '2025', title: 'Annual', audience: { kind: 'roster' }, deadline: '2025-09-30', reminderEveryDays: 7, launchedBy: 'u-a', launchedByName: 'A', launchedAt: v.publishedAt },
          Array.from({ length: n }, (_, i) => newRecipient(id, { id: `p${String(i).padStart(4, '0')}`, name: `P${i}`, department: ['Maths', 'Science', 'Art'][i % 3]! }, v.publishedAt, v.schoolId)),
          [],
        );
      await count('campaign of 400 created', () => campaign('c-big', 400));
      await campaign('c-small', 5);
      const small = await count('progress read, 5 recipients', () => store.campaigns.countRecipients('c-small'));
      const big = await count('progress read, 400 recipients', () => store.campaigns.countRecipients('c-big'));
      expect(big).toBe(small);
      expect(big).toBe(1);
      const rec = (await store.campaigns.getRecipient('c-big', 'p0001'))!;
      expect(await count('recipient state change (guarded PATCH + counters batch)', () => store.campaigns.updateRecipient({ ...rec.value, state: 'sent', sentAt: v.publishedAt }, rec.etag))).toBe(2);
      console.log(`[contract] Graph requests per operation\n  ${figures.join('\n  ')}`);
    } finally {
      await server.stop();
    }
  });
});
