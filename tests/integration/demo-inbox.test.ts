import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { demoPolicyVersions } from '../../src/adapters/demo-policy';
import { demoSchool, demoStaff } from '../../src/adapters/demo-school';
import { SqliteStore } from '../../src/adapters/sqlite.store';
import { SqliteDemoInbox } from '../../src/adapters/sqlite-demo-inbox';
import { StoreDirectory } from '../../src/adapters/store.directory';
import type { RegisteredAccount } from '../../src/domain/account-request';
import { systemClock } from '../../src/ports/clock';
import { ConversationService } from '../../src/services/conversations.service';
import { DemoInboxService } from '../../src/services/demo-inbox.service';
import { createApp } from '../../src/server/app';
import { loadConfig } from '../../src/server/config';
import { ConnectorClients } from '../../bot/connector-clients';
import { RateGate, TEAMS_RATE_LIMITS } from '../../bot/rate-gate';
import { RateGateMiddleware } from '../../bot/rate-gate.middleware';
import { TeamsNotifier } from '../../bot/teams.notifier';
import { FakeConnector } from '../support/fake-connector';
import { validForm } from '../support/forms';
import { Harness, people } from '../support/harness';
import { actionsOf, allText, verbsOf } from '../support/validate-card';
import { m365Env } from '../support/m365-env';

/** The people the Agents Playground knows: the users `npm start` gives it (.m365agentsplayground.yml). */
const playgroundUsers = [...readFileSync('.m365agentsplayground.yml', 'utf8').matchAll(/aadObjectId: (\S+)/g)].map((m) => m[1]);
const missing = demoStaff.filter((s) => !playgroundUsers.includes(s.id));
const named = (first: string) => demoStaff.find((s) => s.name.startsWith(first))!;
const v2026 = demoPolicyVersions[1].id;
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
const { requester: ben, ictLeader: gareth, headTeacher: priya, policyAdmin: hannah } = people;

/**
 * Embedded mode against a connector that answers as the Agents Playground does: it has chats for
 * only six of the fourteen demo people. No card may fail for that; each is kept in the person's
 * demo inbox, which GET /api/dev/inbox/:personId shows.
 */
describe('embedded mode: cards for people the Playground lacks go to their demo inbox', () => {
  const h = new Harness({ connector: { playgroundUsers } });
  beforeAll(() => h.start());
  afterAll(() => h.stop());

  const inbox = async (personId: string) => {
    const res = await fetch(`${h.baseUrl}/api/dev/inbox/${personId}`);
    return { status: res.status, body: (await res.json()) as { person: { name: string }; cards: any[] } };
  };

  test('the Playground config lacks most of the demo school, as in the issue', () => {
    expect(playgroundUsers).toHaveLength(6);
    expect(missing).toHaveLength(8);
  });

  test('a campaign to all 14 staff: none "could not be reached", and every person\'s inbox holds their card', async () => {
    const res = await h.invoke(hannah, 'campaign.launch', { versionId: v2026, deadline: inDays(21) });
    expect(res.status).toBe(200);
    await h.settle();
    const [campaign] = await h.app.store.campaigns.listCampaigns();
    const counts = await h.app.store.campaigns.countRecipients(campaign!.id);
    const inState = (state: string) => counts.filter((c) => c.state === state).reduce((n, c) => n + c.count, 0);
    expect(inState('failed')).toBe(0);
    expect(inState('sent')).toBe(14);
    const [status] = await h.say(hannah, 'campaign status');
    // The status card may show the figure, but it is nought.
    expect(allText(status)).not.toMatch(/could not be reached:?\s*[1-9]/i);

    for (const s of demoStaff) {
      const { status: code, body } = await inbox(s.id);
      expect(code, s.name).toBe(200);
      expect(body.person.name).toBe(s.name);
      const kept = body.cards.filter((c) => c.kind === 'declaration' && c.campaignId === campaign!.id);
      expect(kept, s.name).toHaveLength(1);
      expect(actionsOf(kept[0].card).find((a) => a.verb === 'declaration.sign')?.data?.campaignId).toBe(campaign!.id);
      // In the Playground too exactly when it has the person's chat.
      const inPlayground = h.connector.cardsFor(s.id).some((c) => actionsOf(c).some((a) => a.verb === 'declaration.sign' && a.data?.campaignId === campaign!.id));
      expect(inPlayground, s.name).toBe(playgroundUsers.includes(s.id));
      expect(kept[0].activityId === null, s.name).toBe(!playgroundUsers.includes(s.id));
    }
    for (const s of missing) expect(h.logs).toContain(`declaration card for ${s.name} kept in their demo inbox (the Playground has no chat for them)`);
    expect(h.logs.filter((l) => /fail/i.test(l))).toEqual([]);
  });

  test('an approval: administrators the Playground lacks get the go-ahead in their inbox, and an approver\'s inbox copy loses its buttons once they decide', async () => {
    const chloe = named('Chloe');
    const daniel = named('Daniel');
    expect(missing).toEqual(expect.arrayContaining([chloe, daniel]));
    const submitted = await h.invoke(ben, 'request.submit', validForm({ administrators: `${chloe.id},${daniel.id}` }));
    const requestId = actionsOf(submitted.card).find((a) => a.verb === 'request.withdraw')?.data.requestId as string;
    expect(requestId, allText(submitted.card)).toBeTruthy();
    await h.idle();

    const approvalIn = async (personId: string) => (await inbox(personId)).body.cards.filter((c) => c.requestId === requestId && c.kind === 'approval');
    const [before] = await approvalIn(gareth.id);
    expect(verbsOf(before.card)).toContain('approval.approve');
    const data = actionsOf(before.card).find((a) => a.verb === 'approval.approve')!.data;
    expect((await h.invoke(gareth, 'approval.approve', { ...data, signature: gareth.name, comment: '' })).status).toBe(200);
    await h.idle();
    const [after] = await approvalIn(gareth.id);
    expect(after.id).toBe(before.id);
    expect(verbsOf(after.card)).not.toContain('approval.approve');
    expect(allText(after.card)).toMatch(/Approved by Gareth Lloyd/);

    const [step2] = await approvalIn(priya.id);
    const data2 = actionsOf(step2.card).find((a) => a.verb === 'approval.approve')!.data;
    expect((await h.invoke(priya, 'approval.approve', { ...data2, signature: priya.name, comment: '' })).status).toBe(200);
    await h.idle();
    expect((await h.app.store.getRequest(requestId))!.value.status).toBe('approved');
    for (const admin of [chloe, daniel]) {
      const goAhead = (await inbox(admin.id)).body.cards.filter((c) => c.requestId === requestId && c.kind === 'account');
      expect(goAhead, admin.name).toHaveLength(1);
      expect(goAhead[0].activityId).toBeNull();
      expect(h.logs).toContain(`account card for ${admin.name} kept in their demo inbox (the Playground has no chat for them)`);
    }
    expect(h.logs.filter((l) => /fail/i.test(l))).toEqual([]);
  });

  test('an unknown person has no inbox: 404 with a code', async () => {
    const res = await fetch(`${h.baseUrl}/api/dev/inbox/nobody`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: 'INBOX.UNKNOWN_PERSON' });
  });
});

