import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { demoPeople, demoStaff } from '../../src/adapters/demo-school';
import { createApp, type CountersignApp } from '../../src/server/app';
import { loadConfig } from '../../src/server/config';
import { hs256, unsigned } from '../support/bot-tokens';
import { m365Env } from '../support/m365-env';

/**
 * A local stand-in for Entra's key endpoint, `{authority}/{tenant}/discovery/v2.0/keys`,
 * publishing whatever keys the test puts in `published`, and counting its fetches.
 */
class LocalEntraKeys {
  published: JWK[] = [];
  fetches = 0;
  lastFetchAt = 0;
  private server?: Server;
  base = '';

  async start(tenantId: string) {
    this.server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === `/${tenantId}/discovery/v2.0/keys`) {
        this.fetches++;
        this.lastFetchAt = Date.now();
        res.end(JSON.stringify({ keys: this.published }));
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
    await new Promise<void>((ok) => this.server!.listen(0, '127.0.0.1', ok));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop() {
    await new Promise<void>((ok) => (this.server ? this.server.close(() => ok()) : ok()));
  }
}

async function keyPair(kid: string) {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, publicKey, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'RS256' } as JWK };
}

const tenantId = m365Env.BOT_TENANT_ID;
const clientId = m365Env.AAD_APP_CLIENT_ID;
const person = demoPeople.requester;
const entra = new LocalEntraKeys();
let current: Awaited<ReturnType<typeof keyPair>>;
let app: CountersignApp;
let baseUrl = '';
const logs: string[] = [];
const issued: string[] = [];
const dirs: string[] = [];

/** Claims as Entra puts them in a v2.0 token for the tab (Teams "Add code to enable SSO": the example access token). */
function claims(o: Record<string, unknown> = {}) {
  return {
    iss: `${entra.base}/${tenantId}/v2.0`,
    aud: clientId,
    tid: tenantId,
    oid: person.id,
    scp: 'access_as_user',
    name: person.name,
    ver: '2.0',
    ...o,
  };
}

/** A token as Entra would sign it; `exp` one hour from now unless the claims say otherwise. */
async function token(c: Record<string, unknown> = claims(), o: { kid?: string; key?: CryptoKey; lifetime?: string } = {}) {
  let jwt = new SignJWT(c).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: o.kid ?? current.kid });
  if (c.iat === undefined) jwt = jwt.setIssuedAt();
  if (c.exp === undefined) jwt = jwt.setExpirationTime(o.lifetime ?? '1h');
  const t = await jwt.sign(o.key ?? current.privateKey);
  issued.push(t);
  return t;
}

const call = (path: string, auth?: string, init: RequestInit = {}) =>
  fetch(`${baseUrl}${path}`, { ...init, headers: { ...(auth ? { authorization: auth } : {}), ...(init.headers as Record<string, string>) } });

/** The router's one answer to every token it cannot accept: no detail, nothing from the library. */
const refused = { error: 'AUTH.REQUIRED', message: 'Sign in to Countersign to use this.' };

async function expectRefused(res: Response) {
  expect(res.status).toBe(401);
  expect(await res.json()).toStrictEqual(refused);
}

beforeAll(async () => {
  await entra.start(tenantId);
  current = await keyPair('entra-key-1');
  entra.published = [current.jwk];
  const dir = mkdtempSync(join(tmpdir(), 'countersign-sso-'));
  dirs.push(dir);
  const config = loadConfig({ ...m365Env, DATA_DIR: dir, AAD_APP_OAUTH_AUTHORITY_HOST: entra.base });
  app = createApp(config, { log: (m) => logs.push(m) });
  // Outside the embedded mode nobody is seeded: the school's staff list comes from its directory sync.
  await app.store.upsertStaff(demoStaff.filter((s) => s.id !== demoPeople.policyAdmin.id).map((s) => ({ ...s, schoolId: config.schoolId })));
  baseUrl = `http://127.0.0.1:${await app.listen(0)}`;
});

