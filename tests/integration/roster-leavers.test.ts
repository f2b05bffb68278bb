import { describe, expect, it } from 'vitest';
import { demoPeople, demoStaff } from '../../src/adapters/demo-school';
import { demoPolicyVersions } from '../../src/adapters/demo-policy';
import type { RegisterAccount } from '../../src/contract/register';
import type { StaffMember } from '../../src/domain/people';
import { validForm } from '../support/forms';
import { appOn, STORES } from '../support/on-each-store';
import { apiAs } from '../support/tab-api';
import { actionsOf, allText } from '../support/validate-card';

/**
 * People who leave the staff group: the roster sync marks them left (here through the roster service,
 * as the Graph sync and the CSV import do), and everything a user would notice follows.
 */
describe.each(STORES)('people who leave the staff list, on %s', (store) => {
  const h = appOn(store);
  const named = (first: string) => demoStaff.find((s) => s.name.startsWith(first))!;
  const as = (p: StaffMember) => ({ id: p.id, name: p.name, staff: p });
  const { requester: ben, ictLeader: gareth, headTeacher: priya, deputy: tom, policyAdmin: hannah } = demoPeople;
  const leaves = (p: StaffMember) => h.app.roster.apply({ kind: 'delta', upserts: [], removed: [p.id] }, { markUnlistedLeft: false });
  const cardsTo = (userId: string) => h.connector.cardsFor(userId);
  // Amira leaves in the first test: later requests name people who are still staff (a leaver cannot be named).
  const admins = () => ({ administrators: `${ben.id},${named('Jess').id}` });

  it('a leaving administrator puts a handover warning on their accounts in the register', async () => {
    const amira = named('Amira');
    const submitted = await h.app.requests.submit(as(ben), validForm({ platform: 'Facebook' }));
    if (!submitted.ok) throw new Error(JSON.stringify(submitted.error));
    const r = submitted.value;
    expect((await h.app.requests.decide(as(gareth), 'approve', { requestId: r.id, step: 0, round: 1, signature: gareth.name, comment: '' })).ok).toBe(true);
    expect((await h.app.requests.decide(as(priya), 'approve', { requestId: r.id, step: 1, round: 1, signature: priya.name, comment: '' })).ok).toBe(true);
    const register = async () => ((await (await apiAs(h, gareth)).get(`/api/register?q=${encodeURIComponent(r.reference)}`)).body.items as RegisterAccount[]).find((a) => a.reference === r.reference)!;
    expect((await register()).warnings.map((w) => w.kind)).not.toContain('staffLeft');

    const plan = await leaves(amira);
    expect(plan.left.map((l) => l.before.id)).toEqual([amira.id]);
    const after = await register();
    expect(after.warnings[0]).toEqual({ kind: 'staffLeft', message: `${amira.name} (administrator) has left the school: hand their part over to someone who is staying.` });
    expect(after.warnings.map((w) => w.kind)).toContain('fewAdministrators');
    expect(after.left).toEqual([amira.id]);
    // Someone who has left cannot be the one it is handed over to.
    const res = await (await apiAs(h, gareth)).post(`/api/register/${after.id}/handover`, { etag: after.etag, fromId: ben.id, toId: amira.id });
    expect(res.status).toBe(400);
  });

  it("a leaving approver's open step goes to the deputy head, with a card, a note to the requester and an audit entry", async () => {
    const submitted = await h.app.requests.submit(as(ben), validForm({ platform: 'Instagram', ...admins() }));
    if (!submitted.ok) throw new Error(JSON.stringify(submitted.error));
    const r = submitted.value;
    await h.settle();
    expect(r.steps[0]).toMatchObject({ approverId: gareth.id, delegated: false });
    await h.say(tom, 'help'); // Tom has the app open in Teams, so his cards arrive in his chat
    const tomBefore = cardsTo(tom.id).length;

    await leaves(gareth);
    await h.settle();

    const now = await h.app.requests.view({ id: priya.id, roles: ['headTeacher'] }, r.id);
    if (!now.ok) throw new Error(now.error.message);
    expect(now.value.steps[0]).toMatchObject({ approverId: tom.id, approverName: tom.name, delegated: true });
    expect(now.value.status).toBe('pending');
    // The deputy is asked with a card from the queue, and can decide.
    const toTom = cardsTo(tom.id).slice(tomBefore);
    expect(toTom.some((c) => actionsOf(c).some((a) => a.verb === 'approval.approve' && a.data?.requestId === r.id))).toBe(true);
    const history = await h.app.requests.history({ id: priya.id, roles: ['headTeacher'] }, r.id);
    expect(history.ok && history.value.audit.map((a) => a.action)).toContain('approval.approver-left');
    const decided = await h.app.requests.decide(as(tom), 'approve', { requestId: r.id, step: 0, round: 1, signature: tom.name, comment: '' });
    expect(decided.ok).toBe(true);
    // A new request no longer routes to the leaver either: the step goes to the deputy.
    const next = await h.app.requests.submit(as(named('Chloe')), validForm({ platform: 'X', ...admins() }));
    expect(next.ok && next.value.steps[0]!.approverId).toBe(tom.id);
  });

  it('a leaver is no longer staff: the tab API answers 403 AUTH.NOT_STAFF and the bot says so', async () => {
    const daniel = named('Daniel');
    const api = await apiAs(h, daniel);
    expect((await api.get('/api/me')).status).toBe(200);
    await leaves(daniel);
    const res = await api.get('/api/me');
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('AUTH.NOT_STAFF');
    const replies = await h.say(daniel, 'status');
    expect(replies.map(allText).join(' ')).toMatch(/not in the school's staff directory/);
  });

  it('a leaver is in no campaign audience, and comes back when listed again', async () => {
    const esther = named('Esther');
    await leaves(esther);
    const api = await apiAs(h, hannah);
    const res = await api.post('/api/campaigns', { versionId: demoPolicyVersions[1]!.id, deadline: new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10), reminderEveryDays: 7, audience: { kind: 'departments', departments: ['Early Years'] } });
    expect(res.status).toBe(201);
    await h.settle();
    const dash = await api.get(`/api/campaigns/${res.body.campaign.id}`);
    // Early Years is Esther and Farid: only Farid remains.
    expect(dash.body.progress.total).toBe(1);

    const { roles: _r, ...record } = esther;
    const back = await h.app.roster.apply({ kind: 'delta', upserts: [record], removed: [] }, { markUnlistedLeft: false });
    expect(back.rejoined.map((x) => x.before.id)).toEqual([esther.id]);
    expect((await (await apiAs(h, esther)).get('/api/me')).status).toBe(200);
  });
});
