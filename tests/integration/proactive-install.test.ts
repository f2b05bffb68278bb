import { afterEach, describe, expect, test } from 'vitest';
import { demoPolicyVersions } from '../../src/adapters/demo-policy';
import type { StaffMember } from '../../src/domain/people';
import { Harness, people, TEAMS_APP } from '../support/harness';
import { m365Env } from '../support/m365-env';

/**
 * Reaching people who have never opened the app, in the Microsoft 365 mode end to end: the app on the
 * SharePoint store (local Graph server), connector auth on, and a Teams tenant in which a chat with
 * someone who has not installed the app is refused, as Teams refuses it. Nothing of ours is replaced.
 */
const v2026 = demoPolicyVersions[1].id;
const deadline = () => new Date(Date.now() + 14 * 86400_000).toISOString().slice(0, 10);

const newcomer = (n: number): StaffMember => ({
  id: `20000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  schoolId: m365Env.SCHOOL_ID,
  name: `New Starter ${n}`,
  email: `new${n}@larkfield.example`,
  department: 'Year 3',
  jobTitle: 'Teacher',
  roles: [],
});

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function start(o: ConstructorParameters<typeof Harness>[0] = {}) {
  h = new Harness({ m365: {}, ...o });
  await h.start();
  return h;
}

/** Launches the declaration campaign to all staff and waits until every recipient has left `queued`. */
async function launchAndSettle(h: Harness) {
  const res = await h.invoke(people.policyAdmin, 'campaign.launch', { versionId: v2026, deadline: deadline() });
  expect(res.status).toBe(200);
  const [campaign] = await h.app.store.campaigns.listCampaigns();
  const started = Date.now();
  for (;;) {
    const ready = (await h.app.store.campaigns.getCampaign(campaign.id))?.audienceStatus === 'ready';
    const queued = (await h.app.store.campaigns.countRecipients(campaign.id)).filter((c) => c.state === 'queued').reduce((a, c) => a + c.count, 0);
    if (ready && queued === 0) break;
    if (Date.now() - started > 50_000) throw new Error(`still ${queued} queued`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await h.settle();
  return campaign;
}

/** Declaration cards of this campaign that reached the person's chat. */
const declarationsTo = (h: Harness, userId: string, campaignId: string) =>
  h.connector.cardsFor(userId).filter((card) => card?.actions?.some((a: any) => a.verb === 'declaration.sign' && a.data?.campaignId === campaignId));

const graphCount = (h: Harness, kind: string) => h.graph!.stats.byKind[kind] ?? 0;

describe('a person who has never opened Countersign', () => {
  test('Teams refuses a chat with them; the app installs itself, finds the chat through Graph and the card arrives', async () => {
    const h = await start();
    const sam = newcomer(1);
    await h.addStaff([sam]);

    // What Teams answers a bot that opens a chat with someone who does not have the app (and what it did here before this change).
    const raw = await fetch(`${h.connector.url}v3/conversations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${(h as any).issuer.botToken(m365Env.BOT_ID)}` },
      body: JSON.stringify({ isGroup: false, bot: { id: m365Env.BOT_ID }, members: [{ id: sam.id }], tenantId: m365Env.BOT_TENANT_ID }),
    });
    expect(raw.status).toBe(403);
    expect((await raw.json()).error.code).toBe('BotNotInConversationRoster');
    expect(h.tenant!.hasApp(sam.id)).toBe(false);

    const campaign = await launchAndSettle(h);

    expect(h.tenant!.hasApp(sam.id)).toBe(true);
    expect(declarationsTo(h, sam.id, campaign.id)).toHaveLength(1);
    expect((await h.app.store.campaigns.getRecipient(campaign.id, sam.id))?.value.state).toBe('sent');
    // The card went into the chat Graph named, and that chat is remembered for the next card.
    const sent = h.connector.calls.find((c) => c.kind === 'send' && h.connector.owners.get(c.conversationId) === sam.id);
    expect(sent?.conversationId).toBe(h.tenant!.chatIdOf(sam.id));
    expect((await h.app.store.getConversation(sam.id))?.conversationId).toBe(h.tenant!.chatIdOf(sam.id));
    // The catalog id is looked up once for everyone; each person costs one install, one list and one chat read.
    expect(graphCount(h, 'appCatalogs.get')).toBe(1);
    expect(h.graph!.stats.retryAttemptsSeen).toBe(0);

    // The next card to them needs no install: the reminder edits the card in their chat.
    const installsBefore = graphCount(h, 'installedApps.post');
    const admin = (await h.app.store.getStaff(people.policyAdmin.id))!;
    const reminded = await h.app.campaigns.remindNow({ id: admin.id, name: admin.name, staff: admin }, campaign.id);
    expect(reminded.ok).toBe(true);
    await h.settle();
    const updates = h.connector.calls.filter((c) => c.kind === 'update' && c.conversationId === h.tenant!.chatIdOf(sam.id));
    expect(updates).toHaveLength(1);
    expect(graphCount(h, 'installedApps.post')).toBe(installsBefore);
  });

  test('someone who already has the app but no chat on record: the install answers 409, which is success', async () => {
    const kim = newcomer(2);
    const h = await start({ m365: { installedFor: [kim.id] } });
    await h.addStaff([kim]);
    const installsMade = h.tenant!.installsMade;

    const campaign = await launchAndSettle(h);

    expect(declarationsTo(h, kim.id, campaign.id)).toHaveLength(1);
    expect(h.tenant!.installsMade).toBe(installsMade);
    expect(h.graph!.stats.byKind['installedApps.post']).toBeGreaterThan(0);
    expect((await h.app.store.campaigns.getRecipient(campaign.id, kim.id))?.value.state).toBe('sent');
  });

  test('a throttled install (429) is retried by the job queue after Retry-After, not inside the Graph client', async () => {
    const h = await start();
    const ali = newcomer(3);
    await h.addStaff([ali]);
    // Every install is refused for the first three tries.
    h.graph!.failNext(3, { status: 429, kind: 'installedApps.post', retryAfterSeconds: 1 });

    const campaign = await launchAndSettle(h);

    expect(h.graph!.stats.status429).toBeGreaterThanOrEqual(3);
    // The Graph client's RetryHandler would have sent Retry-Attempt headers: none came, so the job queue did the waiting.
    expect(h.graph!.stats.retryAttemptsSeen).toBe(0);
    expect(declarationsTo(h, ali.id, campaign.id)).toHaveLength(1);
    for (const s of [...(await h.app.store.listStaff()).map((x) => x.id)]) expect(declarationsTo(h, s, campaign.id).length).toBeLessThanOrEqual(1);
  });

  test.each([
    ['a 504 after the install landed', 504 as const],
    ['a dropped connection after the install landed', 'drop' as const],
  ])('%s: the retry meets 409 and the card arrives once', async (_name, as) => {
    const h = await start();
    const joe = newcomer(4);
    await h.addStaff([joe]);
    h.graph!.loseNextReplies(1, { kind: 'installedApps.post', as: [as], scope: 'top' });

    const campaign = await launchAndSettle(h);

    expect(h.graph!.stats.lostReplies).toBe(1);
    expect(h.tenant!.hasApp(joe.id)).toBe(true);
    expect(declarationsTo(h, joe.id, campaign.id)).toHaveLength(1);
    expect((await h.app.store.campaigns.getRecipient(campaign.id, joe.id))?.value.state).toBe('sent');
  });

  test('someone Graph does not know (left the tenant) is reported as not reachable, once, with no card', async () => {
    const h = await start();
    const gone = newcomer(5);
    // In Countersign's directory, not in the tenant's.
    await h.app.store.upsertStaff([gone]);

    const campaign = await launchAndSettle(h);

    const r = (await h.app.store.campaigns.getRecipient(campaign.id, gone.id))!.value;
    expect(r.state).toBe('failed');
    expect(declarationsTo(h, gone.id, campaign.id)).toHaveLength(0);
    expect(h.graph!.stats.byKind['installedApps.post']).toBeGreaterThan(0);
  });
});
