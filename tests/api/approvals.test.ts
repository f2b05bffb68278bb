import { beforeAll, describe, expect, it } from 'vitest';
import { demoPeople, demoStaff } from '../../src/adapters/demo-school';
import { addDays } from '../../src/domain/calendar-date';
import { localDay } from '../../src/domain/display-dates';
import { compareListOrder } from '../../src/domain/request-list';
import { validForm } from '../support/forms';
import { appOn, STORES } from '../support/on-each-store';
import { apiAs } from '../support/tab-api';
import { actionsOf } from '../support/validate-card';

const { requester, ictLeader, headTeacher, deputy, policyAdmin } = demoPeople;
const chloe = demoStaff.find((s) => s.name.startsWith('Chloe'))!;

// On both stores: SQLite, and SharePoint on the local Graph server (throttling, lost replies, indexed queries only).
describe.each(STORES)('%s store', (store) => {
const h = appOn(store);
const ids: string[] = [];
beforeAll(async () => {
  // Five requests, oldest first: Ben's Instagram, YouTube, Facebook, X; Chloe's Instagram.
  for (const [who, platform] of [[requester, 'Instagram'], [requester, 'YouTube'], [requester, 'Facebook'], [requester, 'X'], [chloe, 'Instagram']] as const) {
    const res = await h.invoke(who, 'request.submit', validForm({ platform }));
    ids.push(actionsOf(res.card).find((a) => a.verb === 'request.withdraw')!.data.requestId);
  }
  await h.idle();
  // The second is rejected by the ICT leader.
  const gareth = await apiAs(h, ictLeader);
  expect((await gareth.post(`/api/requests/${ids[1]}/decision`, { verb: 'approval.reject', step: 0, round: 1, signature: 'Gareth Lloyd', comment: 'Not this platform.' })).status).toBe(200);
}, 120_000);

// Newest first by the time the store keeps (SharePoint: to the second), then by id among those made in the same second.
let order: string[] = [];
const newestFirst = () => order;
beforeAll(async () => {
  const stored = await Promise.all(ids.map(async (id) => (await h.app.store.getRequest(id))!.value));
  order = stored.sort(compareListOrder).map((r) => r.id);
});

describe('GET /api/requests (the Approvals page)', () => {
  it('lists every request of the school newest first, for the ICT leader, head, deputy and policy admins', async () => {
    for (const who of [ictLeader, headTeacher, deputy, policyAdmin]) {
      const res = await (await apiAs(h, who)).get('/api/requests');
      expect(res.status, who.name).toBe(200);
      expect(res.body.items.map((r: { id: string }) => r.id)).toEqual(newestFirst());
      expect(res.body.next).toBeUndefined();
    }
    const chloes = (await (await apiAs(h, policyAdmin)).get('/api/requests')).body.items.find((r: { id: string }) => r.id === ids[4]);
    expect(chloes).toMatchObject({ requesterName: chloe.name, platform: 'Instagram', status: 'pending', statusLine: expect.stringMatching(/^Waiting for Gareth Lloyd/) });
  });

  it('pages on the server: limit and an opaque cursor, none lost or repeated', async () => {
    const api = await apiAs(h, headTeacher);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await api.get(`/api/requests?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((r: { id: string }) => r.id));
      cursor = res.body.next;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(newestFirst());
  });

  it('filters by state, by the day it was made and by words (the account or the requester)', async () => {
    const api = await apiAs(h, policyAdmin);
    const list = async (q: string) => {
      const res = await api.get(`/api/requests?${q}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.items.map((r: { id: string }) => r.id);
    };
    expect(await list('status=rejected')).toEqual([ids[1]]);
    expect(await list('status=pending,rejected')).toEqual(newestFirst());
    expect(await list('status=approved')).toEqual([]);
    expect(await list('q=youtube')).toEqual([ids[1]]);
    expect(await list(`q=${encodeURIComponent('chloe')}`)).toEqual([ids[4]]);
    expect(await list('q=instagram&limit=1')).toEqual([newestFirst().find((id) => id === ids[0] || id === ids[4])]);
    const { timeZone } = (await api.get('/api/me')).body.school;
    const today = localDay(new Date().toISOString(), timeZone);
    expect(await list(`from=${today}&to=${today}`)).toEqual(newestFirst());
    expect(await list(`to=${addDays(today, -1)}`)).toEqual([]);
    expect(await list(`from=${addDays(today, 1)}`)).toEqual([]);
  });

  it('refuses a member of staff without an overseeing role with 403', async () => {
    for (const who of [requester, chloe]) {
      const res = await (await apiAs(h, who)).get('/api/requests');
      expect(res.status).toBe(403);
      expect(res.body.error).toBe('PAGE.NOT_ALLOWED');
    }
  });

  it('answers bad input with 400 naming the field', async () => {
    const api = await apiAs(h, ictLeader);
    for (const [q, field] of [
      ['status=lost', 'status'],
      ['limit=101', 'limit'],
      ['limit=0', 'limit'],
      ['limit=ten', 'limit'],
      ['cursor=not-a-cursor', 'cursor'],
      ['from=2026-02-30', 'from'],
      ['to=yesterday', 'to'],
      ['from=2026-03-02&to=2026-03-01', 'to'],
      [`q=${'x'.repeat(201)}`, 'q'],
    ] as const) {
      const res = await api.get(`/api/requests?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.field, q).toBe(field);
    }
    // A cursor that decodes, but not from this list, is refused too.
    const forged = Buffer.from(JSON.stringify({ a: 1 })).toString('base64url');
    expect((await api.get(`/api/requests?cursor=${forged}`)).body.field).toBe('cursor');
  });
});
});
