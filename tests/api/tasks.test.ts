import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPeople, demoStaff } from '../../src/adapters/demo-school';
import { validForm } from '../support/forms';
import { Harness } from '../support/harness';
import { apiAs } from '../support/tab-api';
import { actionsOf, allText, cardProblems, verbsOf } from '../support/validate-card';

const { requester, ictLeader, headTeacher, policyAdmin } = demoPeople;
const stranger = demoStaff.find((s) => s.name.startsWith('Chloe'))!;

const h = new Harness();
beforeAll(() => h.start());
afterAll(() => h.stop());

/** Submits a request in chat, as the requester does, and returns its id. */
async function submit(overrides: Record<string, string> = {}) {
  const res = await h.invoke(requester, 'request.submit', validForm(overrides));
  expect(res.status).toBe(200);
  const id = actionsOf(res.card).find((a) => a.verb === 'request.withdraw')?.data.requestId as string;
  expect(id, allText(res.card)).toBeTruthy();
  await h.idle();
  return id;
}

/** The data the card's Approve button carries (step and round), from the card the tab shows. */
const approveData = (card: object) => actionsOf(card).find((a) => a.verb === 'approval.approve')!.data as { requestId: string; step: number; round: number };

describe('GET /api/tasks', () => {
  it('gives me the declarations I still have to sign, my requests and where each one is, and the approvals waiting for me as the bot’s card', async () => {
    const id = await submit();
    const mine = await (await apiAs(h, requester)).get('/api/tasks');
    expect(mine.status).toBe(200);
    expect(mine.body.declarations.length).toBeGreaterThan(0);
    expect(mine.body.declarations[0]).toEqual({ versionId: expect.any(String), policyId: expect.any(String), title: expect.any(String), versionLabel: expect.any(String), effectiveDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    const row = mine.body.requests.find((r: { id: string }) => r.id === id);
    expect(row.status).toBe('pending');
    expect(row.statusLine).toMatch(/Waiting for Gareth Lloyd \(Computing\/ICT subject leader\), step 1 of 2/);
    expect(row.waitingFor).toMatchObject({ step: 1, of: 2, approverId: ictLeader.id, approverName: 'Gareth Lloyd' });
    expect(mine.body.approvals).toEqual([]);

    const approver = await (await apiAs(h, ictLeader)).get('/api/tasks');
    const waiting = approver.body.approvals.find((a: { request: { id: string } }) => a.request.id === id);
    expect(cardProblems(waiting.card)).toEqual([]);
    expect(verbsOf(waiting.card)).toEqual(['approval.approve', 'approval.return', 'approval.reject']);
    // The same card the bot sent the approver in chat, from the same builder (the bot's copy carries its refresh).
    const sent = h.connector.cardsFor(ictLeader.id).filter((c) => actionsOf(c).some((a) => a.data?.requestId === id && a.verb === 'approval.approve')).at(-1);
    expect(allText(waiting.card)).toBe(allText(sent));
    expect(approveData(waiting.card)).toEqual(approveData(sent));
  });
});

describe('POST /api/requests/:id/decision', () => {
  it('moves the request on exactly as the chat does: the head teacher gets their card; a second decision on the step is 409 naming who decided', async () => {
    const id = await submit();
    const gareth = await apiAs(h, ictLeader);
    const card = (await gareth.get('/api/tasks')).body.approvals.find((a: { request: { id: string } }) => a.request.id === id).card;
    const { step, round } = approveData(card);
    const before = h.connector.cardsFor(headTeacher.id).length;

    const res = await gareth.post(`/api/requests/${id}/decision`, { verb: 'approval.approve', step, round, signature: 'Gareth Lloyd', comment: 'Good plan.' });
    expect(res.status).toBe(200);
    expect(res.body.message).toMatch(/^Approved by Gareth Lloyd at /);
    expect(res.body.request.waitingFor).toMatchObject({ step: 2, approverId: headTeacher.id });
    expect(allText(res.body.card)).toMatch(/Approved by Gareth Lloyd at/);
    expect(verbsOf(res.body.card)).not.toContain('approval.approve');

    await h.idle();
    const toHead = h.connector.cardsFor(headTeacher.id).slice(before).find((c) => actionsOf(c).some((a) => a.verb === 'approval.approve' && a.data?.requestId === id));
    expect(toHead, 'the head teacher was sent the approval card').toBeTruthy();
    expect(approveData(toHead).step).toBe(1);
    const decisions = await h.app.store.listDecisions(id);
    expect(decisions.map((d) => [d.actorId, d.signature, d.comment, d.outcome])).toEqual([[ictLeader.id, 'Gareth Lloyd', 'Good plan.', 'approved']]);

    const again = await gareth.post(`/api/requests/${id}/decision`, { verb: 'approval.reject', step, round, signature: 'Gareth Lloyd', comment: 'Changed my mind.' });
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/Already decided by Gareth Lloyd \(approved\)/);
  });

  it('refuses with 400 naming the field: no signature, a wrong verb, no step; nothing changes', async () => {
    const id = await submit();
    const gareth = await apiAs(h, ictLeader);
    const noSignature = await gareth.post(`/api/requests/${id}/decision`, { verb: 'approval.approve', step: 0, round: 1, signature: '', comment: '' });
    expect(noSignature.status).toBe(400);
    expect(noSignature.body.field).toBe('signature');
    const noReason = await gareth.post(`/api/requests/${id}/decision`, { verb: 'approval.reject', step: 0, round: 1, signature: 'Gareth Lloyd', comment: '' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.field).toBe('comment');
    const badVerb = await gareth.post(`/api/requests/${id}/decision`, { verb: 'approval.shrug', step: 0, round: 1, signature: 'Gareth Lloyd' });
    expect(badVerb.status).toBe(400);
    expect(badVerb.body.field).toBe('verb');
    const noStep = await gareth.post(`/api/requests/${id}/decision`, { verb: 'approval.approve', round: 1, signature: 'Gareth Lloyd' });
    expect(noStep.status).toBe(400);
    expect(noStep.body.field).toBe('step');
    const long = await gareth.post(`/api/requests/${id}/decision`, { verb: 'approval.approve', step: 0, round: 1, signature: 'x'.repeat(201) });
    expect(long.status).toBe(400);
    expect(long.body.field).toBe('signature');
    // Not text: the message says what to give, not just "text".
    const numbers = await gareth.post(`/api/requests/${id}/decision`, { verb: 'approval.reject', step: 0, round: 1, signature: 42, comment: '' });
    expect([numbers.status, numbers.body.field, numbers.body.message]).toEqual([400, 'signature', 'signature: type your name as text']);
    const commentNumber = await gareth.post(`/api/requests/${id}/decision`, { verb: 'approval.reject', step: 0, round: 1, signature: 'Gareth Lloyd', comment: 7 });
    expect([commentNumber.status, commentNumber.body.field, commentNumber.body.message]).toEqual([400, 'comment', 'comment: write the comment as text']);
    expect((await h.app.store.getRequest(id))!.value.status).toBe('pending');
    expect(await h.app.store.listDecisions(id)).toEqual([]);
  });

  it('refuses with 403 someone whose step it is not (the requester, a stranger), and 404 an unknown request', async () => {
    const id = await submit();
    const own = await (await apiAs(h, requester)).post(`/api/requests/${id}/decision`, { verb: 'approval.approve', step: 0, round: 1, signature: requester.name });
    expect(own.status).toBe(403);
    expect(own.body.message).toMatch(/your own request/);
    const other = await (await apiAs(h, stranger)).post(`/api/requests/${id}/decision`, { verb: 'approval.approve', step: 0, round: 1, signature: stranger.name });
    expect(other.status).toBe(403);
    expect(other.body.message).toMatch(/Only Gareth Lloyd can decide this step/);
    const missing = await (await apiAs(h, ictLeader)).post('/api/requests/no-such-request/decision', { verb: 'approval.approve', step: 0, round: 1, signature: 'Gareth Lloyd' });
    expect(missing.status).toBe(404);
  });
});

describe('POST /api/requests/:id/withdraw', () => {
  it('lets the requester withdraw their pending request; anyone else gets 403, an unknown id 404', async () => {
    const id = await submit();
    const other = await (await apiAs(h, ictLeader)).post(`/api/requests/${id}/withdraw`);
    expect(other.status).toBe(403);
    const me = await apiAs(h, requester);
    const res = await me.post(`/api/requests/${id}/withdraw`);
    expect(res.status).toBe(200);
    expect(res.body.request.status).toBe('withdrawn');
    expect(verbsOf(res.body.card)).not.toContain('request.withdraw');
    const again = await me.post(`/api/requests/${id}/withdraw`);
    expect(again.status).toBe(409);
    expect((await me.post('/api/requests/nope/withdraw')).status).toBe(404);
    const bad = await me.post(`/api/requests/${'x'.repeat(101)}/withdraw`);
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('id');
  });
});

describe('GET /api/requests/:id', () => {
  it('shows the requester, the approvers and those who oversee every answer with the card’s labels and the timeline of signatures; others get 403, an unknown id 404', async () => {
    const id = await submit();
    await (await apiAs(h, ictLeader)).post(`/api/requests/${id}/decision`, { verb: 'approval.return', step: 0, round: 1, signature: 'Gareth Lloyd', comment: 'Say who approves followers.' });
    const res = await (await apiAs(h, requester)).get(`/api/requests/${id}`);
    expect(res.status).toBe(200);
    expect(res.body.request.status).toBe('returned');
    const sections = res.body.answers.map((s: { title: string }) => s.title);
    expect(sections).toEqual(['Team', 'Purpose', 'Audience and contributors', 'Running the account', 'Dates', 'Contributors and safety', 'Business case']);
    const purpose = res.body.answers.find((s: { title: string }) => s.title === 'Purpose');
    expect(purpose.items[0]).toEqual({ label: 'Aims', value: validForm().aims });
    expect(res.body.timeline.map((t: { kind: string }) => t.kind)).toEqual(['submitted', 'returned']);
    expect(res.body.timeline[1]).toMatchObject({ actorName: 'Gareth Lloyd', signature: 'Gareth Lloyd', comment: 'Say who approves followers.', step: 1, round: 1, roleLabel: 'Computing/ICT subject leader' });
    expect(Date.parse(res.body.timeline[1].at)).not.toBeNaN();
    expect(res.body.allowed).toEqual({ decide: false, withdraw: true });
    expect(cardProblems(res.body.card)).toEqual([]);

    expect((await (await apiAs(h, ictLeader)).get(`/api/requests/${id}`)).status).toBe(200);
    expect((await (await apiAs(h, policyAdmin)).get(`/api/requests/${id}`)).status).toBe(200);
    const other = await (await apiAs(h, stranger)).get(`/api/requests/${id}`);
    expect(other.status).toBe(403);
    expect(other.body.message).toMatch(/not yours to see/);
    expect((await (await apiAs(h, policyAdmin)).get('/api/requests/no-such-request')).status).toBe(404);
  });
});

describe('declarations: GET /api/declarations/:versionId and POST …/sign', () => {
  it('shows the declaration card and signs it with the chat’s rules and words: 400 naming the field, then signed, then no longer outstanding', async () => {
    const me = await apiAs(h, stranger);
    const [todo] = (await me.get('/api/tasks')).body.declarations;
    const view = await me.get(`/api/declarations/${todo.versionId}`);
    expect(view.status).toBe(200);
    expect(view.body.signed).toBe(false);
    expect(verbsOf(view.body.card)).toContain('declaration.sign');
    expect(cardProblems(view.body.card)).toEqual([]);

    const unticked = await me.post(`/api/declarations/${todo.versionId}/sign`, { typedName: stranger.name, confirm: false });
    expect(unticked.status).toBe(400);
    expect(unticked.body.field).toBe('confirm');
    // The policy may ask that the full text is opened first: open it with the card's own link.
    const link = actionsOf(view.body.card).find((a) => a.type === 'Action.OpenUrl').url as string;
    const u = new URL(link);
    expect((await fetch(`${h.baseUrl}${u.pathname}${u.search}`, { redirect: 'manual' })).status).toBeLessThan(400);
    const wrongName = await me.post(`/api/declarations/${todo.versionId}/sign`, { typedName: 'Somebody Else', confirm: true });
    expect(wrongName.status).toBe(400);
    expect(wrongName.body.field).toBe('typedName');
    expect(wrongName.body.message).toMatch(/does not match the name we hold for you/);
    const notBool = await me.post(`/api/declarations/${todo.versionId}/sign`, { typedName: stranger.name, confirm: 'yes' });
    expect(notBool.status).toBe(400);
    expect(notBool.body.field).toBe('confirm');
    const nameNumber = await me.post(`/api/declarations/${todo.versionId}/sign`, { typedName: 0, confirm: true });
    expect([nameNumber.status, nameNumber.body.message]).toEqual([400, 'typedName: type your name as text']);

    const signed = await me.post(`/api/declarations/${todo.versionId}/sign`, { typedName: stranger.name, confirm: true });
    expect(signed.status).toBe(200);
    expect(signed.body.message).toMatch(/^Signed on /);
    expect(allText(signed.body.card)).toMatch(new RegExp(`Signed by ${stranger.name}`));
    const twice = await me.post(`/api/declarations/${todo.versionId}/sign`, { typedName: stranger.name, confirm: true });
    expect(twice.status).toBe(200);
    expect(twice.body.message).toMatch(/^Already signed/);
    expect((await me.get('/api/tasks')).body.declarations.map((d: { versionId: string }) => d.versionId)).not.toContain(todo.versionId);
    expect((await me.get('/api/declarations/no-such-version')).status).toBe(404);
    expect((await me.post('/api/declarations/no-such-version/sign', { typedName: stranger.name, confirm: true })).status).toBe(404);
  });
});
