import { describe, expect, test } from 'vitest';
import { demoStaff } from '../../src/adapters/demo-school';
import { validForm } from '../support/forms';
import { people } from '../support/harness';
import { appOn, STORES } from '../support/on-each-store';
import { actionsOf, allText, cardProblems, inputValues, textBlocks, verbsOf } from '../support/validate-card';

const { requester, ictLeader, headTeacher, deputy } = people;
const stranger = demoStaff.find((s) => s.name.startsWith('Chloe'))!;
const amira = demoStaff.find((s) => s.name.startsWith('Amira'))!;
const ben = demoStaff.find((s) => s.name.startsWith('Ben'))!;

// The same outcomes on both stores: SQLite, and SharePoint on the local Graph server with 20% of requests throttled (429).
describe.each(STORES)('%s store', (store) => {
  const h = appOn(store);

  /** Submits a valid request as `who` and returns its id, from the Withdraw button's data. */
  async function submit(who = requester, overrides: Record<string, string> = {}) {
    const res = await h.invoke(who, 'request.submit', validForm(overrides));
    expect(res.status).toBe(200);
    const withdraw = actionsOf(res.card).find((a) => a.verb === 'request.withdraw');
    expect(withdraw, allText(res.card)).toBeTruthy();
    await h.idle();
    return { id: withdraw.data.requestId as string, card: res.card };
  }

  /** The newest card delivered to `who` for this request, and the data its Approve button carries. */
  function latestApprovalCard(who: { id: string }, requestId: string) {
    const cards = h.connector.cardsFor(who.id).filter((c) => actionsOf(c).some((a) => a.data?.requestId === requestId && a.verb === 'approval.approve'));
    const card = cards.at(-1);
    return { card, data: card && actionsOf(card).find((a) => a.verb === 'approval.approve')?.data };
  }

  const getRequest = async (id: string) => (await h.app.store.getRequest(id))!.value;

  describe('text commands', () => {
    test('help, request and status answer with their cards; unknown text gets the help card', async () => {
      const [help] = await h.say(requester, 'help');
      expect(verbsOf(help)).toEqual(expect.arrayContaining(['request.new', 'status.show']));
      const [form] = await h.say(requester, 'request');
      expect(Object.keys(inputValues(form))).toEqual(expect.arrayContaining(['department', 'aims', 'administrators', 'moderators', 'goLive', 'closure', 'promotion', 'successMeasures']));
      expect(verbsOf(form)).toContain('request.submit');
      const [status] = await h.say(requester, 'status');
      expect(allText(status)).toMatch(/Your requests|Your decisions and requests/);
      const [unknown] = await h.say(requester, 'what is the wifi password');
      expect(allText(unknown)).toMatch(/didn't understand/);
      expect(verbsOf(unknown)).toContain('request.new');
    });
  });

  describe('the happy path through both approvers', () => {
    test('submit → ICT leader approves → head teacher approves → register, requester and administrators told', async () => {
      const { id, card } = await submit();
      expect(allText(card)).toMatch(/Waiting for Gareth Lloyd/);

      // The ICT leader never wrote to the bot: the bot opens the chat through the connector.
      expect(h.connector.calls.some((c) => c.kind === 'create' && c.memberId === ictLeader.id)).toBe(true);
      const step1 = latestApprovalCard(ictLeader, id);
      expect(step1.card.refresh.userIds).toContain(ictLeader.id);
      expect(verbsOf(step1.card)).toEqual(['approval.approve', 'approval.return', 'approval.reject']);

      const approved1 = await h.invoke(ictLeader, 'approval.approve', { ...step1.data, signature: 'Gareth Lloyd', comment: 'Good plan.' });
      expect(allText(approved1.card)).toMatch(/Approved by Gareth Lloyd at/);
      expect(verbsOf(approved1.card)).not.toContain('approval.approve');
      await h.idle();

      const step2 = latestApprovalCard(headTeacher, id);
      expect(step2.data.step).toBe(1);
      const approved2 = await h.invoke(headTeacher, 'approval.approve', { ...step2.data, signature: 'Priya Raman', comment: '' });
      expect(allText(approved2.card)).toMatch(/Approved by Priya Raman at/);
      await h.idle();

      const r = await getRequest(id);
      expect(r.status).toBe('approved');
      const decisions = await h.app.store.listDecisions(id);
      expect(decisions.map((d) => [d.actorId, d.signature, d.outcome])).toEqual([
        [ictLeader.id, 'Gareth Lloyd', 'approved'],
        [headTeacher.id, 'Priya Raman', 'approved'],
      ]);
      expect(decisions.every((d) => !Number.isNaN(Date.parse(d.at)))).toBe(true);

      const [account] = (await h.app.store.listAccounts()).filter((a) => a.requestId === id);
      expect(account.administrators.map((a) => a.id)).toEqual([amira.id, ben.id]);
      expect(account.platform).toBe('Instagram');
      expect(account.goLive).toBe(validForm().goLive);

      expect(h.connector.cardsFor(requester.id).some((c) => /Approved by Priya Raman/.test(allText(c)))).toBe(true);
      for (const admin of [amira, ben]) {
        const told = h.connector.cardsFor(admin.id).find((c) => /You can now create the account/.test(allText(c)));
        expect(told, `${admin.name} told`).toBeTruthy();
        const text = allText(told);
        expect(text).toMatch(/logo/);
        expect(text).toMatch(/school e-mail address/);
        expect(text).toMatch(/privacy settings/);
        expect(text).toMatch(/network manager \(Gareth Lloyd\) before go-live/);
        expect(inputValues(told)).toEqual({});
      }

      const audit = await h.app.store.listAudit(id);
      expect(audit.map((a) => a.action)).toEqual(['request.submit', 'approval.approve', 'approval.approve']);
      expect(audit.map((a) => a.actorId)).toEqual([requester.id, ictLeader.id, headTeacher.id]);
      expect(JSON.parse(audit[2].before!).status).toBe('pending');
      expect(JSON.parse(audit[2].after!).status).toBe('approved');
    });

    test('a second card to the same approver reuses the stored conversation', async () => {
      const creates = () => h.connector.calls.filter((c) => c.kind === 'create' && c.memberId === ictLeader.id).length;
      const before = creates();
      await submit();
      expect(creates()).toBe(before);
      expect(before).toBe(1);
    });
  });

  describe('reject, return and resubmit, withdraw', () => {
    test('an approver who signs with someone else’s name is refused beside the field, keeps what they typed, and nothing changes', async () => {
      const { id } = await submit();
      const { data } = latestApprovalCard(ictLeader, id);
      const sentBefore = h.connector.cardsFor(headTeacher.id).length;
      const wrong = await h.invoke(ictLeader, 'approval.approve', { ...data, signature: 'Mickey Mouse', comment: 'Fine by me.' });
      expect(wrong.status).toBe(200);
      expect(allText(wrong.card)).toMatch(/Sign with your own name as the school holds it \(Gareth Lloyd\)/);
      expect(inputValues(wrong.card)).toMatchObject({ signature: 'Mickey Mouse', comment: 'Fine by me.' });
      expect(allText(wrong.card)).not.toMatch(/Signed: Mickey Mouse/);
      await h.idle();
      const r = await getRequest(id);
      expect([r.status, r.currentStep, r.steps[0].decision]).toEqual(['pending', 0, undefined]);
      expect(h.connector.cardsFor(headTeacher.id).length).toBe(sentBefore);
      expect(await h.app.store.listDecisions(id)).toEqual([]);
    });

    test('reject needs a reason; the card keeps what was typed; then the requester is told', async () => {
      const { id } = await submit();
      const { data } = latestApprovalCard(ictLeader, id);
      const noReason = await h.invoke(ictLeader, 'approval.reject', { ...data, signature: 'Gareth Lloyd', comment: '' });
      expect(allText(noReason.card)).toMatch(/Give a reason for rejecting/);
      expect(inputValues(noReason.card).signature).toBe('Gareth Lloyd');
      expect((await getRequest(id)).status).toBe('pending');

      const rejected = await h.invoke(ictLeader, 'approval.reject', { ...data, signature: 'Gareth Lloyd', comment: 'We already have a KS2 account.' });
      expect(allText(rejected.card)).toMatch(/Rejected by Gareth Lloyd at/);
      await h.idle();
      expect((await getRequest(id)).status).toBe('rejected');
      expect(h.connector.cardsFor(requester.id).some((c) => /Rejected by Gareth Lloyd/.test(allText(c)) && /We already have a KS2 account/.test(allText(c)))).toBe(true);
      expect(h.connector.cardsFor(headTeacher.id).some((c) => actionsOf(c).some((a) => a.data?.requestId === id))).toBe(false);
    });

    test('return → edit → resubmit starts again at the ICT leader', async () => {
      const { id } = await submit();
      const { data } = latestApprovalCard(ictLeader, id);
      const noComment = await h.invoke(ictLeader, 'approval.return', { ...data, signature: 'Gareth Lloyd', comment: ' ' });
      expect(allText(noComment.card)).toMatch(/Say what needs to change/);
      await h.invoke(ictLeader, 'approval.return', { ...data, signature: 'Gareth Lloyd', comment: 'Please add a closure plan.' });
      await h.idle();
      expect((await getRequest(id)).status).toBe('returned');

      const told = h.connector.cardsFor(requester.id).filter((c) => actionsOf(c).some((a) => a.verb === 'request.edit' && a.data.requestId === id)).at(-1);
      expect(allText(told)).toMatch(/Please add a closure plan/);
      const edit = await h.invoke(requester, 'request.edit', { requestId: id });
      expect(inputValues(edit.card).aims).toBe(validForm().aims);
      expect(verbsOf(edit.card)).toContain('request.resubmit');

      const resubmitted = await h.invoke(requester, 'request.resubmit', { ...validForm({ aims: 'Revised aims with a closure plan.' }), requestId: id });
      expect(allText(resubmitted.card)).toMatch(/Waiting for Gareth Lloyd/);
      await h.idle();
      const r = await getRequest(id);
      expect([r.status, r.round, r.currentStep, r.details.aims]).toEqual(['pending', 2, 0, 'Revised aims with a closure plan.']);
      const again = latestApprovalCard(ictLeader, id);
      expect(again.data.round).toBe(2);

      // The old round-1 card can no longer decide anything.
      const stale = await h.invoke(ictLeader, 'approval.approve', { ...data, signature: 'Gareth Lloyd' });
      expect(allText(stale.card)).toMatch(/This card is out of date/);
      expect((await getRequest(id)).steps[0].decision).toBeUndefined();
    });

    test('a resubmission with errors comes back as the edit form with input kept', async () => {
      const { id } = await submit();
      const { data } = latestApprovalCard(ictLeader, id);
      await h.invoke(ictLeader, 'approval.return', { ...data, signature: 'Gareth Lloyd', comment: 'More detail please.' });
      const bad = await h.invoke(requester, 'request.resubmit', { ...validForm({ aims: '', content: 'New content' }), requestId: id });
      expect(allText(bad.card)).toMatch(/Aims is required/);
      expect(inputValues(bad.card).content).toBe('New content');
      expect(verbsOf(bad.card)).toContain('request.resubmit');
      expect((await getRequest(id)).status).toBe('returned');
    });

    test('withdraw: the approver’s card loses its buttons and a late click decides nothing', async () => {
      const { id } = await submit();
      const { data } = latestApprovalCard(ictLeader, id);
      const withdrawn = await h.invoke(requester, 'request.withdraw', { requestId: id });
      expect(allText(withdrawn.card)).toMatch(/Withdrawn/);
      await h.idle();
      const updated = h.connector.calls.filter((c) => c.kind === 'update' && h.connector.owners.get(c.conversationId) === ictLeader.id).at(-1);
      expect(updated).toBeTruthy();
      expect(verbsOf(updated!.activity.attachments[0].content)).not.toContain('approval.approve');

      const late = await h.invoke(ictLeader, 'approval.approve', { ...data, signature: 'Gareth Lloyd' });
      expect(allText(late.card)).toMatch(/withdrawn and can no longer be decided/);
      expect((await getRequest(id)).status).toBe('withdrawn');
      expect(await h.app.store.listDecisions(id)).toEqual([]);
    });
  });

  describe('the server decides who may act', () => {
    test("a stranger's approve is refused and changes nothing", async () => {
      const { id } = await submit();
      const { data } = latestApprovalCard(ictLeader, id);
      // What the entries say: on SharePoint the sealer may give an entry its place in the chain meanwhile, which is no change.
      const entries = async () => (await h.app.store.listAudit(id)).map(({ chain: _place, ...e }) => e);
      const auditBefore = await entries();
      const res = await h.invoke(stranger, 'approval.approve', { ...data, signature: 'Chloe Marsh' });
      expect(res.status).toBe(200);
      expect(allText(res.card)).toMatch(/not yours to see|Only Gareth Lloyd/);
      expect(verbsOf(res.card)).not.toContain('approval.approve');
      const r = await getRequest(id);
      expect([r.status, r.currentStep, r.steps[0].decision]).toEqual(['pending', 0, undefined]);
      expect(await entries()).toEqual(auditBefore);
    });

    test('tampered card data: another request’s id, another step, or a claimed actor are all refused', async () => {
      const a = await submit();
      const b = await submit();
      const aData = latestApprovalCard(ictLeader, a.id).data;
      const bData = latestApprovalCard(ictLeader, b.id).data;
      await h.invoke(ictLeader, 'approval.approve', { ...bData, signature: 'Gareth Lloyd' });
      await h.idle();

      // Gareth aims his card for A at B's head-teacher step.
      const wrongStep = await h.invoke(ictLeader, 'approval.approve', { ...aData, requestId: b.id, step: 1, signature: 'Gareth Lloyd' });
      expect(allText(wrongStep.card)).toMatch(/Only Priya Raman can decide this step/);
      // The requester claims to be the head teacher in the data.
      const claimed = await h.invoke(requester, 'approval.approve', { ...aData, actorId: headTeacher.id, from: headTeacher, signature: 'Priya Raman' });
      expect(allText(claimed.card)).toMatch(/cannot decide your own request/);
      // A stranger tries to withdraw someone else's request.
      const foreign = await h.invoke(stranger, 'request.withdraw', { requestId: a.id });
      expect(allText(foreign.card)).toMatch(/Only the person who made this request/);
      // Junk ids.
      const junk = await h.invoke(ictLeader, 'approval.approve', { requestId: { $ne: null }, step: 'x' });
      expect(allText(junk.card)).toMatch(/missing its request/);

      expect((await getRequest(a.id)).status).toBe('pending');
      expect((await getRequest(a.id)).currentStep).toBe(0);
      expect((await getRequest(b.id)).currentStep).toBe(1);
      expect(await h.app.store.listDecisions(b.id)).toHaveLength(1);
    });

    test('the ICT leader’s own request goes to the deputy, never to themselves', async () => {
      const { id } = await submit(ictLeader);
      const r = await getRequest(id);
      expect(r.steps.map((s) => s.approverId)).toEqual([deputy.id, headTeacher.id]);
      expect(latestApprovalCard(deputy, id).card).toBeTruthy();
      expect(latestApprovalCard(ictLeader, id).card).toBeUndefined();
    });

    test('refresh shows buttons only to the pending approver', async () => {
      const { id } = await submit();
      const asApprover = await h.invoke(ictLeader, 'refresh', { requestId: id });
      expect(verbsOf(asApprover.card)).toContain('approval.approve');
      const asRequester = await h.invoke(requester, 'refresh', { requestId: id });
      expect(verbsOf(asRequester.card)).not.toContain('approval.approve');
      expect(verbsOf(asRequester.card)).toContain('request.withdraw');
      const asHead = await h.invoke(headTeacher, 'refresh', { requestId: id });
      expect(verbsOf(asHead.card)).not.toContain('approval.approve');
      const asStranger = await h.invoke(stranger, 'refresh', { requestId: id });
      expect(verbsOf(asStranger.card)).not.toContain('approval.approve');
      expect(allText(asStranger.card)).not.toContain(validForm().aims);
    });
  });

  describe('races', () => {
    test('50 concurrent approve invokes for one step record exactly one decision', async () => {
      const { id } = await submit();
      const { data } = latestApprovalCard(ictLeader, id);
      const results = await Promise.all(
        Array.from({ length: 50 }, () => h.invoke(ictLeader, 'approval.approve', { ...data, signature: 'Gareth Lloyd', comment: 'ok' })),
      );
      expect(results.every((r) => r.status === 200)).toBe(true);
      const texts = results.map((r) => allText(r.card));
      // The winner sees the success banner, which starts with a tick (the Default colour carries no meaning).
      expect(texts.filter((t) => /^✓ Approved by Gareth Lloyd at/m.test(t) && !/Already decided/.test(t))).toHaveLength(1);
      expect(texts.filter((t) => /Already decided by Gareth Lloyd/.test(t))).toHaveLength(49);
      await h.idle();
      expect(await h.app.store.listDecisions(id)).toHaveLength(1);
      expect((await h.app.store.listAudit(id)).filter((a) => a.action === 'approval.approve')).toHaveLength(1);
      expect(h.connector.cardsFor(headTeacher.id).filter((c) => actionsOf(c).some((a) => a.data?.requestId === id && a.verb === 'approval.approve'))).toHaveLength(1);
    });
  });

  describe('bad input', () => {
    test('an incomplete form comes back with each error beside its field and nothing lost', async () => {
      const mine = async () => (await h.app.store.listRequestsByRequester(stranger.id)).length;
      const before = await mine();
      const input = validForm({ aims: '', administrators: ben.id, closure: '2020-01-01', audience: 'families,others', audienceDetails: '' });
      const res = await h.invoke(stranger, 'request.submit', input);
      const text = allText(res.card);
      expect(text).toMatch(/Aims is required/);
      expect(text).toMatch(/Administrators: choose at least two people/);
      expect(text).toMatch(/Closure must be after go-live/);
      expect(text).toMatch(/Audience details: you ticked “Others”/);
      const values = inputValues(res.card);
      expect(values.content).toBe(input.content);
      expect(values.administrators).toBe(ben.id);
      expect(values.audience).toBe('families,others');
      // Each error sits right after its own input.
      const body = JSON.stringify(res.card);
      expect(body.indexOf('Aims is required')).toBeGreaterThan(body.indexOf('"id":"aims"'));
      expect(body.indexOf('Aims is required')).toBeLessThan(body.indexOf('"id":"content"'));
      expect(await mine()).toBe(before);
    });

    test('an oversized field gets a clear message, not a 500; an oversized body gets 413 with a message', async () => {
      const res = await h.invoke(stranger, 'request.submit', validForm({ aims: 'x'.repeat(50_000) }));
      expect(res.status).toBe(200);
      expect(allText(res.card)).toMatch(/Aims is too long: keep it under 2,000 characters \(it has 50,000\)/);
      expect(cardProblems(res.card)).toEqual([]);
      const huge = await h.invoke(stranger, 'request.submit', validForm({ aims: 'x'.repeat(400_000) }));
      expect(huge.status).toBe(413);
      expect(huge.body.message).toMatch(/larger than/);
    });

    test('user text never becomes a live link or markdown in someone else’s card', async () => {
      const nasty = '[Click here](https://evil.example/x) **urgent** <b>hi</b> www.evil.example mail me@evil.example';
      const { id } = await submit(requester, { aims: nasty });
      const { card } = latestApprovalCard(ictLeader, id);
      expect(textBlocks(card).join('\n')).not.toContain('evil');
      const runs = JSON.stringify(card);
      expect(runs).not.toContain('https://evil');
      expect(runs).not.toContain('www.evil.example');
      expect(allText(card)).toContain('[Click here](https://evil.example/x) **urgent**');
    });

    test('Action.Submit fallback from older clients works like Action.Execute', async () => {
      const { id } = await submit();
      const cards = await h.post({
        type: 'message',
        channelId: 'msteams',
        serviceUrl: h.connector.url,
        from: { id: `29:${requester.id}`, aadObjectId: requester.id, name: requester.name },
        recipient: { id: '28:countersign' },
        conversation: { id: `a:conv-${requester.id}`, conversationType: 'personal', tenantId: 't' },
        value: { verb: 'request.withdraw', requestId: id },
      });
      expect(cards.status).toBe(200);
      expect((await getRequest(id)).status).toBe('withdrawn');
    });
  });
});