afterEach(() => {
  vi.useRealTimers();
});

afterAll(async () => {
  await app?.close();
  await entra.stop();
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

describe('Teams SSO tokens on the tab API (Microsoft 365 mode)', () => {
  test('a token Entra signed for the tab signs the person in', async () => {
    const res = await call('/api/me', `Bearer ${await token()}`);
    expect(res.status).toBe(200);
    const me = await res.json();
    expect(me.person).toMatchObject({ id: person.id, name: person.name });
    expect(me.demo).toBe(false);
  });

  test('v1.0 tokens are accepted too: sts.windows.net issuer, the Application ID URI as audience', async () => {
    const v1 = claims({ iss: `https://sts.windows.net/${tenantId}/`, aud: `api://countersign.example/${clientId}`, ver: '1.0' });
    expect((await call('/api/me', `Bearer ${await token(v1)}`)).status).toBe(200);
  });

  test('tokens made a minute ago on a clock running slightly ahead still pass (60 s of skew)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const skewed = claims({ iat: now + 30, nbf: now + 30, exp: now + 3600 });
    expect((await call('/api/me', `Bearer ${await token(skewed)}`)).status).toBe(200);
  });

  const now = () => Math.floor(Date.now() / 1000);
  test.each<[string, () => Promise<string>]>([
    ['no Authorization header', async () => ''],
    ['another app as audience', async () => `Bearer ${await token(claims({ aud: '44444444-4444-4444-8444-444444444444' }))}`],
    ['another issuer', async () => `Bearer ${await token(claims({ iss: `https://login.microsoftonline.com/${tenantId}/v2.0-evil` }))}`],
    ['an issuer of another tenant', async () => `Bearer ${await token(claims({ iss: 'https://sts.windows.net/55555555-5555-4555-8555-555555555555/' }))}`],
    ['another tenant in tid', async () => `Bearer ${await token(claims({ tid: '55555555-5555-4555-8555-555555555555' }))}`],
    ['no tid', async () => `Bearer ${await token(claims({ tid: undefined }))}`],
    ['expired two minutes ago', async () => `Bearer ${await token(claims({ iat: now() - 3720, exp: now() - 120 }))}`],
    ['not valid for another two minutes', async () => `Bearer ${await token(claims({ nbf: now() + 120 }))}`],
    ['alg none', async () => `Bearer ${unsigned(claims({ exp: now() + 3600 }), current.kid)}`],
    ['alg none with a signature part', async () => `Bearer ${unsigned(claims({ exp: now() + 3600 }), current.kid)}AAAA`],
    ['HS256 keyed with the public key', async () => `Bearer ${hs256(claims({ exp: now() + 3600 }), current.kid, await exportSPKI(current.publicKey))}`],
    ['signed by another key under the published kid', async () => `Bearer ${await token(claims(), { key: (await keyPair(current.kid)).privateKey })}`],
    ['a kid Entra never published', async () => `Bearer ${await token(claims(), { kid: 'not-a-published-key', key: (await keyPair('x')).privateKey })}`],
    ['no scp (an app-only token)', async () => `Bearer ${await token(claims({ scp: undefined, roles: ['access_as_user'] }))}`],
    ['another scope only', async () => `Bearer ${await token(claims({ scp: 'User.Read' }))}`],
    ['a scope that merely contains the name', async () => `Bearer ${await token(claims({ scp: 'access_as_user_admin' }))}`],
    ['no oid', async () => `Bearer ${await token(claims({ oid: undefined }))}`],
    ['a token with its payload changed after signing', async () => {
      const [h, , s] = (await token()).split('.');
      return `Bearer ${h}.${Buffer.from(JSON.stringify(claims({ oid: demoPeople.headTeacher.id, exp: now() + 3600 }))).toString('base64url')}.${s}`;
    }],
    ['the embedded demo\'s dev token', async () => `Bearer dev.${Buffer.from(person.id).toString('base64url')}.${Date.now() + 3_600_000}.c2lnbmF0dXJl`],
    ['a token without Bearer', async () => await token()],
    ['not a JWT at all', async () => 'Bearer hello'],
  ])('%s → 401 with no detail', async (_what, auth) => {
    await expectRefused(await call('/api/me', await auth()));
  });

  test('a key Entra rotates in is used once its key set is fetched again, and unknown kids cannot force fetches', async () => {
    // Make sure the key set is cached, then rotate: Entra publishes a new key beside the old one.
    expect((await call('/api/me', `Bearer ${await token()}`)).status).toBe(200);
    const fetchedAt = entra.lastFetchAt;
    const fetches = entra.fetches;
    const next = await keyPair('entra-key-2');
    entra.published = [current.jwk, next.jwk];

    // Within jose's 30 s cooldown after the last fetch, a new kid does not trigger another fetch.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(fetchedAt + 5_000);
    await expectRefused(await call('/api/me', `Bearer ${await token(claims(), { kid: next.kid, key: next.privateKey })}`));
    expect(entra.fetches).toBe(fetches);

    // After it, the unknown kid makes one fetch, which finds the new key.
    vi.setSystemTime(fetchedAt + 31_000);
    expect((await call('/api/me', `Bearer ${await token(claims(), { kid: next.kid, key: next.privateKey })}`)).status).toBe(200);
    expect(entra.fetches).toBe(fetches + 1);
    // The old key still works while Entra keeps publishing it.
    expect((await call('/api/me', `Bearer ${await token()}`)).status).toBe(200);
    expect(entra.fetches).toBe(fetches + 1);
  });

  test('an unauthenticated POST with a broken JSON body gets 401: sign-in is checked before the body is read', async () => {
    for (const path of ['/api/me', '/api/dev/session']) {
      await expectRefused(await call(path, undefined, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"personId": ' }));
      await expectRefused(await call(path, 'Bearer hello', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"personId": ' }));
    }
  });

  test('the embedded demo\'s sign-in routes do not exist: 401 without a token, 404 with one', async () => {
    await expectRefused(await call('/api/dev/people'));
    await expectRefused(await call(`/api/dev/inbox/${person.id}`));
    await expectRefused(await call('/api/dev/session', undefined, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ personId: person.id }) }));
    const auth = `Bearer ${await token()}`;
    const people = await call('/api/dev/people', auth);
    expect(people.status).toBe(404);
    expect(await people.json()).toMatchObject({ error: 'API.NOT_FOUND' });
    const inbox = await call(`/api/dev/inbox/${person.id}`, auth);
    expect(inbox.status).toBe(404);
    expect(await inbox.json()).toMatchObject({ error: 'API.NOT_FOUND' });
    const session = await call('/api/dev/session', auth, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ personId: person.id }) });
    expect(session.status).toBe(404);
    expect(await session.json()).toMatchObject({ error: 'API.NOT_FOUND' });
  });

  test('a good token for someone not on the staff list → 403 AUTH.NOT_STAFF', async () => {
    const res = await call('/api/me', `Bearer ${await token(claims({ oid: demoPeople.policyAdmin.id }))}`);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: 'AUTH.NOT_STAFF' });
  });

  test('no token appears in the log', () => {
    expect(issued.length).toBeGreaterThan(10);
    const all = logs.join('\n');
    for (const t of issued) expect(all).not.toContain(t.split('.')[2]);
  });
});

