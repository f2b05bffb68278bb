import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPolicyVersions } from '../../src/adapters/demo-policy';
import { demoPeople, demoStaff } from '../../src/adapters/demo-school';
import type { CampaignDashboard, CampaignExport, CampaignListItem, CampaignOptions, NotSignedRow } from '../../src/contract/campaigns';
import type { ListPage } from '../../src/contract/api';
import { localDay } from '../../src/domain/display-dates';
import { Harness } from '../support/harness';
import { apiAs, tabApi } from '../support/tab-api';
import { actionsOf, allText } from '../support/validate-card';

/**
 * The campaigns page's API, as a policy admin uses it from the tab, on the embedded app with the
 * real clock: launch, the live dashboard, the non-signers page by page, remind now, export, close.
 */
const h = new Harness();
beforeAll(async () => {
  await h.start();
  // The bot learns where Teams is from the first message anyone writes to it; until then no card can leave.
  await h.say(demoPeople.policyAdmin, 'help');
});
afterAll(() => h.stop());

const { policyAdmin: hannah, requester: ben } = demoPeople;
const named = (first: string) => demoStaff.find((s) => s.name.startsWith(first))!;
const chloe = named('Chloe');
const v2026 = demoPolicyVersions[1]!.id;
const tz = 'Europe/London';
const today = () => localDay(new Date().toISOString(), tz);
const inDays = (n: number) => localDay(new Date(Date.now() + n * 86_400_000).toISOString(), tz);
const reminders = (userId: string) =>
  h.connector.calls.filter((c) => h.connector.owners.get(c.conversationId) === userId && /Reminder: please sign by/.test(allText(c.activity?.attachments?.[0]?.content ?? {}))).length;

async function dashboardWhenReady(api: Awaited<ReturnType<typeof apiAs>>, id: string): Promise<CampaignDashboard> {
  await h.settle();
  const res = await api.get<CampaignDashboard>(`/api/campaigns/${id}`);
  expect(res.status).toBe(200);
  return res.body;
}

