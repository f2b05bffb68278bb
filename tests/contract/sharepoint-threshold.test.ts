/**
 * SharePoint refuses a query that filters or sorts on a non-indexed column
 * once a list holds more than 5,000 items (the list view threshold). Here every
 * list the store uses holds over 6,000 items, and every query path of the store
 * runs against them: none may be refused, and the answers must still be right.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allListDefs, type ListDef } from '../../src/adapters/sharepoint/lists';
import type { SharePointStore } from '../../src/adapters/sharepoint/sharepoint.store';
import { newRecipient } from '../../src/domain/recipient.workflow';
import type { LocalGraphServer } from '../support/graph-server';
import { SITE, sharePointUnderTest } from './sharepoint-harness';
import { decide, makeAudit, makeRequest, makeVersion, SCHOOL } from './store.contract';

const FILL = 6_000;
const T = (m: number) => new Date(Date.parse('2025-09-01T08:00:00.000Z') + m * 60_000).toISOString();

/** Items that belong to none of our queries: unique keys left empty (they stay unique), other columns filled. */
function filler(def: ListDef, n: number): Array<Record<string, unknown>> {
  return Array.from({ length: n }, (_, i) => {
    const row: Record<string, unknown> = { Title: `filler ${i}` };
    for (const c of def.columns) {
      if (c.unique) continue;
      if (c.kind === 'text') row[c.name] = `filler-${i % 97}`;
      else if (c.kind === 'note') row[c.name] = '[]'; // valid in the JSON columns too
      else if (c.kind === 'choice') row[c.name] = c.choices![i % c.choices!.length];
      else if (c.kind === 'dateTime') row[c.name] = new Date(Date.UTC(2030, 0, 1) + i * 60_000).toISOString();
      else if (c.kind === 'date') row[c.name] = '2030-01-01T12:00:00Z';
      else if (c.kind === 'number') row[c.name] = i;
      else row[c.name] = false;
    }
    return row;
  });
}