describe('when Entra\'s keys cannot be fetched', () => {
  test('the API answers 503 AUTH.KEYS_UNAVAILABLE, not 401, and logs why without the token', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'countersign-sso-offline-'));
    dirs.push(dir);
    const offlineLogs: string[] = [];
    // Nothing listens on port 9.
    const offline = createApp(loadConfig({ ...m365Env, DATA_DIR: dir, AAD_APP_OAUTH_AUTHORITY_HOST: 'http://127.0.0.1:9' }), { log: (m) => offlineLogs.push(m) });
    try {
      await offline.store.upsertStaff(demoStaff);
      const port = await offline.listen(0);
      const t = await new SignJWT(claims({ iss: `http://127.0.0.1:9/${tenantId}/v2.0` }))
        .setProtectedHeader({ alg: 'RS256', kid: current.kid })
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(current.privateKey);
      const res = await fetch(`http://127.0.0.1:${port}/api/me`, { headers: { authorization: `Bearer ${t}` } });
      expect(res.status).toBe(503);
      expect(await res.json()).toStrictEqual({ error: 'AUTH.KEYS_UNAVAILABLE', message: 'Sign-in cannot be checked just now. Try again shortly.' });
      expect(offlineLogs.join('\n')).toMatch(/signing keys are unavailable/);
      expect(offlineLogs.join('\n')).not.toContain(t.split('.')[2]);
    } finally {
      await offline.close();
    }
  });
});