async function allNotSigned(api: Awaited<ReturnType<typeof apiAs>>, id: string, q = '') {
  const rows: NotSignedRow[] = [];
  let pages = 0;
  for (let cursor: string | undefined = ''; cursor !== undefined; pages++) {
    const res: { status: number; body: ListPage<NotSignedRow> } = await api.get(`/api/campaigns/${id}/not-signed?limit=5${q}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeLessThanOrEqual(5);
    rows.push(...res.body.items);
    cursor = res.body.next;
  }
  return { rows, pages };
}

describe('the campaigns API', () => {
  let id = '';

  it('refuses every campaign route to someone who is not a policy admin, with 403', async () => {
    const teacher = await apiAs(h, ben);
    for (const [method, path] of [
      ['get', '/api/campaigns'],
      ['get', '/api/campaigns/options'],
      ['get', '/api/campaigns/x'],
      ['get', '/api/campaigns/x/not-signed'],
      ['get', '/api/campaigns/x/completion'],
      ['post', '/api/campaigns'],
      ['post', '/api/campaigns/x/remind'],
      ['post', '/api/campaigns/x/close'],
      ['post', '/api/campaigns/x/export'],
    ] as const) {
      const res = method === 'get' ? await teacher.get(path) : await teacher.post(path, { versionId: v2026, deadline: inDays(21), reminderEveryDays: 7 });
      expect(res.status, `${method} ${path}`).toBe(403);
    }
    expect((await tabApi(h).get('/api/campaigns')).status).toBe(401);
  });

  it('offers the current policy version and the directory’s departments; no campaigns yet', async () => {
    const api = await apiAs(h, hannah);
    const options = await api.get<CampaignOptions>('/api/campaigns/options');
    expect(options.status).toBe(200);
    expect(options.body.versions.map((v) => v.id)).toEqual([v2026]);
    expect(options.body.departments).toContain('Key Stage 1');
    expect(options.body.departments).toEqual([...new Set(demoStaff.map((s) => s.department))].sort((a, b) => a.localeCompare(b)));
    // Join dates by day, for the form's "joined on or after" count: every demo person has one.
    expect(options.body.joinDays.reduce((n, d) => n + d.people, 0)).toBe(demoStaff.length);
    expect(options.body.joinDays.find((d) => d.day === '2026-09-01')).toEqual({ day: '2026-09-01', people: 2 });
    expect(options.body.joinDays.map((d) => d.day)).toEqual([...options.body.joinDays.map((d) => d.day)].sort());
    expect(options.body.today).toBe(today());
    expect(options.body.defaultDeadline > today()).toBe(true);
    // Countersign is in no team yet: the form offers none.
    expect(options.body.teams).toEqual([]);
    expect((await api.get<ListPage<CampaignListItem>>('/api/campaigns')).body.items).toEqual([]);
  });

  it('answers bad launch input with 400 naming the field, and launches nothing', async () => {
    const api = await apiAs(h, hannah);
    const good = { versionId: v2026, deadline: inDays(21), reminderEveryDays: 7, audience: { kind: 'all' } };
    const cases: Array<[Record<string, unknown>, string, RegExp?]> = [
      [{ ...good, deadline: inDays(-1) }, 'deadline', /in the past/],
      [{ ...good, deadline: 'next friday' }, 'deadline'],
      [{ ...good, versionId: 'no-such-version' }, 'versionId', /choose one from the list/],
      [{ ...good, versionId: undefined }, 'versionId'],
      [{ ...good, reminderEveryDays: 0 }, 'reminderEveryDays'],
      [{ ...good, audience: { kind: 'departments', departments: [] } }, 'audience.departments'],
      [{ ...good, audience: { kind: 'joinedSince', since: '1 September' } }, 'audience.since'],
      [{ ...good, audience: { kind: 'joinedSince', since: inDays(3) } }, 'audience', /join date is in the future/],
      [{ ...good, audience: { kind: 'everyone' } }, 'audience.kind'],
      [{ ...good, audience: { kind: 'team' } }, 'audience.teamId', /choose a team/],
      [{ ...good, audience: { kind: 'team', teamId: '19:not-a-team-we-are-in@thread.tacv2' } }, 'audience.teamId', /teams Countersign is in/],
    ];
    for (const [body, field, message] of cases) {
      const res = await api.post('/api/campaigns', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.field, JSON.stringify(body)).toBe(field);
      if (message) expect(res.body.message).toMatch(message);
    }
    expect((await api.get<ListPage<CampaignListItem>>('/api/campaigns')).body.items).toEqual([]);
  });

  it('launches at once while the audience is counted, then shows everyone; a second launch for the version is 409 naming the first', async () => {
    const api = await apiAs(h, hannah);
    const res = await api.post<CampaignDashboard>('/api/campaigns', { versionId: v2026, deadline: inDays(21), reminderEveryDays: 7, audience: { kind: 'all' } });
    expect(res.status).toBe(201);
    id = res.body.campaign.id;
    expect(res.body.campaign.audience).toEqual({ kind: 'roster' });
    expect(['preparing', 'sending', 'open']).toContain(res.body.progress.phase);

    const ready = await dashboardWhenReady(api, id);
    expect(ready.progress.phase).toBe('open');
    expect(ready.progress.total).toBe(demoStaff.length);
    expect(ready.progress.byState.sent).toBe(demoStaff.length);
    expect(ready.progress.byDepartment.find((d) => d.department === 'Key Stage 1')).toMatchObject({ total: 2, signed: 0, outstanding: 2 });
    expect(ready.remind).toEqual({ allowed: true });

    const again = await api.post('/api/campaigns', { versionId: v2026, deadline: inDays(30), reminderEveryDays: 7 });
    expect(again.status).toBe(409);
    expect(again.body.error).toBe('CAMPAIGN.ALREADY_OPEN');
    expect(again.body.message).toContain(`(${ready.campaign.versionLabel}) already has an open campaign`);
    expect(again.body.message).toContain(`by ${hannah.name}`);

    const list = await api.get<ListPage<CampaignListItem>>('/api/campaigns');
    expect(list.body.items.map((x) => x.campaign.id)).toEqual([id]);
    expect(list.body.items[0]!.progress.total).toBe(demoStaff.length);
    expect((await api.get('/api/campaigns/no-such-campaign')).status).toBe(404);
  });

  it('counts a signature on the dashboard, in the completion line and out of the non-signers, which page on the server', async () => {
    const api = await apiAs(h, hannah);
    const before = await allNotSigned(api, id);
    expect(before.rows.map((r) => r.userId).sort()).toEqual(demoStaff.map((s) => s.id).sort());
    expect(before.pages).toBeGreaterThanOrEqual(3);
    expect(before.rows[0]!.status).toBe('Waiting');

    // Chloe signs as she would in chat: opens the full policy from her campaign card, then signs it.
    const card = h.connector.cardsFor(chloe.id).find((c) => actionsOf(c).some((a) => a.verb === 'declaration.sign' && a.data?.campaignId === id))!;
    const link = new URL(actionsOf(card).find((a) => a.type === 'Action.OpenUrl' && /Read the full policy/.test(a.title)).url as string);
    expect((await fetch(`${h.baseUrl}${link.pathname}${link.search}`, { redirect: 'manual' })).status).toBe(302);
    const signed = await h.invoke(chloe, 'declaration.sign', { versionId: v2026, campaignId: id, confirm: 'true', typedName: chloe.name });
    expect(allText(signed.card)).toMatch(/Signed by Chloe Marsh/);
    await h.settle();

    const after = (await api.get<CampaignDashboard>(`/api/campaigns/${id}`)).body;
    expect(after.progress.byState.signed).toBe(1);
    expect(after.progress.byState.sent).toBe(demoStaff.length - 1);
    expect(after.progress.byDepartment.find((d) => d.department === 'Key Stage 1')).toMatchObject({ total: 2, signed: 1, outstanding: 1 });
    const completion = await api.get(`/api/campaigns/${id}/completion`);
    expect(completion.status).toBe(200);
    expect(completion.body.byDay).toEqual([{ day: today(), signed: 1 }]);

    const rest = await allNotSigned(api, id);
    expect(rest.rows).toHaveLength(demoStaff.length - 1);
    expect(rest.rows.map((r) => r.name)).not.toContain(chloe.name);
    const ks1 = await allNotSigned(api, id, '&department=Key%20Stage%201');
    expect(ks1.rows.map((r) => r.name)).toEqual([named('Daniel').name]);

    const bad = await api.get(`/api/campaigns/${id}/not-signed?limit=500`);
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('limit');
  });

  it('reminds only those who have not signed, once a day: a second press is 409', async () => {
    const api = await apiAs(h, hannah);
    const first = await api.post<CampaignDashboard>(`/api/campaigns/${id}/remind`);
    expect(first.status).toBe(200);
    expect(first.body.campaign.remindedOn).toBe(today());
    expect(first.body.remind.allowed).toBe(false);
    await h.settle();
    expect(reminders(named('Daniel').id)).toBe(1);
    expect(reminders(chloe.id)).toBe(0);

    const second = await api.post(`/api/campaigns/${id}/remind`);
    expect(second.status).toBe(409);
    expect(second.body.error).toBe('CAMPAIGN.ALREADY_REMINDED');
    expect(second.body.message).toMatch(/already sent today.*again tomorrow/);
    await h.settle();
    expect(reminders(named('Daniel').id)).toBe(1);
    expect((await api.post('/api/campaigns/no-such-campaign/remind')).status).toBe(404);
  });

  it('exports a CSV behind a signed link, with the governors’ summary', async () => {
    const api = await apiAs(h, hannah);
    const res = await api.post<CampaignExport>(`/api/campaigns/${id}/export`);
    expect(res.status).toBe(200);
    expect(res.body.rows).toBe(demoStaff.length);
    expect(res.body.summary).toContain(`1 of ${demoStaff.length} staff have signed`);
    const csv = await fetch(res.body.link);
    expect(csv.status).toBe(200);
    const text = await csv.text();
    expect(text.split('\r\n')[0]).toMatch(/^Name,Department,Status/);
    expect(text).toContain(`${chloe.name},Key Stage 1,Signed`);
  });

  it('closes the campaign: closed on the dashboard, no more reminders; then a new launch for one department counts only it', async () => {
    const api = await apiAs(h, hannah);
    const res = await api.post<CampaignDashboard>(`/api/campaigns/${id}/close`);
    expect(res.status).toBe(200);
    expect(res.body.progress.phase).toBe('closed');
    expect(res.body.campaign.closed?.byName).toBe(hannah.name);
    expect(res.body.remind).toEqual({ allowed: false, why: expect.stringMatching(/closed/) });
    expect((await api.post(`/api/campaigns/${id}/close`)).status).toBe(409);
    expect((await api.post(`/api/campaigns/${id}/remind`)).status).toBe(409);

    const ks = await api.post<CampaignDashboard>('/api/campaigns', {
      versionId: v2026,
      deadline: inDays(14),
      reminderEveryDays: 3,
      audience: { kind: 'departments', departments: ['Key Stage 1', 'Early Years'] },
    });
    expect(ks.status).toBe(201);
    const ready = await dashboardWhenReady(api, ks.body.campaign.id);
    expect(ready.campaign.audience).toEqual({ kind: 'departments', departments: ['Key Stage 1', 'Early Years'] });
    const expected = demoStaff.filter((s) => s.department === 'Key Stage 1' || s.department === 'Early Years');
    expect(ready.progress.total).toBe(expected.length);
    // Chloe signed this version already: she is counted signed, not sent a card again.
    expect(ready.progress.byState.signed).toBe(1);
    expect(ready.progress.byDepartment.map((d) => d.department).sort()).toEqual(['Early Years', 'Key Stage 1']);
    const list = await api.get<ListPage<CampaignListItem>>('/api/campaigns');
    expect(list.body.items.map((x) => x.campaign.id)).toEqual([ks.body.campaign.id, id]);
  });

  it('launches to the people who joined on or after a date, and only them', async () => {
    const api = await apiAs(h, hannah);
    const open = (await api.get<ListPage<CampaignListItem>>('/api/campaigns')).body.items.find((x) => !x.campaign.closed)!;
    expect((await api.post(`/api/campaigns/${open.campaign.id}/close`)).status).toBe(200);
    const since = '2026-09-01';
    const res = await api.post<CampaignDashboard>('/api/campaigns', { versionId: v2026, deadline: inDays(14), reminderEveryDays: 7, audience: { kind: 'joinedSince', since } });
    expect(res.status).toBe(201);
    const ready = await dashboardWhenReady(api, res.body.campaign.id);
    expect(ready.campaign.audience).toEqual({ kind: 'joinedSince', since });
    const newStarters = demoStaff.filter((s) => s.joinedOn && s.joinedOn >= since);
    expect(newStarters.length).toBe(3);
    expect(ready.progress.total).toBe(newStarters.length);
    const { rows } = await allNotSigned(api, res.body.campaign.id);
    expect(rows.map((r) => r.name).sort()).toEqual(newStarters.map((s) => s.name).sort());
    const list = await api.get<ListPage<CampaignListItem>>('/api/campaigns');
    expect(list.body.items[0]!.campaign.audience).toEqual({ kind: 'joinedSince', since });

    // The list pages on the server, newest first: one campaign a page walks them all, once each.
    const walked: string[] = [];
    for (let cursor: string | undefined = ''; cursor !== undefined; ) {
      const page: { status: number; body: ListPage<CampaignListItem> } = await api.get(`/api/campaigns?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.total).toBe(list.body.items.length);
      walked.push(...page.body.items.map((x) => x.campaign.id));
      cursor = page.body.next;
    }
    expect(walked).toEqual(list.body.items.map((x) => x.campaign.id));
    expect(walked.length).toBe(3);
    for (const [path, field] of [['/api/campaigns?limit=0', 'limit'], ['/api/campaigns?cursor=x', 'cursor']] as const) {
      const bad = await api.get(path);
      expect(bad.status, path).toBe(400);
      expect(bad.body.field, path).toBe(field);
    }
  });
});

