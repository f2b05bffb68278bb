import { afterEach, describe, expect, test } from 'vitest';
import { TeamsAppInstaller } from '../../src/adapters/graph/teams-app-installer';
import { FakeConnector } from '../support/fake-connector';
import { LocalGraphServer } from '../support/graph-server';
import { TeamsTenant, type CatalogApp } from '../support/teams-tenant';

/**
 * The Graph adapter that installs Countersign for a person, against the local Graph server's Teams
 * endpoints, and the local servers' own answers (Graph's and the Bot Connector's) that the adapter
 * and the notifier rely on.
 */
const BOT = '11111111-1111-4111-8111-111111111111';
const MANIFEST = '44444444-4444-4444-8444-444444444444';
const orgApp: CatalogApp = { id: 'b1c5353a-7aca-41b3-830f-27d5218fe0e5', externalId: MANIFEST, displayName: 'Countersign', distributionMethod: 'organization' };
const user = (n: number) => `30000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const tokenProvider = async () => 'test-token';

const running: Array<{ stop(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

async function graphFor(tenant: TeamsTenant, teams: { scale?: number } = {}) {
  const server = new LocalGraphServer({ teams: { tenant, ...teams } });
  const baseUrl = await server.start();
  running.push(server);
  return { server, baseUrl };
}

const graphGet = (baseUrl: string, path: string) => fetch(`${baseUrl}/v1.0${path}`, { headers: { authorization: 'Bearer t' } });
const graphPost = (baseUrl: string, path: string, body: unknown) =>
  fetch(`${baseUrl}/v1.0${path}`, { method: 'POST', headers: { authorization: 'Bearer t', 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('the local Graph server speaks the Teams installation endpoints', () => {
  test('catalog by externalId; install 201 with no body, then 409; list with $expand/$filter; the chat; 404 for an unknown user or app', async () => {
    const tenant = new TeamsTenant(BOT, { apps: [orgApp], users: [user(1)] });
    const { baseUrl } = await graphFor(tenant);
    const catalog = await (await graphGet(baseUrl, `/appCatalogs/teamsApps?$filter=${encodeURIComponent(`externalId eq '${MANIFEST}'`)}`)).json();
    expect(catalog.value).toEqual([{ id: orgApp.id, externalId: MANIFEST, displayName: 'Countersign', distributionMethod: 'organization' }]);

    const bind = { 'teamsApp@odata.bind': `${baseUrl}/v1.0/appCatalogs/teamsApps/${orgApp.id}` };
    const first = await graphPost(baseUrl, `/users/${user(1)}/teamwork/installedApps`, bind);
    expect(first.status).toBe(201);
    expect(await first.text()).toBe('');
    const again = await graphPost(baseUrl, `/users/${user(1)}/teamwork/installedApps`, bind);
    expect(again.status).toBe(409);

    const listed = await (await graphGet(baseUrl, `/users/${user(1)}/teamwork/installedApps?$expand=teamsApp&$filter=${encodeURIComponent(`teamsApp/id eq '${orgApp.id}'`)}`)).json();
    expect(listed.value).toHaveLength(1);
    expect(listed.value[0].teamsApp.externalId).toBe(MANIFEST);
    const chat = await (await graphGet(baseUrl, `/users/${user(1)}/teamwork/installedApps/${encodeURIComponent(listed.value[0].id)}/chat`)).json();
    expect(chat.id).toBe(`19:${user(1)}_${BOT}@unq.gbl.spaces`);

    expect((await graphPost(baseUrl, `/users/${user(9)}/teamwork/installedApps`, bind)).status).toBe(404);
    const wrongApp = await graphPost(baseUrl, `/users/${user(1)}/teamwork/installedApps`, { 'teamsApp@odata.bind': `${baseUrl}/v1.0/appCatalogs/teamsApps/${MANIFEST}` });
    expect(wrongApp.status).toBe(404);
    expect((await graphGet(baseUrl, `/users/${user(1)}/teamwork/installedApps?$filter=${encodeURIComponent('displayName eq 1')}`)).status).toBe(400);
  });

  test("over Graph's Teams limit (30 reads a second per app per tenant) the server answers 429 with Retry-After", async () => {
    const tenant = new TeamsTenant(BOT, { apps: [orgApp], users: [user(1)] });
    const { baseUrl } = await graphFor(tenant);
    const answers = await Promise.all(Array.from({ length: 40 }, () => graphGet(baseUrl, `/users/${user(1)}/teamwork/installedApps`)));
    const throttled = answers.filter((a) => a.status === 429);
    expect(throttled.length).toBe(10);
    expect(Number(throttled[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });
});

describe('TeamsAppInstaller', () => {
  test('reaches a person: the catalog id (not the manifest id) is installed, and the chat Graph names is returned', async () => {
    const tenant = new TeamsTenant(BOT, { apps: [orgApp], users: [user(1), user(2)] });
    const { server, baseUrl } = await graphFor(tenant);
    const installer = new TeamsAppInstaller({ baseUrl, tokenProvider, manifestId: MANIFEST });
    expect(await installer.reach(user(1))).toEqual({ kind: 'reachable', userId: user(1), chatId: tenant.chatIdOf(user(1)), installedNow: true });
    expect(tenant.installations.get(user(1))?.teamsAppId).toBe(orgApp.id);
    // Already installed: 409, which is success.
    expect(await installer.reach(user(1))).toEqual({ kind: 'reachable', userId: user(1), chatId: tenant.chatIdOf(user(1)), installedNow: false });
    await installer.reach(user(2));
    // The catalog is read once; each person costs an install, a list and a chat read.
    expect(server.stats.byKind).toMatchObject({ 'appCatalogs.get': 1, 'installedApps.post': 3, 'installedApps.get': 3, 'installedApps.chat': 3 });
  });

  test('an app from the Teams Store (not in the organisation catalog) is installed by its manifest id', async () => {
    const storeApp: CatalogApp = { id: MANIFEST, externalId: 'store-external-id', displayName: 'Countersign', distributionMethod: 'store' };
    const tenant = new TeamsTenant(BOT, { apps: [storeApp], users: [user(1)] });
    const { baseUrl } = await graphFor(tenant);
    const reach = await new TeamsAppInstaller({ baseUrl, tokenProvider, manifestId: MANIFEST }).reach(user(1));
    expect(reach.kind).toBe('reachable');
  });

  test('TEAMS_APP_CATALOG_ID given: no catalog look-up', async () => {
    const tenant = new TeamsTenant(BOT, { apps: [orgApp], users: [user(1)] });
    const { server, baseUrl } = await graphFor(tenant);
    await new TeamsAppInstaller({ baseUrl, tokenProvider, manifestId: MANIFEST, catalogId: orgApp.id }).reach(user(1));
    expect(server.stats.byKind['appCatalogs.get']).toBeUndefined();
    expect(tenant.hasApp(user(1))).toBe(true);
  });

  test('failures come back as results: unknown person, throttled with Retry-After, an outage, an app Graph does not know', async () => {
    const tenant = new TeamsTenant(BOT, { apps: [orgApp], users: [user(1)] });
    const { server, baseUrl } = await graphFor(tenant);
    const installer = new TeamsAppInstaller({ baseUrl, tokenProvider, manifestId: MANIFEST, catalogId: orgApp.id });
    expect((await installer.reach(user(7))).kind).toBe('unknownPerson');
    server.failNext(1, { status: 429, kind: 'installedApps.post', retryAfterSeconds: 3 });
    expect(await installer.reach(user(1))).toEqual({ kind: 'throttled', userId: user(1), retryAfterMs: 3000 });
    server.failNext(1, { status: 503, kind: 'installedApps.chat', retryAfterSeconds: 0 });
    expect(await installer.reach(user(1))).toMatchObject({ kind: 'failed', transient: true });
    // One request each: no retry inside the adapter (the job queue retries).
    expect(server.stats.retryAttemptsSeen).toBe(0);
    const unpublished = new TeamsAppInstaller({ baseUrl, tokenProvider, manifestId: MANIFEST, catalogId: 'not-in-the-catalog' });
    expect(await unpublished.reach(user(1))).toMatchObject({ kind: 'failed', transient: false });
    // Without a token Graph answers 401: a set-up fault, told in words that say what to grant.
    const noToken = new TeamsAppInstaller({ baseUrl, tokenProvider: async () => '', manifestId: MANIFEST });
    expect(await noToken.reach(user(1))).toMatchObject({ kind: 'failed', transient: false, reason: expect.stringMatching(/AppCatalog\.Read\.All/) });
  });

  test("paces itself under Graph's Teams limits: 40 people at once meet no 429", async () => {
    const people = Array.from({ length: 40 }, (_, i) => user(100 + i));
    const tenant = new TeamsTenant(BOT, { apps: [orgApp], users: people });
    const { server, baseUrl } = await graphFor(tenant, { scale: 2 });
    const installer = new TeamsAppInstaller({ baseUrl, tokenProvider, manifestId: MANIFEST, catalogId: orgApp.id, scale: 2 });
    const reached = await Promise.all(people.map((p) => installer.reach(p)));
    expect(reached.every((r) => r.kind === 'reachable')).toBe(true);
    expect(server.stats.status429).toBe(0);
  });
});

describe('the fake Bot Connector, modelling a tenant', () => {
  test('refuses a chat with someone who has not installed the app (403 BotNotInConversationRoster) until they have; without the bot token, 401', async () => {
    const tenant = new TeamsTenant(BOT, { apps: [orgApp], users: [user(1)] });
    const c = new FakeConnector({ tenant, auth: (t) => t === 'bot-token' });
    await c.start();
    running.push(c);
    const post = (path: string, body: unknown, token = 'bot-token') =>
      fetch(new URL(path, c.url), { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
    const chat = tenant.chatIdOf(user(1));
    const refused = await post('v3/conversations', { members: [{ id: user(1) }] });
    expect(refused.status).toBe(403);
    expect((await refused.json()).error.code).toBe('BotNotInConversationRoster');
    expect((await post(`v3/conversations/${encodeURIComponent(chat)}/activities`, { type: 'message', text: 'hi' })).status).toBe(403);

    tenant.install(user(1), orgApp.id);
    expect((await post(`v3/conversations/${encodeURIComponent(chat)}/activities`, { type: 'message', text: 'hi' })).status).toBe(201);
    expect(c.textsFor(user(1))).toEqual(['hi']);
    expect((await post('v3/conversations', { members: [{ id: user(1) }] })).status).toBe(201);
    expect((await post(`v3/conversations/${encodeURIComponent('19:nobody@thread.v2')}/activities`, { type: 'message', text: 'hi' })).status).toBe(404);
    expect((await post(`v3/conversations/${encodeURIComponent(chat)}/activities`, { type: 'message', text: 'hi' }, 'forged')).status).toBe(401);
  });
});
