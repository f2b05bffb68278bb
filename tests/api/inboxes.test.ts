import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validForm } from '../support/forms';
import { Harness, people } from '../support/harness';
import { m365Env } from '../support/m365-env';
import { apiAs } from '../support/tab-api';
import { actionsOf, allText } from '../support/validate-card';

const { requester: ben, ictLeader: gareth, headTeacher: priya } = people;

describe('Demo inboxes API (embedded mode)', () => {
  const h = new Harness();
  beforeAll(() => h.start());
  afterAll(() => h.stop());

  it("shows the ICT leader's approval card in his inbox, and its Approve button decides as him: the head teacher gets the next card", async () => {
    const submitted = await h.invoke(ben, 'request.submit', validForm());
    expect(submitted.status).toBe(200);
    await h.settle();
    // Anyone signed in to the demo may look at anyone's inbox: that is the point of the page.
    const api = await apiAs(h, ben);
    const people = await api.get('/api/inboxes');
    expect(people.status).toBe(200);
    expect(people.body.find((p: { id: string }) => p.id === gareth.id).cards).toBeGreaterThan(0);
    const inbox = await api.get(`/api/inboxes/${gareth.id}`);
    expect(inbox.status).toBe(200);
    const approval = inbox.body.cards.find((c: { kind: string }) => c.kind === 'approval');
    expect(approval).toBeTruthy();
    const approve = actionsOf(approval.card).find((a: any) => a.verb === 'approval.approve');
    expect(approve).toBeTruthy();

    const answer = await api.post(`/api/inboxes/${gareth.id}/cards/${approval.id}/action`, { verb: 'approval.approve', data: { ...approve.data, signature: gareth.name, comment: '' } });
    expect(answer.status).toBe(200);
    expect(allText(answer.body.card)).toMatch(/approved/i);
    await h.settle();
    const head = await api.get(`/api/inboxes/${priya.id}`);
    expect(head.body.cards.some((c: { kind: string }) => c.kind === 'approval')).toBe(true);
    // The pressed card is replaced in the inbox, as in a Teams chat: no buttons to decide again.
    const after = await api.get(`/api/inboxes/${gareth.id}`);
    const pressed = after.body.cards.find((c: { id: string }) => c.id === approval.id).card;
    expect(actionsOf(pressed).some((a: any) => a.verb === 'approval.approve')).toBe(false);
  });

  it('a wrong signature comes back as the same card with the message; nothing is decided', async () => {
    await h.invoke(ben, 'request.submit', validForm({ platform: 'Facebook' }));
    await h.settle();
    const api = await apiAs(h, priya);
    const inbox = await api.get(`/api/inboxes/${gareth.id}`);
    const approval = inbox.body.cards.find((c: { kind: string; card: object }) => c.kind === 'approval' && allText(c.card).includes('Facebook'));
    const approve = actionsOf(approval.card).find((a: any) => a.verb === 'approval.approve');
    const answer = await api.post(`/api/inboxes/${gareth.id}/cards/${approval.id}/action`, { verb: 'approval.approve', data: { ...approve.data, signature: 'Someone Else' } });
    expect(answer.status).toBe(200);
    expect(allText(answer.body.card)).toMatch(/Please fix/);
    expect(actionsOf(answer.body.card).some((a: any) => a.verb === 'approval.approve')).toBe(true);
  });

  it('answers bad input with 400 naming the field and unknown people or cards with 404', async () => {
    const api = await apiAs(h, ben);
    const noVerb = await api.post(`/api/inboxes/${gareth.id}/cards/1/action`, { data: {} });
    expect(noVerb.status).toBe(400);
    expect(noVerb.body.field).toBe('verb');
    const badCard = await api.post(`/api/inboxes/${gareth.id}/cards/abc/action`, { verb: 'refresh' });
    expect(badCard.status).toBe(400);
    expect(badCard.body.field).toBe('cardId');
    expect((await api.get('/api/inboxes/nobody')).status).toBe(404);
    expect((await api.post(`/api/inboxes/${gareth.id}/cards/999999/action`, { verb: 'refresh' })).status).toBe(404);
  });
});

describe('Demo inboxes do not exist outside the embedded mode', () => {
  const h = new Harness({ env: m365Env });
  it('the Microsoft 365 mode has no dev sign-in and no inboxes', async () => {
    await h.start().catch((e) => {
      throw new Error(`m365 harness did not start: ${e.message}`);
    });
    try {
      const res = await fetch(`${h.baseUrl}/api/dev/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ personId: ben.id }) });
      expect(res.status).toBe(401);
      expect((await fetch(`${h.baseUrl}/api/inboxes`)).status).toBe(401);
    } finally {
      await h.stop();
    }
  });
});

describe('Demo inboxes without the Playground', () => {
  const h = new Harness();
  beforeAll(() => h.start());
  afterAll(() => h.stop());

  it('a campaign launched from the tab before any chat client has written still reaches each person’s demo inbox', async () => {
    const api = await apiAs(h, people.policyAdmin);
    const options = await api.get('/api/campaigns/options');
    const launched = await api.post('/api/campaigns', {
      versionId: options.body.versions[0].id,
      deadline: new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10),
      reminderEveryDays: 7,
      audience: { kind: 'departments', departments: ['Key Stage 1'] },
    });
    expect(launched.status).toBe(201);
    await h.settle();
    const chloe = (await api.get('/api/inboxes')).body.find((p: { name: string }) => p.name.startsWith('Chloe'));
    const inbox = await api.get(`/api/inboxes/${chloe.id}`);
    expect(inbox.body.cards.map((c: { kind: string }) => c.kind)).toEqual(['declaration']);
    expect(h.logs.some((l) => /kept in their demo inbox \(no chat client has connected yet\)/.test(l))).toBe(true);
  });
});
