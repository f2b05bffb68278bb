import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { demoSchool, demoStaff } from '../../src/adapters/demo-school';
import { hmacLinkSigner } from '../../src/adapters/node-crypto';
import { createApp, type CountersignApp } from '../../src/server/app';
import { loadConfig } from '../../src/server/config';
import { BotTokenIssuer, hs256, rs256, unsigned } from '../support/bot-tokens';
import { Harness } from '../support/harness';
import { m365Env } from '../support/m365-env';

/**
 * Malformed requests, from outside, through HTTP: each gets a clear 4xx with a JSON error code,
 * never a 5xx, and nothing reaches a store.
 */

const chloe = demoStaff.find((s) => s.name.startsWith('Chloe'))!;
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};

/** A raw HTTP request, for headers and paths that fetch would correct or refuse to send. */
function raw(baseUrl: string, o: { method?: string; path: string; headers?: Record<string, string>; body?: Buffer | string }) {
  const url = new URL(baseUrl);
  return new Promise<{ status: number; body: any; text: string }>((ok, fail) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method: o.method ?? 'POST', path: o.path, headers: o.headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        let body: any;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        ok({ status: res.statusCode!, body, text });
      });
    });
    req.on('error', fail);
    req.end(o.body);
  });
}

describe('embedded mode', () => {
  const exportDir = tempDir('countersign-exports-');
  const linkSecret = 'bad-input-test-link-secret-0123456789abcdef';
  const h = new Harness({ env: { EXPORT_DIR: exportDir, LINK_SIGNING_SECRET: linkSecret } });
  beforeAll(() => h.start());
  afterAll(() => h.stop());

  /** A well-formed personal-chat message from Chloe, who has never written to the bot. */
  const good = (extra: Record<string, unknown> = {}) => ({
    id: 'act-1',
    type: 'message',
    text: 'help',
    channelId: 'msteams',
    serviceUrl: h.connector.url,
    from: { id: `29:${chloe.id}`, aadObjectId: chloe.id, name: chloe.name },
    recipient: { id: '28:countersign', name: 'Countersign' },
    conversation: { id: `a:conv-${chloe.id}`, conversationType: 'personal', tenantId: demoSchool.tenantId },
    channelData: { tenant: { id: demoSchool.tenantId } },
    ...extra,
  });
  const without = (key: string) => {
    const a: Record<string, unknown> = good();
    delete a[key];
    return a;
  };

  const malformed: [string, unknown, string][] = [
    ['an empty object', {}, 'type'],
    ['an array', [good()], 'activity'],
    ['entities that are null', good({ entities: null }), 'entities'],
    ['no type', without('type'), 'type'],
    ['an empty type', good({ type: '' }), 'type'],
    ['a type that is a number', good({ type: 7 }), 'type'],
    ['no conversation', without('conversation'), 'conversation'],
    ['a conversation that is a string', good({ conversation: 'a:conv' }), 'conversation'],
    ['a conversation id that is not a string', good({ conversation: { id: 42 } }), 'conversation.id'],
    ['a conversation id that is empty', good({ conversation: { id: '' } }), 'conversation.id'],
    ['a conversation id of 5,000 characters', good({ conversation: { id: 'a'.repeat(5000) } }), 'conversation.id'],
    ['no serviceUrl', without('serviceUrl'), 'serviceUrl'],
    ['a serviceUrl that is not a string', good({ serviceUrl: 5 }), 'serviceUrl'],
    ['a serviceUrl that is not a URL', good({ serviceUrl: 'not a url' }), 'serviceUrl'],
    ['a javascript: serviceUrl', good({ serviceUrl: 'javascript:alert(1)' }), 'serviceUrl'],
    ['no from', without('from'), 'from'],
    ['a from that is a string', good({ from: chloe.id }), 'from'],
    ['a from id that is an object', good({ from: { id: { $ne: null } } }), 'from.id'],
    ['an aadObjectId that is a number', good({ from: { id: '29:x', aadObjectId: 1 } }), 'from.aadObjectId'],
    ['no recipient', without('recipient'), 'recipient'],
    ['no channelId', without('channelId'), 'channelId'],
    ['a text that is an object', good({ text: { toString: 'help' } }), 'text'],
    ['a value that is a string', good({ value: 'approval.approve' }), 'value'],
    ['a value that is an array', good({ value: [{ verb: 'approval.approve' }] }), 'value'],
    ['an invoke whose value is a string', good({ type: 'invoke', name: 'adaptiveCard/action', value: 'x' }), 'value'],
    ['a card action that is a string', good({ type: 'invoke', name: 'adaptiveCard/action', value: { action: 'Action.Execute' } }), 'value.action'],
    ['a card action whose data is a list', good({ type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'help.show', data: [1] } } }), 'value.action.data'],
    ['a card action whose verb is a number', good({ type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 3 } } }), 'value.action.verb'],
    ['entities that are not a list', good({ entities: { type: 'mention' } }), 'entities'],
    ['a mention with no one mentioned', good({ entities: [{ type: 'mention', text: '<at>x</at>' }] }), 'entities.0.mentioned.id'],
    ['membersAdded that is a string', good({ type: 'conversationUpdate', membersAdded: 'everyone' }), 'membersAdded'],
    ['a channelData tenant that is a string', good({ channelData: { tenant: 'contoso' } }), 'channelData.tenant'],
    ['a timestamp that is a number', good({ timestamp: 1_700_000_000 }), 'timestamp'],
    // The reply's x-ms-conversation-id header cannot carry it: the turn threw and could not even apologise.
    ['a conversation id outside printable ASCII', good({ conversation: { id: 'a:convĀ', conversationType: 'personal', tenantId: demoSchool.tenantId } }), 'conversation.id'],
    // The reply's address cannot carry it: encodeURIComponent threw on the lone surrogate, in the turn and in its apology.
    ['an activity id with a lone surrogate', good({ id: 'act-\uD800' }), 'id'],
    ['a conversation id with a line break', good({ conversation: { id: 'a:conv\r\nx-evil: 1', conversationType: 'personal', tenantId: demoSchool.tenantId } }), 'conversation.id'],
  ];

  test.each(malformed)('%s → 400 naming the field, before any store or the connector is touched', async (_name, body, field) => {
    const calls = h.connector.calls.length;
    const res = await h.post(body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'ACTIVITY.INVALID' });
    expect(res.body.fields).toContain(field);
    expect(res.body.message).toContain(field);
    expect(await h.app.store.getConversation(chloe.id)).toBeUndefined();
    expect(h.connector.calls.length).toBe(calls);
  });

  test('every shape Teams and the Playground send is still accepted', async () => {
    const mention = { type: 'mention', text: '<at>Countersign</at>', mentioned: { id: '28:countersign', name: 'Countersign' } };
    const accepted: [string, Record<string, unknown>][] = [
      ['message', good()],
      ['message with nulls', good({ replyToId: null, value: null, name: null, locale: 'en-GB', timestamp: new Date().toISOString() })],
      ['message mentioning the bot', good({ text: '<at>Countersign</at> help', entities: [mention, { type: 'clientInfo', locale: 'en-GB', platform: 'Web' }] })],
      ['Action.Submit fallback', good({ text: undefined, value: { verb: 'help.show' } })],
      ['Action.Execute invoke', good({ type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'help.show', data: {} }, trigger: 'manual' } })],
      ['conversationUpdate', good({ type: 'conversationUpdate', text: undefined, membersAdded: [{ id: `29:${chloe.id}`, aadObjectId: chloe.id }], channelData: { tenant: { id: demoSchool.tenantId }, eventType: 'teamMemberAdded', team: { id: '19:x' } } })],
      ['installationUpdate', good({ type: 'installationUpdate', text: undefined, action: 'add' })],
      ['messageReaction', good({ type: 'messageReaction', text: undefined, reactionsAdded: [{ type: 'like' }], replyToId: 'm1' })],
      ['typing', good({ type: 'typing', text: undefined })],
      ['event', good({ type: 'event', text: undefined, name: 'application/vnd.microsoft.readReceipt', value: { lastReadMessageId: '1' } })],
      ['an unknown activity type', good({ type: 'handoff', text: undefined })],
    ];
    for (const [name, body] of accepted) {
      const res = await h.post(body);
      expect(res.status, `${name}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
    }
    // The positive control for the test above: a good activity does reach the store.
    expect(await h.app.store.getConversation(chloe.id)).toBeDefined();
    expect(h.logs.filter((l) => l.startsWith('turn failed'))).toEqual([]);
  });

  test("express's own refusals keep their status and answer JSON", async () => {
    const json = { 'content-type': 'application/json' };
    const cases: [string, Parameters<typeof raw>[1], number, string][] = [
      ['unknown charset', { path: '/api/messages', headers: { 'content-type': 'application/json; charset=klingon' }, body: '{}' }, 415, 'REQUEST.UNSUPPORTED_CHARSET'],
      ['unknown Content-Encoding', { path: '/api/messages', headers: { ...json, 'content-encoding': 'x-rot13' }, body: '{}' }, 415, 'REQUEST.UNSUPPORTED_ENCODING'],
      ['gzip that is not gzip', { path: '/api/messages', headers: { ...json, 'content-encoding': 'gzip' }, body: '{"type":"message"}' }, 400, 'REQUEST.MALFORMED'],
      ['truncated gzip', { path: '/api/messages', headers: { ...json, 'content-encoding': 'gzip' }, body: gzipSync(JSON.stringify(good())).subarray(0, 20) }, 400, 'REQUEST.MALFORMED'],
      ['JSON that does not parse', { path: '/api/messages', headers: json, body: '{"type":' }, 400, 'REQUEST.MALFORMED'],
      ['JSON that is a string, not an object', { path: '/api/messages', headers: json, body: '"message"' }, 400, 'REQUEST.MALFORMED'],
      ['a body over the limit', { path: '/api/messages', headers: json, body: JSON.stringify(good({ text: 'x'.repeat(300_000) })) }, 413, 'REQUEST.TOO_LARGE'],
      ['malformed percent-encoding in a path', { method: 'GET', path: '/exports/%E0%A4%A.csv?s=x' }, 400, 'REQUEST.MALFORMED_PATH'],
      ['a lone percent sign in a path parameter', { method: 'GET', path: '/exports/%.csv' }, 400, 'REQUEST.MALFORMED_PATH'],
      // Past Node's 16 KB header limit: Node's parser refuses it before express, and used to answer a bare 431 with no body.
      ['an address longer than the header limit', { method: 'GET', path: `/api/requests?q=${'x'.repeat(20_000)}` }, 431, 'REQUEST.HEADERS_TOO_LARGE'],
    ];
    for (const [name, req, status, code] of cases) {
      const res = await raw(h.baseUrl, req);
      expect([name, res.status, res.body?.error]).toEqual([name, status, code]);
    }
    // A gzip body that is well formed is still read.
    const zipped = await raw(h.baseUrl, { path: '/api/messages', headers: { ...json, 'content-encoding': 'gzip' }, body: gzipSync(JSON.stringify(good())) });
    expect(zipped.status).toBe(200);
  });

  test('a validly signed export link whose file is gone is a 404; while it exists, it downloads', async () => {
    const file = 'campaign-gone.csv';
    const signed = (expires: number) => `/exports/${file}?e=${expires}&s=${hmacLinkSigner(linkSecret).sign(`export:${file}:${expires}`)}`;
    const inAnHour = Math.floor(Date.now() / 1000) + 3600;
    const link = signed(inAnHour);
    mkdirSync(exportDir, { recursive: true });
    writeFileSync(join(exportDir, file), 'name,state\nChloe,signed\n');
    const present = await raw(h.baseUrl, { method: 'GET', path: link });
    expect(present.status).toBe(200);
    expect(present.text).toContain('Chloe,signed');
    rmSync(join(exportDir, file));
    const gone = await raw(h.baseUrl, { method: 'GET', path: link });
    expect(gone.status).toBe(404);
    expect(gone.text).toMatch(/no longer on the server/);
    const forged = await raw(h.baseUrl, { method: 'GET', path: `/exports/${file}?s=AAAA` });
    expect(forged.status).toBe(403);
  });

  test('an export link expires: past its time it is a 410 saying so, and its time cannot be moved on without the signature', async () => {
    const file = 'campaign-old.csv';
    mkdirSync(exportDir, { recursive: true });
    writeFileSync(join(exportDir, file), 'name,state\nChloe,signed\n');
    const sign = (expires: number) => hmacLinkSigner(linkSecret).sign(`export:${file}:${expires}`);
    const anHourAgo = Math.floor(Date.now() / 1000) - 3600;
    const expired = await raw(h.baseUrl, { method: 'GET', path: `/exports/${file}?e=${anHourAgo}&s=${sign(anHourAgo)}` });
    expect(expired.status).toBe(410);
    expect(expired.text).toMatch(/expired.*Ask for a new export/);
    const movedOn = await raw(h.baseUrl, { method: 'GET', path: `/exports/${file}?e=${anHourAgo + 7200}&s=${sign(anHourAgo)}` });
    expect(movedOn.status).toBe(403);
    // The signature of a link without a time (as they were before links expired) is not accepted either.
    const timeless = await raw(h.baseUrl, { method: 'GET', path: `/exports/${file}?s=${hmacLinkSigner(linkSecret).sign(`export:${file}`)}` });
    expect(timeless.status).toBe(403);
  });
});

describe('Microsoft 365 mode', () => {
  const env = m365Env;
  const appId = env.BOT_ID;
  const tenantId = env.BOT_TENANT_ID;
  const issuer = new BotTokenIssuer();
  const logs: string[] = [];
  let app: CountersignApp;
  let baseUrl = '';
  // Nothing listens here: replies the bot tries to send fail, which no test below depends on.
  const serviceUrl = 'http://127.0.0.1:9/';

  beforeAll(async () => {
    await issuer.start();
    app = createApp(loadConfig({ ...env, DATA_DIR: tempDir('countersign-m365-') }), { log: (m) => logs.push(m), botSigningKeysUrl: issuer.metadataUrl });
    baseUrl = `http://127.0.0.1:${await app.listen(0)}`;
  });
  afterAll(async () => {
    await app?.close();
    await issuer.stop();
  });

  /** An Action.Execute invoke: its answer comes back in the HTTP response, so no reply has to reach a connector. */
  const invoke = (extra: Record<string, unknown> = {}) => ({
    type: 'invoke',
    name: 'adaptiveCard/action',
    value: { action: { type: 'Action.Execute', verb: 'help.show', data: {} }, trigger: 'manual' },
    channelId: 'msteams',
    serviceUrl,
    from: { id: '29:someone', aadObjectId: '33333333-3333-4333-8333-333333333333' },
    recipient: { id: `28:${appId}` },
    conversation: { id: 'a:conv-someone', conversationType: 'personal', tenantId },
    channelData: { tenant: { id: tenantId } },
    ...extra,
  });
  const post = async (body: unknown, authorization?: string, base = baseUrl) => {
    const res = await fetch(`${base}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, text, body: text ? JSON.parse(text) : undefined };
  };
  const claims = (o: Record<string, unknown> = {}) => issuer.claims(appId, serviceUrl, o);
  const refused = { error: 'AUTH.INVALID_TOKEN', message: 'This request does not carry a valid Bot Framework token.' };

  test('a correctly signed token is accepted (the control for the forgeries below)', async () => {
    const res = await post(invoke(), `Bearer ${issuer.sign(claims())}`);
    expect(res.status).toBe(200);
    expect(res.body.type).toBe('application/vnd.microsoft.card.adaptive');
  });

  test.each([
    ['no Authorization header', () => undefined],
    ['Basic auth', () => 'Basic dXNlcjpwYXNz'],
    ['a bearer that is not a JWT', () => 'Bearer garbage'],
    ['a JWT with a header that is not JSON', () => `Bearer bm90IGpzb24.${Buffer.from('{}').toString('base64url')}.c2ln`],
    ['alg: none', () => `Bearer ${unsigned(claims(), issuer.kid)}`],
    ['HS256 keyed with the public key', () => `Bearer ${hs256(claims(), issuer.kid, issuer.publicPem())}`],
    ['RS256 with a key id that does not exist', () => `Bearer ${issuer.sign(claims(), { kid: 'no-such-key' })}`],
    ['RS256 with a published key id and a wrong signature', () => `Bearer ${rs256(claims(), issuer.kid, issuer.forgerKey)}`],
    ['RS256 with a signature altered by one character', () => {
      const t = issuer.sign(claims());
      return `Bearer ${t.slice(0, -3)}${t.at(-3) === 'A' ? 'B' : 'A'}${t.slice(-2)}`;
    }],
    ['a valid signature, expired', () => `Bearer ${issuer.sign(claims({ exp: Math.floor(Date.now() / 1000) - 3600, nbf: Math.floor(Date.now() / 1000) - 7200 }))}`],
    ['a valid signature, for another bot', () => `Bearer ${issuer.sign(claims({ aud: '99999999-9999-4999-8999-999999999999' }))}`],
    ['a valid signature, from another issuer', () => `Bearer ${issuer.sign(claims({ iss: 'https://evil.example' }))}`],
    ['a valid signature, for another serviceUrl', () => `Bearer ${issuer.sign(claims({ serviceurl: 'https://smba.evil.example/' }))}`],
  ])('%s → 401 in our words, never 500', async (_name, header) => {
    const res = await post(invoke(), header());
    expect(res.status).toBe(401);
    expect(res.body).toEqual(refused);
  });

  test('when the signing keys cannot be fetched, the answer is 503 (an outage, not a forgery), never 500', async () => {
    const dir = tempDir('countersign-nokeys-');
    const offline = createApp(loadConfig({ ...env, DATA_DIR: dir }), { log: () => undefined, botSigningKeysUrl: 'http://127.0.0.1:9/.well-known/openidconfiguration' });
    const port = await offline.listen(0);
    try {
      const res = await post(invoke(), `Bearer ${issuer.sign(claims())}`, `http://127.0.0.1:${port}`);
      expect(res.status).toBe(503);
      expect(res.body.error).toBe('AUTH.KEYS_UNAVAILABLE');
      expect(res.text).not.toMatch(/ECONNREFUSED|openidconfiguration/);
    } finally {
      await offline.close();
    }
  });

  test.each([
    ['another tenant in channelData', { channelData: { tenant: { id: '44444444-4444-4444-8444-444444444444' } }, conversation: { id: 'a:c', conversationType: 'personal' } }],
    ['another tenant in the conversation', { channelData: {}, conversation: { id: 'a:c', conversationType: 'personal', tenantId: '44444444-4444-4444-8444-444444444444' } }],
    ['our tenant in one place and another in the other', { conversation: { id: 'a:c', tenantId: '44444444-4444-4444-8444-444444444444' } }],
    ['no tenant at all', { channelData: {}, conversation: { id: 'a:c', conversationType: 'personal' } }],
  ])('an activity from %s is refused with 403, though its token is valid', async (_name, extra) => {
    const res = await post(invoke(extra), `Bearer ${issuer.sign(claims())}`);
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('TENANT.NOT_ALLOWED');
  });

  test('our tenant, spelt in capitals, is ours', async () => {
    const res = await post(invoke({ channelData: { tenant: { id: tenantId.toUpperCase() } } }), `Bearer ${issuer.sign(claims())}`);
    expect(res.status).toBe(200);
  });

  test('a malformed activity is a 400 here too, whatever its token', async () => {
    const res = await post({ ...invoke(), conversation: { id: 7 } }, `Bearer ${issuer.sign(claims())}`);
    expect(res.status).toBe(400);
    expect(res.body.fields).toEqual(['conversation.id']);
  });

  test('no test above made the server log an unhandled error', () => {
    expect(logs.filter((l) => l.startsWith('unhandled'))).toEqual([]);
  });
});
