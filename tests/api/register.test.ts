import { describe, expect, it } from 'vitest';
import { demoPeople, demoStaff } from '../../src/adapters/demo-school';
import type { RegisterAccount } from '../../src/contract/register';
import type { StaffMember } from '../../src/domain/people';
import { validForm } from '../support/forms';
import { appOn, STORES } from '../support/on-each-store';
import { apiAs } from '../support/tab-api';

// On both stores: SharePoint on the local Graph server, throttling and losing write replies (on-each-store.ts).
describe.each(STORES)('the account register on %s', (store) => {
const h = appOn(store);

const staff = (first: string) => demoStaff.find((s) => s.name.startsWith(first))!;
const amira = staff('Amira'); // an administrator on validForm's request
const ben = demoPeople.requester; // the requester, and the other administrator
const chloe = staff('Chloe'); // a moderator, not an administrator
const jess = staff('Jess');

/** A request taken through both approvals, as the services do it for the bot: its account is in the register. */
async function approvedAccount(form: Record<string, string> = {}): Promise<RegisterAccount> {
  const as = (p: StaffMember) => ({ id: p.id, name: p.name, staff: p });
  const submitted = await h.app.requests.submit(as(ben), validForm(form));
  if (!submitted.ok) throw new Error(JSON.stringify(submitted.error));
  const r = submitted.value;
  const one = await h.app.requests.decide(as(demoPeople.ictLeader), 'approve', { requestId: r.id, step: 0, round: 1, signature: demoPeople.ictLeader.name, comment: '' });
  if (!one.ok) throw new Error(JSON.stringify(one.error));
  const two = await h.app.requests.decide(as(demoPeople.headTeacher), 'approve', { requestId: r.id, step: 1, round: 1, signature: demoPeople.headTeacher.name, comment: '' });
  if (!two.ok) throw new Error(JSON.stringify(two.error));
  const list = await (await apiAs(h, demoPeople.ictLeader)).get(`/api/register?q=${encodeURIComponent(r.reference)}`);
  return (list.body.items as RegisterAccount[]).find((a) => a.reference === r.reference)!;
}

const confirmBody = (a: RegisterAccount, extra: Record<string, unknown> = {}) => ({ etag: a.etag, liveOn: a.goLive, live: true, loginHeldByNetworkManager: true, networkManagerName: 'Gareth Lloyd', ...extra });

describe('GET /api/register', () => {
  it('lists every approved account with its people, dates, derived review date, warnings and what the viewer may do', async () => {
    const soon = new Date(Date.now() + 10 * 86400_000).toISOString().slice(0, 10);
    const a = await approvedAccount({ platform: 'Instagram', closure: soon, goLive: new Date(Date.now() + 2 * 86400_000).toISOString().slice(0, 10) });
    expect(a.platform).toBe('Instagram');
    expect(a.host).toBe('Meta Platforms');
    expect(a.administrators.map((p) => p.name)).toEqual([amira.name, ben.name]);
    expect(a.moderators).toHaveLength(2);
    expect(a.closure).toBe(soon);
    const year = new Date(Date.parse(a.approvedAt) + 365 * 86400_000).toISOString().slice(0, 10);
    expect(a.reviewDate).toBe(year);
    expect(a.warnings.map((w) => w.kind)).toEqual(['closureSoon']);
    expect(a.may).toEqual({ confirm: false, handover: true }); // the ICT leader keeps the register but is not an administrator
    expect(a.etag).toEqual(expect.any(String));

    for (const who of [demoPeople.headTeacher, demoPeople.policyAdmin]) expect((await (await apiAs(h, who)).get('/api/register')).status).toBe(200);
  });

  it('refuses a teacher and the deputy head with 403; an administrator sees their own accounts at /api/register/mine', async () => {
    await approvedAccount();
    for (const who of [amira, demoPeople.deputy]) {
      const res = await (await apiAs(h, who)).get('/api/register');
      expect(res.status).toBe(403);
      expect(res.body.error).toBe('PAGE.NOT_ALLOWED');
    }
    const mine = await (await apiAs(h, amira)).get('/api/register/mine');
    expect(mine.status).toBe(200);
    expect(mine.body.items.length).toBeGreaterThan(0);
    expect(mine.body.items.every((a: RegisterAccount) => a.may.confirm && !a.may.handover)).toBe(true);
    expect((await (await apiAs(h, jess)).get('/api/register/mine')).body).toEqual({ items: [], total: 0 });
  });
});

describe('GET /api/register, a page at a time', () => {
  it('pages in approval order with a cursor, counts what matches, filters by words and by warnings, and names bad input', async () => {
    const day = (n: number) => new Date(Date.now() + n * 86400_000).toISOString().slice(0, 10);
    const flagged = await approvedAccount({ goLive: day(2), closure: day(6) });
    await approvedAccount();
    await approvedAccount();
    const api = await apiAs(h, demoPeople.ictLeader);
    const whole = (await api.get('/api/register?limit=100')).body as { items: RegisterAccount[]; total: number; next?: string };
    expect(whole.next).toBeUndefined();
    expect(whole.total).toBe(whole.items.length);
    expect(whole.items.length).toBeGreaterThanOrEqual(3);
    const approvedOrder = [...whole.items].sort((x, y) => x.approvedAt.localeCompare(y.approvedAt) || x.id.localeCompare(y.id)).map((a) => a.id);
    expect(whole.items.map((a) => a.id)).toEqual(approvedOrder);

    const walked: string[] = [];
    let pages = 0;
    for (let cursor: string | undefined = ''; cursor !== undefined; pages++) {
      const res: { status: number; body: { items: RegisterAccount[]; total: number; next?: string } } = await api.get(`/api/register?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      expect(res.body.total).toBe(whole.total);
      walked.push(...res.body.items.map((a: RegisterAccount) => a.id));
      cursor = res.body.next;
    }
    expect(walked).toEqual(approvedOrder);
    expect(pages).toBe(Math.ceil(whole.total / 2));

    const warned = (await api.get('/api/register?attention=true&limit=100')).body;
    expect(warned.items.map((a: RegisterAccount) => a.id)).toContain(flagged.id);
    expect(warned.items.every((a: RegisterAccount) => a.warnings.length > 0)).toBe(true);
    expect(warned.total).toBe(whole.items.filter((a) => a.warnings.length > 0).length);

    const byRef = (await api.get(`/api/register?q=${encodeURIComponent(flagged.reference.toLowerCase())}`)).body;
    expect(byRef.items.map((a: RegisterAccount) => a.id)).toEqual([flagged.id]);
    expect((await api.get('/api/register?q=no%20such%20words%20anywhere')).body).toEqual({ items: [], total: 0 });

    for (const [path, field] of [
      ['/api/register?limit=0', 'limit'],
      ['/api/register?limit=lots', 'limit'],
      ['/api/register?cursor=not-a-cursor', 'cursor'],
      ['/api/register?attention=maybe', 'attention'],
      [`/api/register?q=${'x'.repeat(201)}`, 'q'],
    ] as const) {
      const res = await api.get(path);
      expect(res.status, path).toBe(400);
      expect(res.body.field, path).toBe(field);
    }
  });
});

describe('GET /api/register/staff', () => {
  it('finds staff by name for a handover, for the register’s keepers only, and names a bad query', async () => {
    const api = await apiAs(h, demoPeople.policyAdmin);
    const res = await api.get('/api/register/staff?q=jess');
    expect(res.status).toBe(200);
    expect(res.body).toEqual([{ id: jess.id, name: jess.name, jobTitle: jess.jobTitle, department: jess.department }]);
    expect((await (await apiAs(h, amira)).get('/api/register/staff?q=jess')).status).toBe(403);
    const bad = await api.get(`/api/register/staff?q=${'x'.repeat(101)}`);
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('q');
  });
});

describe('POST /api/register/:accountId/confirm', () => {
  it('lets an administrator confirm go-live and who holds the login, with an audit entry', async () => {
    const a = await approvedAccount();
    const res = await (await apiAs(h, ben)).post(`/api/register/${a.id}/confirm`, confirmBody(a));
    expect(res.status).toBe(200);
    expect(res.body.confirmation).toMatchObject({ liveOn: a.goLive, networkManagerName: 'Gareth Lloyd', byId: ben.id, byName: ben.name });
    expect(res.body.etag).not.toBe(a.etag);
    const again = (await (await apiAs(h, demoPeople.ictLeader)).get(`/api/register?q=${a.reference}`)).body.items.find((x: RegisterAccount) => x.id === a.id);
    expect(again.confirmation.networkManagerName).toBe('Gareth Lloyd');
    const audit = await h.app.store.listAudit(a.id);
    expect(audit.map((x) => [x.action, x.actorId])).toEqual([['account.confirm', ben.id]]);
  });

  it('refuses anyone who is not one of the account’s administrators with 403, the ICT leader included', async () => {
    const a = await approvedAccount();
    for (const who of [chloe, demoPeople.ictLeader]) {
      const res = await (await apiAs(h, who)).post(`/api/register/${a.id}/confirm`, confirmBody(a));
      expect(res.status).toBe(403);
      expect(res.body.error).toBe('ACCOUNT.NOT_ADMINISTRATOR');
    }
  });

  it('answers bad input with 400 naming the field, and never takes a password', async () => {
    const a = await approvedAccount();
    const api = await apiAs(h, amira);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ live: false }, 'live'],
      [{ loginHeldByNetworkManager: undefined }, 'loginHeldByNetworkManager'],
      [{ networkManagerName: '   ' }, 'networkManagerName'],
      [{ liveOn: '2026-02-30' }, 'liveOn'],
      [{ etag: undefined }, 'etag'],
      [{ password: 'hunter2' }, 'password'],
    ];
    for (const [extra, field] of cases) {
      const res = await api.post(`/api/register/${a.id}/confirm`, confirmBody(a, extra));
      expect(res.status, field).toBe(400);
      expect(res.body.field).toBe(field);
      expect(res.body.message).toMatch(new RegExp(`^${field}: `));
    }
    const late = await api.post(`/api/register/${a.id}/confirm`, confirmBody(a, { liveOn: '2099-01-01' }));
    expect(late.status).toBe(400);
    expect(late.body.field).toBe('liveOn');
    expect(await h.app.store.listAudit(a.id)).toEqual([]);
  });

  it('refuses something shaped like a password in every field of the confirmation, naming the field; the account stays unconfirmed', async () => {
    const a = await approvedAccount();
    const api = await apiAs(h, amira);
    // Every field the confirmation sends, each given a password in turn.
    for (const field of Object.keys(confirmBody(a))) {
      for (const secret of ['P@ssw0rd1', 'password: Summer2024']) {
        const res = await api.post(`/api/register/${a.id}/confirm`, confirmBody(a, { [field]: secret }));
        expect(res.status, `${field} = ${secret}`).toBe(field === 'etag' ? 409 : 400);
        if (field !== 'etag') expect(res.body.field, `${field} = ${secret}`).toBe(field);
      }
    }
    const refused = await api.post(`/api/register/${a.id}/confirm`, confirmBody(a, { networkManagerName: 'Summer2024!' }));
    expect(refused.body.message).toBe("Who holds the login (the network manager’s name): Do not type a password here: record only where the login is held, for example 'network manager'.");
    expect((await h.app.store.getAccount(a.id))!.value.confirmation).toBeUndefined();
    expect(await h.app.store.listAudit(a.id)).toEqual([]);
    // Where it is held, by role or name, is what it takes.
    expect((await api.post(`/api/register/${a.id}/confirm`, confirmBody(a, { networkManagerName: 'the network manager' }))).status).toBe(200);
  });

  it('answers 404 for an unknown account and 409 for a stale etag, changing nothing', async () => {
    const a = await approvedAccount();
    const api = await apiAs(h, amira);
    expect((await api.post('/api/register/no-such-account/confirm', confirmBody(a))).status).toBe(404);
    const first = await api.post(`/api/register/${a.id}/confirm`, confirmBody(a, { networkManagerName: 'First' }));
    expect(first.status).toBe(200);
    const stale = await (await apiAs(h, ben)).post(`/api/register/${a.id}/confirm`, confirmBody(a, { networkManagerName: 'Second' }));
    expect(stale.status).toBe(409);
    expect(stale.body.error).toBe('STORE.CONFLICT');
    expect((await h.app.store.getAccount(a.id))!.value.confirmation!.networkManagerName).toBe('First');
  });
});

describe('POST /api/register/:accountId/handover', () => {
  it('replaces an administrator by a member of staff from the directory, for the ICT leader, head or a policy admin', async () => {
    const a = await approvedAccount();
    const res = await (await apiAs(h, demoPeople.headTeacher)).post(`/api/register/${a.id}/handover`, { etag: a.etag, fromId: ben.id, toId: jess.id });
    expect(res.status).toBe(200);
    expect(res.body.administrators).toEqual([
      { id: amira.id, name: amira.name },
      { id: jess.id, name: jess.name },
    ]);
    const audit = await h.app.store.listAudit(a.id);
    expect(audit.map((x) => [x.action, x.actorId])).toEqual([['account.handover', demoPeople.headTeacher.id]]);
    // Jess is now an administrator: she may confirm it.
    expect((await (await apiAs(h, jess)).post(`/api/register/${a.id}/confirm`, confirmBody(res.body))).status).toBe(200);
  });

  it('refuses an administrator or a teacher with 403', async () => {
    const a = await approvedAccount();
    const res = await (await apiAs(h, amira)).post(`/api/register/${a.id}/handover`, { etag: a.etag, fromId: ben.id, toId: jess.id });
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('PAGE.NOT_ALLOWED');
  });

  it('answers 400 naming the field for a missing id, someone not an administrator, an unknown or existing replacement', async () => {
    const a = await approvedAccount();
    const api = await apiAs(h, demoPeople.policyAdmin);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ fromId: '' }, 'fromId'],
      [{ toId: undefined }, 'toId'],
      [{ fromId: chloe.id }, 'fromId'],
      [{ toId: 'nobody' }, 'toId'],
      [{ toId: amira.id }, 'toId'],
    ];
    for (const [extra, field] of cases) {
      const res = await api.post(`/api/register/${a.id}/handover`, { etag: a.etag, fromId: ben.id, toId: jess.id, ...extra });
      expect(res.status, JSON.stringify(extra)).toBe(400);
      expect(res.body.field).toBe(field);
    }
    expect((await h.app.store.getAccount(a.id))!.value.administrators.map((p) => p.id)).toEqual([amira.id, ben.id]);
  });

  it('answers 404 for an unknown account and 409 for a stale etag', async () => {
    const a = await approvedAccount();
    const api = await apiAs(h, demoPeople.ictLeader);
    expect((await api.post('/api/register/no-such-account/handover', { etag: a.etag, fromId: ben.id, toId: jess.id })).status).toBe(404);
    expect((await api.post(`/api/register/${a.id}/handover`, { etag: a.etag, fromId: ben.id, toId: jess.id })).status).toBe(200);
    const stale = await api.post(`/api/register/${a.id}/handover`, { etag: a.etag, fromId: amira.id, toId: chloe.id });
    expect(stale.status).toBe(409);
  });
});
});
