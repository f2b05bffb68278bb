import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { demoPolicyVersions } from '../../src/adapters/demo-policy';
import { demoSchool, demoStaff } from '../../src/adapters/demo-school';
import type { StaffMember } from '../../src/domain/people';
import { validForm } from '../support/forms';
import { Harness, people } from '../support/harness';
import { appOn } from '../support/on-each-store';
import { actionsOf, allText, verbsOf } from '../support/validate-card';

const { requester, ictLeader, headTeacher, policyAdmin: hannah } = people;
const v2026 = demoPolicyVersions[1].id;
const byFirstName = (first: string) => demoStaff.find((s) => s.name.startsWith(first))!;

type Who = Pick<StaffMember, 'id' | 'name'>;

/** Posts an activity and returns the HTTP answer and what the bot sent into that chat meanwhile (not notifications to others). */
async function post(h: Harness, body: ReturnType<Harness['activity']>) {
  const before = h.connector.calls.length;
  const res = await h.post(body);
  const sent = h.connector.calls.slice(before).filter((c) => (c.kind === 'reply' || c.kind === 'send') && c.conversationId === body.conversation.id);
  return { ...res, sent, cards: sent.flatMap((c) => (c.activity?.attachments ?? []).map((a: any) => a.content)) };
}

/** An older Teams client's Action.Submit: a message whose value carries the verb and the card's data. */
const submitFallback = (h: Harness, who: Who, value: Record<string, unknown>) => post(h, h.activity(who, { type: 'message', value }));

const invoke = (h: Harness, who: Who, name: string | undefined, value: unknown) => post(h, h.activity(who, { type: 'invoke', ...(name ? { name } : {}), value }));

describe('the bot on the sqlite store', () => {
  const h = appOn('sqlite');

  describe('invokes the app does not handle', () => {
    test.each(['composeExtension/query', 'task/fetch', 'config/fetch', 'signin/verifyState', 'made/up', undefined])(
      'invoke %s gets a 400 that says so, never an empty 501',
      async (name) => {
        const res = await invoke(h, requester, name, { anything: true });
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'NotSupported' } });
        expect(res.body.value.message).toMatch(/Countersign does not handle .* Type "help"/);
      },
    );

    test.each([
      ['an Action.Submit', { action: { type: 'Action.Submit', data: { verb: 'request.withdraw' } } }],
      ['no action at all', { trigger: 'manual' }],
      ['no value', undefined],
    ])('adaptiveCard/action with %s is a 400 error response with a message', async (_what, value) => {
      const res = await invoke(h, requester, 'adaptiveCard/action', value);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest' } });
      expect(res.body.value.message).toMatch(/only Action.Execute/);
    });
  });

  describe('as <name> (embedded mode)', () => {
    const kofi = byFirstName('Kofi');
    const texts = (sent: any[]) => sent.map((c) => c.activity);

    test('with no name lists the demo people', async () => {
      const [reply] = texts((await post(h, h.activity(kofi, { type: 'message', text: 'as' }))).sent);
      expect(reply.text).not.toMatch(/No one called/);
      for (const s of demoStaff) expect(reply.text).toContain(s.name);
    });

    test('what the person typed comes back as inert plain text', async () => {
      const [reply] = texts((await post(h, h.activity(kofi, { type: 'message', text: 'as [Click](https://evil.example) **now**' }))).sent);
      expect(reply.textFormat).toBe('plain');
      expect(reply.text).toMatch(/^No one called "\[Click\]\(https:\/\/evil.example\) \*\*now\*\*"/);
      expect(reply.attachments ?? []).toEqual([]);
    });
  });

  describe('help lists sign for everyone and campaign for policy admins only', () => {
    const lists = (card: any) => ({ sign: /\*\*sign\*\*/.test(allText(card)), campaign: /campaign/i.test(allText(card)) });

    test.each([
      ['a policy admin', hannah, true],
      ['a member of staff', requester, false],
    ])('%s: help, unknown text and the welcome', async (_who, who, admin) => {
      const [help] = await h.say(who, 'help');
      const [unknown] = await h.say(who, 'what is the wifi password');
      const welcome = (await post(h, h.activity(who, { type: 'conversationUpdate', membersAdded: [{ id: `29:${who.id}` }] }))).cards;
      expect(welcome).toHaveLength(1);
      for (const card of [help, unknown, welcome[0]]) {
        expect(lists(card)).toEqual({ sign: true, campaign: admin });
        expect(verbsOf(card)).toEqual(expect.arrayContaining(['request.new', 'status.show', 'declaration.show']));
        expect(verbsOf(card).includes('campaign.status')).toBe(admin);
      }
      expect(allText(unknown)).toMatch(/didn't understand/);
    });
  });

  describe('the Action.Submit fallback of every verb, on cards already sent', () => {
    const getRequest = async (id: string) => (await h.app.store.getRequest(id))!.value;
    const approvalData = (who: Who, requestId: string) =>
      actionsOf(
        h.connector
          .cardsFor(who.id)
          .filter((c) => actionsOf(c).some((a) => a.verb === 'approval.approve' && a.data?.requestId === requestId))
          .at(-1),
      ).find((a) => a.verb === 'approval.approve').data;

    test('request.submit, approval.return, request.resubmit, refresh, approval.approve, approval.reject', async () => {
      const submitted = await submitFallback(h, requester, { verb: 'request.submit', ...validForm() });
      expect(submitted.status).toBe(200);
      expect(allText(submitted.cards[0])).toMatch(/Submitted\. We will tell you here/);
      const id = actionsOf(submitted.cards[0]).find((a) => a.verb === 'request.withdraw').data.requestId as string;
      await h.idle();

      const returned = await submitFallback(h, ictLeader, { verb: 'approval.return', ...approvalData(ictLeader, id), signature: ictLeader.name, comment: 'Add a closure plan.' });
      expect(allText(returned.cards[0])).toMatch(/Returned for changes by Gareth Lloyd/);
      expect((await getRequest(id)).status).toBe('returned');
      await h.idle();

      const resubmitted = await submitFallback(h, requester, { verb: 'request.resubmit', requestId: id, ...validForm({ aims: 'Revised, with a closure plan.' }) });
      expect(allText(resubmitted.cards[0])).toMatch(/Resubmitted/);
      expect((await getRequest(id)).status).toBe('pending');
      await h.idle();

      const refreshed = await submitFallback(h, ictLeader, { verb: 'refresh', requestId: id });
      expect(verbsOf(refreshed.cards[0])).toContain('approval.approve');

      const approved = await submitFallback(h, ictLeader, { verb: 'approval.approve', ...approvalData(ictLeader, id), signature: ictLeader.name });
      expect(allText(approved.cards[0])).toMatch(/Approved by Gareth Lloyd at/);
      await h.idle();

      const rejected = await submitFallback(h, headTeacher, { verb: 'approval.reject', ...approvalData(headTeacher, id), signature: headTeacher.name, comment: 'Not this year.' });
      expect(allText(rejected.cards[0])).toMatch(/Rejected by Priya Raman at/);
      expect((await getRequest(id)).status).toBe('rejected');
    });

    test('request.withdraw', async () => {
      const submitted = await submitFallback(h, requester, { verb: 'request.submit', ...validForm() });
      const id = actionsOf(submitted.cards[0]).find((a) => a.verb === 'request.withdraw').data.requestId as string;
      const withdrawn = await submitFallback(h, requester, { verb: 'request.withdraw', requestId: id });
      expect(allText(withdrawn.cards[0])).toMatch(/Withdrawn/);
      expect((await getRequest(id)).status).toBe('withdrawn');
    });

    test('declaration.sign', async () => {
      const esther = byFirstName('Esther');
      // What the connector saw during the turn may include a campaign card a job sent meanwhile (the campaign tests
      // above reach everyone): the answer to "sign" is the declaration card that belongs to no campaign.
      const card = (await h.say(esther, 'sign')).find((c) => actionsOf(c).some((a) => a.verb === 'declaration.sign' && !a.data?.campaignId));
      // This version must be opened before it can be signed; the card's link records the opening.
      const link = new URL(actionsOf(card).find((a) => a.type === 'Action.OpenUrl').url);
      expect((await fetch(`${h.baseUrl}${link.pathname}${link.search}`, { redirect: 'manual' })).status).toBe(302);
      const signed = await submitFallback(h, esther, { verb: 'declaration.sign', versionId: v2026, confirm: 'true', typedName: esther.name });
      expect(allText(signed.cards[0])).toMatch(/Signed by Esther Mensah/);
      expect(await h.app.store.policies.getDeclaration(esther.id, v2026)).toMatchObject({ typedName: esther.name });
    });
  });
});