describe('outside embedded mode there is no demo inbox', () => {
  test('GET /api/dev/inbox/:personId does not exist in Microsoft 365 mode: without a Teams sign-in the API answers 401', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'countersign-inbox-m365-'));
    const app = createApp(
      loadConfig({ ...m365Env, DATA_DIR: dir }),
      { log: () => undefined },
    );
    try {
      await app.store.upsertStaff(demoStaff);
      const port = await app.listen(0);
      expect(app.inbox).toBeUndefined();
      expect((await fetch(`http://127.0.0.1:${port}/api/dev/inbox/${ben.id}`)).status).toBe(401);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  /**
   * The notifier as every mode but embedded wires it (no inbox), and as embedded mode does (with one),
   * against the same refusals: the Playground's "no such user" and Teams' "blocked the app" (403).
   * Connector auth is off in both so the local connector can be reached; only the inbox differs.
   */
  describe.each([
    ['without an inbox (Microsoft 365, scaled)', false],
    ['with the demo inbox (embedded)', true],
  ] as const)('the Teams notifier %s', (_name, withInbox) => {
    const connector = new FakeConnector({ playgroundUsers: [ben.id], goneUsers: [named('Grace').id] });
    const dir = mkdtempSync(join(tmpdir(), 'countersign-notifier-'));
    const store = new SqliteStore(join(dir, 'countersign.db'), { schoolId: demoSchool.id });
    const inbox = withInbox ? new DemoInboxService(new SqliteDemoInbox(store.db), systemClock, demoSchool.id, new Set(demoStaff.map((s) => s.id))) : undefined;
    const logs: string[] = [];
    let notifier: TeamsNotifier;
    beforeAll(async () => {
      await connector.start();
      await store.upsertStaff(demoStaff);
      const auth = new ConfigurationBotFrameworkAuthentication({ MicrosoftAppId: '', MicrosoftAppPassword: '' });
      const adapter = new CloudAdapter(auth);
      const gate = new RateGate(TEAMS_RATE_LIMITS);
      adapter.use(new RateGateMiddleware(gate));
      notifier = new TeamsNotifier({
        adapter,
        clients: new ConnectorClients(auth, ''),
        botAppId: '',
        tenantId: demoSchool.tenantId,
        defaultServiceUrl: connector.url,
        conversations: new ConversationService(store, systemClock),
        directory: new StoreDirectory(store),
        gate,
        policyLink: () => 'https://policy.example/',
        log: (m) => logs.push(m),
        inbox,
        timeZone: 'Europe/London',
      });
    });
    afterAll(async () => {
      store.close();
      await connector.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('a person the connector has no chat for, and one who blocked the app', async () => {
      const account: RegisteredAccount = {
        id: 'acc-1', schoolId: demoSchool.id, requestId: 'req-1', reference: 'CS-0001', department: 'Key Stage 2', platform: 'Instagram', host: 'Meta',
        visibility: 'private', administrators: [], moderators: [], goLive: inDays(10), closure: inDays(40), approvedAt: new Date().toISOString(), ownerId: ben.id, ownerName: ben.name,
      };
      const [present, lacking, blocked] = await notifier.accountReminder(account, 'closure', [ben.id, named('Chloe').id, named('Grace').id]);
      expect(present.kind).toBe('sent');
      if (withInbox) {
        expect([lacking.kind, blocked.kind]).toEqual(['sent', 'sent']);
        for (const s of [ben, named('Chloe'), named('Grace')]) expect((await inbox!.listInbox(s.id)).map((c) => c.kind), s.name).toEqual(['account-closure']);
        expect(logs).toContain('account-closure card for Chloe Marsh kept in their demo inbox (the Playground has no chat for them)');
      } else {
        expect(lacking).toMatchObject({ kind: 'failed', reason: 'Teams answered 500' });
        expect(blocked.kind).toBe('recipientNotFound');
        expect(logs.some((l) => /kept in their demo inbox/.test(l))).toBe(false);
        expect((store.db.prepare('SELECT COUNT(*) AS n FROM demo_inbox').get() as { n: number }).n).toBe(0);
      }
    });
  });
});
