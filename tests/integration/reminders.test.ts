import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { demoPolicyVersions } from '../../src/adapters/demo-policy';
import { demoStaff } from '../../src/adapters/demo-school';
import { validForm } from '../support/forms';
import { Harness, ManualClock, people } from '../support/harness';
import { actionsOf, allText } from '../support/validate-card';

const DAY = 86_400_000;
// A Monday morning, so school days are easy to count.
const clock = new ManualClock(Date.parse('2026-11-23T09:00:00Z'));
const h = new Harness({ clock, env: { APPROVAL_REMIND_SCHOOL_DAYS: '3', APPROVAL_ESCALATE_SCHOOL_DAYS: '2' } });
beforeAll(() => h.start());
afterAll(() => h.stop());

const { requester: ben, ictLeader: gareth, deputy: tom, headTeacher: priya, policyAdmin: hannah } = people;
const chloe = demoStaff.find((s) => s.name.startsWith('Chloe'))!;

async function advance(ms: number) {
  clock.advance(ms);
  await h.settle();
}

describe('approval reminders and escalation', () => {
  test('a step left waiting reminds its approver after 3 school days, then goes to the deputy after 2 more', async () => {
    const res = await h.invoke(ben, 'request.submit', validForm({ goLive: '2027-01-10', closure: '2027-07-20' }));
    const requestId = actionsOf(res.card).find((a) => a.verb === 'request.withdraw').data.requestId;
    await h.settle();
    const garethCards = () => h.connector.cardsFor(gareth.id).filter((c) => actionsOf(c).some((a) => a.data?.requestId === requestId));
    expect(garethCards()).toHaveLength(1);

    await advance(2 * DAY); // Wednesday: only 2 school days
    expect(garethCards()).toHaveLength(1);
    await advance(1 * DAY + 60_000); // Thursday: 3 school days
    expect(garethCards()).toHaveLength(2);
    expect(allText(garethCards()[1])).toMatch(/Reminder: this request is still waiting for your decision/);

    await advance(2 * DAY); // Saturday: weekends do not count
    expect((await h.app.store.getRequest(requestId))!.value.steps[0].approverId).toBe(gareth.id);
    await advance(2 * DAY); // Monday: 2 school days after the reminder
    const r = (await h.app.store.getRequest(requestId))!.value;
    expect([r.steps[0].approverId, r.steps[0].delegated]).toEqual([tom.id, true]);
    expect((await h.app.store.listAudit(requestId)).map((a) => a.action)).toContain('approval.escalate');
    const tomsCard = h.connector.cardsFor(tom.id).find((c) => actionsOf(c).some((a) => a.verb === 'approval.approve' && a.data.requestId === requestId))!;
    expect(tomsCard).toBeTruthy();

    // The deputy decides; Gareth's old buttons no longer work.
    const data = actionsOf(tomsCard).find((a) => a.verb === 'approval.approve').data;
    const late = await h.invoke(gareth, 'approval.approve', { ...data, signature: gareth.name });
    expect(allText(late.card)).toMatch(/Only Tom Okafor can decide this step/);
    const ok = await h.invoke(tom, 'approval.approve', { ...data, signature: tom.name });
    expect(allText(ok.card)).toMatch(/Approved by Tom Okafor/);
    await h.settle();
    const p = h.connector.cardsFor(priya.id).find((c) => actionsOf(c).some((a) => a.verb === 'approval.approve' && a.data.requestId === requestId))!;
    await h.invoke(priya, 'approval.approve', { ...actionsOf(p).find((a) => a.verb === 'approval.approve').data, signature: priya.name });
    await h.settle();
    expect((await h.app.store.getRequest(requestId))!.value.status).toBe('approved');
  });

  test('administrators hear 14 days before closure, and the ICT leader gets an annual review', async () => {
    const admins = validForm().administrators.split(',');
    const closing = () => admins.map((id) => h.connector.cardsFor(id).filter((c) => /Account closing soon/.test(allText(c))).length);
    expect(closing()).toEqual([0, 0]);
    clock.set(new Date('2027-07-06T09:00:00Z')); // 14 days before 2027-07-20
    await h.settle();
    expect(closing()).toEqual([1, 1]);
    expect(h.connector.cardsFor(gareth.id).filter((c) => /Annual review due/.test(allText(c)))).toHaveLength(0);
    clock.set(new Date('2027-12-01T09:00:00Z'));
    await h.settle();
    expect(h.connector.cardsFor(gareth.id).filter((c) => /Annual review due/.test(allText(c)))).toHaveLength(1);
  });
});

describe('campaign reminders', () => {
  test('reminders go only to those who have not signed, update the card in place, add new joiners, and stop at the deadline', async () => {
    clock.set(new Date('2028-01-10T09:00:00Z'));
    const v = demoPolicyVersions[1].id;
    const res = await h.invoke(hannah, 'campaign.launch', { versionId: v, deadline: '2028-01-25', reminderEveryDays: '7' });
    expect(allText(res.card)).toMatch(/Launched\. Preparing the audience/);
    await h.settle();
    const [campaign] = await h.app.store.campaigns.listCampaigns();
    expect((await h.app.store.campaigns.countRecipients(campaign.id)).reduce((n, c) => n + c.count, 0)).toBe(14);

    // Chloe signs (after opening the policy, which this version asks for).
    await h.app.declarations.recordOpen(chloe.id, v);
    await h.invoke(chloe, 'declaration.sign', { versionId: v, campaignId: campaign.id, confirm: 'true', typedName: chloe.name });
    // A new member of staff joins during the campaign.
    const newJoiner = { id: '30000000-0000-4000-8000-000000000001', schoolId: chloe.schoolId, name: 'Nadia Okoro', email: 'n.okoro@larkfield.example', department: 'Key Stage 1', jobTitle: 'Teacher', roles: [] as never[] };
    await h.app.store.upsertStaff([newJoiner]);

    const updatesTo = (id: string) => h.connector.calls.filter((c) => c.kind === 'update' && h.connector.owners.get(c.conversationId) === id && /Reminder: please sign by/.test(allText(c.activity.attachments[0].content)));
    await advance(7 * DAY + 60_000);
    expect(updatesTo(chloe.id)).toHaveLength(0);
    expect(updatesTo(ben.id)).toHaveLength(1);
    expect((await h.app.store.campaigns.getRecipient(campaign.id, ben.id))!.value.remindersSent).toBe(1);
    expect(h.connector.cardsFor(newJoiner.id).filter((c) => actionsOf(c).some((a) => a.data?.campaignId === campaign.id))).toHaveLength(1);

    await advance(7 * DAY); // 2028-01-24: the second reminder, still before the deadline
    expect(updatesTo(ben.id)).toHaveLength(2);
    await advance(7 * DAY); // past the deadline: no more
    expect(updatesTo(ben.id)).toHaveLength(2);
    const [status] = await h.say(hannah, 'campaign status');
    expect(allText(status)).toMatch(/Closed \(deadline passed\)/);
  });
});