describe('a turn that fails', () => {
  // The export directory sits under a plain file, so writing the export fails as a full or read-only disk would.
  const dir = mkdtempSync(join(tmpdir(), 'countersign-blocked-'));
  writeFileSync(join(dir, 'not-a-folder'), '');
  const h = new Harness({ env: { EXPORT_DIR: join(dir, 'not-a-folder', 'exports') } });
  beforeAll(async () => {
    await h.start();
    const launched = await h.invoke(hannah, 'campaign.launch', { versionId: v2026, deadline: '2099-12-31', reminderEveryDays: '7' });
    expect(allText(launched.card)).toMatch(/Launched\. Preparing the audience/);
    // Hannah is in the audience too: let the campaign's cards go out before the tests read her chat.
    await h.settle();
  });
  afterAll(async () => {
    await h.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('in chat: the person is told what to do next and given the request id that the log line carries', async () => {
    const res = await post(h, h.activity(hannah, { type: 'message', text: 'campaign export' }));
    expect(res.status).toBe(200);
    expect(res.cards).toEqual([]);
    expect(res.sent).toHaveLength(1);
    const apology = res.sent[0].activity;
    expect(apology.text).toMatch(/went wrong on our side.*Try again in a minute, or type "help"/);
    const ref = /reference: ([0-9a-f]{8})\./.exec(apology.text)?.[1];
    expect(ref).toBeTruthy();
    const line = h.logs.find((l) => l.includes(ref!) && /failed/.test(l));
    expect(line).toMatch(/^request [0-9a-f]{8}: message failed: Error: ENOTDIR/);
  });

  test('on a card button: an error response with the request id, and the same id in the log', async () => {
    const res = await h.invoke(hannah, 'campaign.export', {});
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ statusCode: 500, type: 'application/vnd.microsoft.error' });
    const ref = /Reference: ([0-9a-f]{8})\./.exec(res.body.value.message)?.[1];
    expect(res.body.value.message).toMatch(/Try again in a minute/);
    expect(h.logs.some((l) => l.startsWith(`request ${ref}: invoke adaptiveCard/action failed:`))).toBe(true);
  });

  test('each turn has its own request id', async () => {
    const a = await post(h, h.activity(hannah, { type: 'message', text: 'campaign export' }));
    const b = await post(h, h.activity(hannah, { type: 'message', text: 'campaign export' }));
    const refOf = (r: typeof a) => /reference: ([0-9a-f]{8})/.exec(r.sent.map((c) => c.activity.text ?? '').join(' '))?.[1];
    expect(refOf(a)).toBeTruthy();
    expect(refOf(b)).toBeTruthy();
    expect(refOf(a)).not.toBe(refOf(b));
  });
});