describe('the rate limit with Teams SSO (Microsoft 365 mode, behind App Service\'s front end)', () => {
  test('counts each person by the oid of their verified token, and signed-out calls by the X-Forwarded-For client', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'countersign-sso-limit-'));
    dirs.push(dir);
    const config = loadConfig({ ...m365Env, DATA_DIR: dir, AAD_APP_OAUTH_AUTHORITY_HOST: entra.base, TAB_API_RATE_LIMIT: '10' });
    const limited = createApp(config, { log: () => undefined });
    try {
      await limited.store.upsertStaff(demoStaff.map((s) => ({ ...s, schoolId: config.schoolId })));
      const port = await limited.listen(0);
      const get = (auth?: string, from = '198.51.100.1:50000') => fetch(`http://127.0.0.1:${port}/api/me`, { headers: { ...(auth ? { authorization: auth } : {}), 'x-forwarded-for': from } });
      const ben = `Bearer ${await token()}`;
      for (let i = 0; i < 10; i++) expect((await get(ben)).status).toBe(200);
      // A fresh token of Ben's, from another address, is still Ben.
      const again = await get(`Bearer ${await token()}`, '198.51.100.2:50001');
      expect(again.status).toBe(429);
      expect(again.headers.get('retry-after')).toMatch(/^\d+$/);
      expect((await again.json()).error).toBe('REQUEST.RATE_LIMITED');
      // Gareth is not held back by Ben.
      expect((await get(`Bearer ${await token(claims({ oid: demoPeople.ictLeader.id }))}`)).status).toBe(200);
      // Signed out: counted per client address as the front end reports it, whatever port the connection used.
      for (let i = 0; i < 10; i++) expect((await get(undefined, `203.0.113.9:${40000 + i}`)).status).toBe(401);
      expect((await get(undefined, '203.0.113.9:41000')).status).toBe(429);
      expect((await get(undefined, '203.0.113.10:41000')).status).toBe(401);
    } finally {
      await limited.close();
    }
  });
});

describe('SSO settings', () => {
  test('the accepted audiences default to the client id and api://<PUBLIC_URL host>/<client id>', () => {
    expect(loadConfig({ ...m365Env, PUBLIC_URL: 'https://cs.example:8443/' }).sso).toStrictEqual({
      tenantId,
      clientId,
      audiences: [clientId, `api://cs.example:8443/${clientId}`],
      authorityHost: 'https://login.microsoftonline.com',
    });
  });

  test('SSO_AUDIENCES replaces them; the embedded mode has no SSO settings', () => {
    expect(loadConfig({ ...m365Env, SSO_AUDIENCES: ` ${clientId}, api://tab.example/${clientId} ` }).sso?.audiences).toStrictEqual([clientId, `api://tab.example/${clientId}`]);
    expect(loadConfig({ AAD_APP_CLIENT_ID: clientId }).sso).toBeUndefined();
  });

  test('the tenant is compared as Entra writes it, in lower case', () => {
    expect(loadConfig({ ...m365Env, BOT_TENANT_ID: ` ${tenantId.toUpperCase()} ` }).sso?.tenantId).toBe(tenantId);
  });
});