describe('the campaigns API, to the members of a team', () => {
  const ht = new Harness();
  const year3 = { id: '19:year3-api@thread.tacv2', name: 'Year 3' };
  const office = { id: '19:office-api@thread.tacv2', name: 'Office team' };
  beforeAll(async () => {
    await ht.start();
    await ht.say(demoPeople.policyAdmin, 'help');
    await ht.post(ht.teamUpdate(year3, 'added'));
    await ht.post(ht.teamUpdate(office, 'added'));
    await ht.post(ht.teamUpdate(office, 'removed'));
    ht.connector.setTeamRoster(year3.id, [chloe, hannah].map((p) => ({ id: `29:${p.id}`, name: p.name, aadObjectId: p.id })));
  });
  afterAll(() => ht.stop());

  it('offers the teams Countersign is in and launches to one with 201: its members who are staff, named by the team', async () => {
    const api = await apiAs(ht, hannah);
    const options = await api.get<CampaignOptions>('/api/campaigns/options');
    expect(options.body.teams).toEqual([{ id: year3.id, name: 'Year 3' }]);
    const res = await api.post<CampaignDashboard>('/api/campaigns', { versionId: v2026, deadline: inDays(21), reminderEveryDays: 7, audience: { kind: 'team', teamId: year3.id, teamName: 'Made up by the client' } });
    expect(res.status).toBe(201);
    expect(res.body.campaign.audience).toEqual({ kind: 'team', teamId: year3.id, teamName: 'Year 3' });
    await ht.settle();
    const ready = (await api.get<CampaignDashboard>(`/api/campaigns/${res.body.campaign.id}`)).body;
    expect(ready.progress.total).toBe(2);
    expect(ht.connector.rosterCalls('pagedmembers', year3.id)).toHaveLength(1);
  });

  it('refuses a team Countersign was removed from with 400 naming audience.teamId, and a teacher with 403', async () => {
    const api = await apiAs(ht, hannah);
    const removed = await api.post('/api/campaigns', { versionId: v2026, deadline: inDays(21), reminderEveryDays: 7, audience: { kind: 'team', teamId: office.id } });
    expect(removed.status).toBe(400);
    expect(removed.body.field).toBe('audience.teamId');
    const teacher = await apiAs(ht, ben);
    expect((await teacher.post('/api/campaigns', { versionId: v2026, deadline: inDays(21), reminderEveryDays: 7, audience: { kind: 'team', teamId: year3.id } })).status).toBe(403);
  });
});
