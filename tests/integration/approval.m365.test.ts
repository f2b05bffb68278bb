import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoStaff } from '../../src/adapters/demo-school';
import { validForm } from '../support/forms';
import { Harness, people } from '../support/harness';
import { actionsOf, allText } from '../support/validate-card';

/**
 * An approval in the Microsoft 365 mode end to end: the SharePoint store on the local Graph server,
 * Bot Framework auth on both ways, Teams refusing a chat with anyone who has not installed the app.
 * The approvers are whoever holds the roles in the store: here a policy admin has made Jess the
 * Computing/ICT subject leader (Settings), so the first approval goes to her and not to Gareth.
 */
const jess = demoStaff.find((s) => s.name.startsWith('Jess'))!;
const { requester, ictLeader: gareth, headTeacher: priya, policyAdmin: hannah } = people;
const h = new Harness({ m365: {} });
beforeAll(() => h.start(), 60_000);
afterAll(() => h.stop());

const approvalCard = (who: { id: string }, requestId: string) => {
  const card = h.connector.cardsFor(who.id).filter((c) => actionsOf(c).some((a) => a.verb === 'approval.approve' && a.data?.requestId === requestId)).at(-1);
  return { card, data: card && actionsOf(card).find((a) => a.verb === 'approval.approve')!.data };
};

describe('an approval in the Microsoft 365 mode, routed by the roles in the store', () => {
  it('goes to the ICT leader a policy admin assigned, then the head teacher, and lands in the register', async () => {
    const admin = { id: hannah.id, name: hannah.name };
    const viewer = { id: hannah.id, roles: hannah.roles };
    // Gareth hands the role over: taken from him, given to Jess (the one-holder rule wants it in that order).
    expect((await h.app.roles.setRoles(admin, viewer, gareth.id, [])).ok).toBe(true);
    expect((await h.app.roles.setRoles(admin, viewer, jess.id, ['ictLeader'])).ok).toBe(true);

    const submitted = await h.invoke(requester, 'request.submit', validForm());
    expect(submitted.status).toBe(200);
    const requestId = actionsOf(submitted.card).find((a) => a.verb === 'request.withdraw')!.data.requestId as string;
    await h.settle();
    expect(approvalCard(gareth, requestId).card).toBeUndefined();
    const first = approvalCard(jess, requestId);
    expect(first.card, 'Jess, the ICT leader now, gets the first approval card').toBeTruthy();

    // Gareth no longer holds the role: the server refuses him even with the card's data in hand.
    const refused = await h.invoke(gareth, 'approval.approve', { ...first.data, signature: gareth.name, comment: '' });
    expect(allText(refused.card)).toContain(`Only ${jess.name} can decide this step.`);
    expect((await h.app.store.getRequest(requestId))!.value.status).toBe('pending');

    h.graph!.resetStats();
    const one = await h.invoke(jess, 'approval.approve', { ...first.data, signature: jess.name, comment: 'Fine.' });
    expect(one.status).toBe(200);
    // The actor is read afresh on every turn (a role change applies at once), in the same $batch as the request.
    expect(Object.keys(h.graph!.stats.byTarget).filter((k) => k.includes('GET CS_Staff') && k.includes('GET CS_Requests'))).not.toEqual([]);
    await h.settle();
    const second = approvalCard(priya, requestId);
    expect(second.card, 'the head teacher gets the second card').toBeTruthy();
    const two = await h.invoke(priya, 'approval.approve', { ...second.data, signature: priya.name, comment: '' });
    expect(two.status).toBe(200);
    await h.settle();

    expect((await h.app.store.getRequest(requestId))!.value.status).toBe('approved');
    expect((await h.app.store.listAccounts()).some((a) => a.requestId === requestId)).toBe(true);
    const audit = await h.app.store.listAudit(requestId);
    expect(audit.map((a) => [a.action, a.actorName])).toEqual([
      ['request.submit', requester.name],
      ['approval.approve', jess.name],
      ['approval.approve', priya.name],
    ]);
  }, 120_000);
});