describe('no store query breaks the 5,000-item list view threshold', () => {
  let server: LocalGraphServer;
  let store: SharePointStore;
  let connect: () => Promise<SharePointStore>;

  beforeAll(async () => {
    // Not strict: Graph's rule is then SharePoint's, refusing non-indexed queries only above the threshold.
    ({ server, store, connect } = await sharePointUnderTest({ seed: 9, threshold: 5_000 }));
    for (const def of allListDefs) server.seedItems(SITE, def.name, filler(def, FILL));
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('the server does refuse a non-indexed query at this size (the test has teeth)', async () => {
    const res = await fetch(`${server.baseUrl}/v1.0/sites/${SITE}/lists/CS_Recipients/items?$filter=${encodeURIComponent("fields/Department eq 'Maths'")}`, {
      headers: { Authorization: 'Bearer t' },
    });
    expect(res.status).toBe(400);
    server.resetStats();
  });

  it('requests, decisions, audit, accounts, references', async () => {
    const rae = { id: 'u-rae', name: 'Rae Quest' };
    expect(await store.nextReference()).toBe('CS-0001');
    const r = makeRequest('r-big', rae, 0);
    const v1 = await store.saveRequestChange({ request: r, audit: makeAudit('a1', r.id, 'request.submit', 0) });
    const first = decide(r, 'approved', { id: 'u-ict', name: 'Ian Price' }, 1);
    const v2 = await store.saveRequestChange({ request: first.next, expectedEtag: v1.etag, decision: first.decision, audit: makeAudit('a2', r.id, 'approval.approve', 1) });
    const second = decide(first.next, 'approved', { id: 'u-head', name: 'Hana Osei' }, 2);
    const account = { id: 'acc-big', schoolId: SCHOOL, requestId: r.id, reference: r.reference, department: 'Science', platform: 'Instagram', host: 'School', visibility: 'private', administrators: [], moderators: [], goLive: '2025-10-01', closure: '', approvedAt: T(2), ownerId: rae.id, ownerName: rae.name };
    await store.saveRequestChange({ request: second.next, expectedEtag: v2.etag, decision: second.decision, audit: makeAudit('a3', r.id, 'approval.approve', 2), account });

    expect((await store.getRequest(r.id))!.value).toEqual(second.next);
    expect((await store.listRequestsByRequester(rae.id)).map((x) => x.id)).toEqual([r.id]);
    expect(await store.listRequestsAwaiting('u-head')).toEqual([]);
    expect((await store.listDecisions(r.id)).map((d) => d.id)).toEqual([first.decision.id, second.decision.id]);
    expect((await store.listAudit(r.id)).map((a) => a.id)).toEqual(['a1', 'a2', 'a3']);
    const accounts = await store.listAccounts();
    expect(accounts.length).toBeGreaterThan(FILL);
    expect(accounts.filter((a) => a.requestId === r.id)).toEqual([account]);
    // The Approvals list: 6,000 newer requests of other schools come first; each call reads a bounded
    // part of them and says where it stopped, until the school's one request is found and the list ends.
    const listed: string[] = [];
    let after;
    let calls = 0;
    do {
      const page = await store.listRequestsPage({ schoolId: SCHOOL, limit: 25, after });
      listed.push(...page.items.map((x) => x.id));
      after = page.next;
      calls++;
    } while (after && calls < 10);
    expect(listed).toEqual([r.id]);
    expect(calls).toBeGreaterThan(1);
    expect(after).toBeUndefined();
    expect(server.stats.thresholdRefused).toBe(0);
  });

  it('conversations, sent cards and staff', async () => {
    const c = { userId: 'u-c', conversationId: 'a:1', serviceUrl: 'https://smba.example/', tenantId: 't', reference: '{}', updatedAt: T(1) };
    await store.saveConversation(c);
    await store.saveConversation({ ...c, conversationId: 'a:2' });
    expect((await store.getConversation('u-c'))!.conversationId).toBe('a:2');
    await store.recordSentCard({ requestId: 'r-big', userId: 'u-ict', conversationId: 'a:1', activityId: 'x', purpose: 'approval', sentAt: T(3) });
    await store.recordSentCard({ requestId: 'r-big', userId: 'u-ict', conversationId: 'a:1', activityId: 'x', purpose: 'approval', sentAt: T(4) });
    expect(await store.listSentCards('r-big')).toHaveLength(1);

    const staff = (i: number) => ({ id: `u-s${i}`, schoolId: SCHOOL, name: `Staff ${i}`, email: `s${i}@x.example`, department: 'Maths', jobTitle: 'Teacher', roles: [] });
    await store.upsertStaff([staff(1), staff(2)]);
    await store.upsertStaff(Array.from({ length: 15 }, (_, i) => staff(i))); // the roster path: reads all staff
    expect(await store.getStaff('u-s7')).toEqual(staff(7));
    expect((await store.listStaff()).filter((s) => s.id.startsWith('u-s'))).toHaveLength(15);
    expect(server.stats.thresholdRefused).toBe(0);
  });

  it('policies, versions, declarations and opens', async () => {
    const policy = { id: 'pol-aup', schoolId: SCHOOL, name: 'Acceptable use' };
    const v = makeVersion('v-2025', '2025', '2025-09-01', 0);
    await store.policies.publishVersion(policy, v);
    await store.policies.publishVersion(policy, v);
    expect((await store.policies.listPolicies()).filter((p) => p.id === policy.id)).toEqual([policy]);
    expect(await store.policies.listVersions(policy.id)).toEqual([v]);
    expect(await store.policies.getVersion(v.id)).toEqual(v);
    const d = { id: 'dec-1', schoolId: SCHOOL, signerId: 'u-s1', signerName: 'Staff 1', typedName: 'Staff 1', versionId: v.id, policyId: policy.id, versionLabel: '2025', contentHash: v.contentHash, campaignId: null, signedAt: T(5) };
    expect((await store.policies.saveDeclaration(d, makeAudit('ad1', d.id, 'declaration.sign', 5, null, 'declaration'))).created).toBe(true);
    expect((await store.policies.saveDeclaration({ ...d, id: 'dec-2' }, makeAudit('ad2', 'dec-2', 'declaration.sign', 6, null, 'declaration'))).created).toBe(false);
    expect(await store.policies.getDeclaration('u-s1', v.id)).toEqual(d);
    expect(await store.policies.listDeclarationsBySigner('u-s1')).toEqual([d]);
    await store.policies.recordOpen('u-s1', v.id, T(4));
    expect(await store.policies.hasOpened('u-s1', v.id)).toBe(true);
    expect(await store.policies.hasOpened('u-s2', v.id)).toBe(false);
    expect(server.stats.thresholdRefused).toBe(0);
  });

  it('a campaign of 6,000: paging, state pages, progress, joiners, recount', async () => {
    const people = Array.from({ length: FILL }, (_, i) => ({ id: `p${String(i).padStart(5, '0')}`, name: `Person ${i}`, department: ['Maths', 'Science', 'English', 'Art'][i % 4]! }));
    const c = { id: 'camp-big', schoolId: SCHOOL, policyId: 'pol-aup', versionId: 'v-2025', versionLabel: '2025', title: 'Annual', audience: { kind: 'roster' as const }, deadline: '2025-09-30', reminderEveryDays: 7, launchedBy: 'u-a', launchedByName: 'Admin', launchedAt: T(0) };
    await store.campaigns.createCampaign(c, people.map((p) => newRecipient(c.id, p, T(0), c.schoolId)), []);
    expect((await store.campaigns.listCampaigns()).filter((x) => x.id === c.id)).toEqual([c]);

    const page1 = await store.campaigns.listRecipients(c.id, { limit: 100 });
    const page2 = await store.campaigns.listRecipients(c.id, { afterUserId: page1.at(-1)!.userId, limit: 100 });
    expect([...page1, ...page2].map((r) => r.userId)).toEqual(people.slice(0, 200).map((p) => p.id));

    for (const p of people.slice(10, 13)) {
      const v = (await store.campaigns.getRecipient(c.id, p.id))!;
      await store.campaigns.updateRecipient({ ...v.value, state: 'sent', sentAt: T(6), updatedAt: T(6) }, v.etag);
    }
    expect((await store.campaigns.listRecipients(c.id, { state: 'sent', limit: 10 })).map((r) => r.userId)).toEqual(['p00010', 'p00011', 'p00012']);
    expect((await store.campaigns.recipientsFor('p00011', 'v-2025')).map((r) => r.value.state)).toEqual(['sent']);

    server.resetStats();
    const counts = await store.campaigns.countRecipients(c.id);
    const progressCalls = server.stats.requests;
    expect(counts.reduce((n, x) => n + x.count, 0)).toBe(FILL);
    expect(counts.find((x) => x.state === 'sent')).toEqual({ state: 'sent', department: 'English', count: 1 });
    // Progress is one query on the counters, not 6,000 recipients in pages of 200.
    expect(progressCalls).toBe(1);

    const joiners = [...people.slice(0, 50), { id: 'p99999', name: 'New Joiner', department: 'Art' }].map((p) => newRecipient(c.id, p, T(7), c.schoolId));
    server.resetStats();
    const added = await store.campaigns.addRecipients(c.id, joiners, (r) => ({ id: `j-${r.userId}`, schoolId: r.schoolId, kind: 'campaign.send', key: `send:${c.id}:${r.userId}`, payload: {}, runAt: T(7), attempts: 0 }));
    expect(added.map((r) => r.userId)).toEqual(['p99999']);
    // Who is there already is one range read over the joiners' ids, not a read of all 6,000.
    expect(server.stats.requests).toBeLessThan(20);
    const recounted = await store.campaigns.recountRecipients(c.id);
    expect(recounted.reduce((n, x) => n + x.count, 0)).toBe(FILL + 1);
    expect(server.stats.thresholdRefused).toBe(0);
  }, 60_000);

  it('the job queue: receive, visibility, complete, release, poison, counts', async () => {
    const jobs = store.jobs;
    await jobs.enqueue([
      { id: 'j1', schoolId: SCHOOL, kind: 'k', key: 'k1', payload: {}, runAt: T(0), attempts: 0 },
      { id: 'j2', schoolId: SCHOOL, kind: 'k', key: 'k2', payload: {}, runAt: T(1), attempts: 0 },
      { id: 'j3', schoolId: SCHOOL, kind: 'k', key: 'k3', payload: {}, runAt: T(600), attempts: 0 },
    ]);
    // The joiners' jobs from the campaign test are due too: the new joiner's, and those of the 50 recipients
    // that were stored queued without a send job (as a crash between SharePoint's writes leaves them); not the 3 sent.
    const joinerJobs = [...Array.from({ length: 50 }, (_, i) => i).filter((i) => i < 10 || i > 12).map((i) => `j-p${String(i).padStart(5, '0')}`), 'j-p99999'];
    const received = await jobs.receive(new Date(T(10)), 100, 60_000);
    expect(received.map((j) => j.id).sort()).toEqual([...joinerJobs, 'j1', 'j2'].sort());
    expect(await jobs.receive(new Date(T(10)), 10, 60_000)).toEqual([]);
    const byId = (id: string) => received.find((j) => j.id === id)!;
    expect(await jobs.complete(byId('j1'))).toBe(true);
    expect(await jobs.release(byId('j2'), T(20), 'later')).toBe(true);
    for (const id of joinerJobs) expect(await jobs.poison(byId(id), 'no')).toBe(true);
    expect(await jobs.nextDueAt()).toBe(T(20));
    expect(await jobs.pendingCount()).toBe(FILL + 2); // fillers are pending far in the future
    expect(server.stats.thresholdRefused).toBe(0);
  });

  it('a second instance, with nothing cached, finds everything by its keys', async () => {
    const other = await connect();
    expect((await other.getRequest('r-big'))!.value.status).toBe('approved');
    expect((await other.getConversation('u-c'))!.conversationId).toBe('a:2');
    expect((await other.policies.getVersion('v-2025'))!.versionLabel).toBe('2025');
    expect(await other.policies.hasOpened('u-s1', 'v-2025')).toBe(true);
    expect((await other.campaigns.getCampaign('camp-big'))!.title).toBe('Annual');
    expect(await other.nextReference()).toBe('CS-0002');
    const [j2] = await other.jobs.receive(new Date(T(20)), 1, 60_000);
    expect(await other.jobs.complete(j2!)).toBe(true);
    expect(await other.jobs.pendingCount()).toBe(FILL + 1); // j3 waits
    expect(server.stats.thresholdRefused).toBe(0);
    expect(server.stats.honorNonIndexedUsed).toBe(0);
  });
});
