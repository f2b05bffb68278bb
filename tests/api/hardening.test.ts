import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPeople } from '../../src/adapters/demo-school';
import { hmacLinkSigner } from '../../src/adapters/node-crypto';
import { clientAddress } from '../../src/server/api/rate-limit';
import { loadConfig } from '../../src/server/config';
import { TEAMS_FRAME_ANCESTORS } from '../../src/server/security-headers';
import { Harness } from '../support/harness';
import { apiAs, tabApi } from '../support/tab-api';

/** The policy's directives by name: `{ 'frame-ancestors': ['teams.microsoft.com', …] }`. */
function csp(header: string | null): Record<string, string[]> {
  return Object.fromEntries(
    (header ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...values]) => [name, values]),
  );
}

describe('security headers', () => {
  const h = new Harness();
  beforeAll(() => h.start());
  afterAll(() => h.stop());

  it('every API, bot and link response carries them, refuses to be framed and loads nothing', async () => {
    const signedIn = await fetch(`${h.baseUrl}/api/me`, { headers: { authorization: `Bearer ${(await devToken(h, demoPeople.requester.id))}` } });
    const answers = [
      signedIn,
      await fetch(`${h.baseUrl}/api/me`),
      await fetch(`${h.baseUrl}/healthz`),
      await fetch(`${h.baseUrl}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type":' }),
      await fetch(`${h.baseUrl}/exports/nothing.csv?e=1&s=forged`),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 401, 200, 400, 403]);
    for (const res of answers) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-powered-by')).toBeNull();
      const policy = csp(res.headers.get('content-security-policy'));
      expect(policy['default-src']).toEqual(["'none'"]);
      expect(policy['frame-ancestors']).toEqual(["'none'"]);
    }
  });

  it('the tab may be framed by Teams, Outlook and Microsoft 365, by nothing else, and runs only its own scripts', async () => {
    const res = await fetch(`${h.baseUrl}/tab/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    // X-Frame-Options cannot name hosts, and DENY or SAMEORIGIN would blank the tab inside Teams.
    expect(res.headers.get('x-frame-options')).toBeNull();
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const policy = csp(res.headers.get('content-security-policy'));
    expect(policy['frame-ancestors']).toEqual(expect.arrayContaining(["'self'", 'teams.microsoft.com', '*.teams.microsoft.com', '*.cloud.microsoft', '*.office.com', 'outlook.office.com', '*.microsoft365.com']));
    expect(policy['frame-ancestors']).toEqual(["'self'", ...TEAMS_FRAME_ANCESTORS]);
    expect(policy['frame-ancestors']).not.toContain('*');
    expect(policy['script-src']).toEqual(["'self'"]);
    expect(policy['object-src']).toEqual(["'none'"]);
    // Its assets carry the same policy (a module script's own CSP matters to nothing, but no asset may lack headers).
    const html = await res.text();
    const script = /src="(\/tab\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${h.baseUrl}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('request body limits', () => {
  const h = new Harness();
  beforeAll(() => h.start());
  afterAll(() => h.stop());

  const big = { name: 'x'.repeat(300_000) };

  it('the tab API refuses a body over 256 KB with 413 and a message saying what to do', async () => {
    const admin = await apiAs(h, demoPeople.policyAdmin);
    const res = await admin.post('/api/campaigns', big);
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: 'REQUEST.TOO_LARGE', message: 'The request body is larger than 256kb. Shorten the text and try again.' });
    // Without a sign-in the body is never read: 401, whatever its size.
    expect((await tabApi(h).post('/api/campaigns', big)).status).toBe(401);
    // The open dev sign-in reads its body too, under the same limit.
    const dev = await tabApi(h).post('/api/dev/session', { personId: 'x'.repeat(300_000) });
    expect([dev.status, dev.body.error]).toEqual([413, 'REQUEST.TOO_LARGE']);
  });

  it('the bot endpoint refuses a body over the limit with 413 and the same message', async () => {
    const res = await tabApi(h).post('/api/messages', h.activity(demoPeople.requester, { type: 'message', text: 'x'.repeat(300_000) }));
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: 'REQUEST.TOO_LARGE', message: 'The request body is larger than 256kb. Shorten the text and try again.' });
  });
});

describe('TAB_API_RATE_LIMIT', () => {
  it('defaults to 300 a minute, and a wrong value stops the start naming the variable', () => {
    expect(loadConfig({}).tabApiRatePerMinute).toBe(300);
    expect(loadConfig({ TAB_API_RATE_LIMIT: '1200' }).tabApiRatePerMinute).toBe(1200);
    for (const wrong of ['0', '5', 'lots', '12.5']) {
      expect(() => loadConfig({ TAB_API_RATE_LIMIT: wrong })).toThrow(/^Countersign cannot start: TAB_API_RATE_LIMIT must be/);
    }
    expect(() => loadConfig({ LOG_LEVEL: 'verbose' })).toThrow(/^Countersign cannot start: LOG_LEVEL must be one of/);
  });
});

describe('the address a signed-out call is counted by', () => {
  it('drops the port App Service’s front end adds to X-Forwarded-For, so new connections are the same caller', () => {
    expect(clientAddress('203.0.113.7:51234')).toBe('203.0.113.7');
    expect(clientAddress('203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddress('[2001:db8::1]:443')).toBe('2001:db8::1');
    expect(clientAddress('2001:db8::1')).toBe('2001:db8::1');
    expect(clientAddress('::ffff:127.0.0.1')).toBe('::ffff:127.0.0.1');
    expect(clientAddress(undefined)).toBe('unknown');
  });
});

describe('per-person rate limit on the tab API', () => {
  const LIMIT = 12;
  const h = new Harness({ env: { TAB_API_RATE_LIMIT: String(LIMIT) } });
  beforeAll(() => h.start());
  afterAll(() => h.stop());

  let gareth: Awaited<ReturnType<typeof apiAs>>;

  it('one person over the limit is refused with 429, Retry-After and a plain message, while another still gets through', async () => {
    const ben = await apiAs(h, demoPeople.requester);
    gareth = await apiAs(h, demoPeople.ictLeader);
    for (let i = 0; i < LIMIT; i++) expect((await ben.get('/api/me')).status).toBe(200);
    const token = await devToken(h, demoPeople.requester.id);
    const refused = await fetch(`${h.baseUrl}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await refused.json()).toEqual({ error: 'REQUEST.RATE_LIMITED', message: `Too many requests: Countersign takes up to ${LIMIT} a minute from one person. Wait ${retryAfter} ${retryAfter === 1 ? 'second' : 'seconds'} and try again.` });
    // Another session of the same person is the same person.
    expect((await ben.post('/api/campaigns', {})).status).toBe(429);
    // Someone else is not held back by Ben.
    const other = await gareth.get('/api/me');
    expect(other.status).toBe(200);
    expect(other.body.person.name).toBe(demoPeople.ictLeader.name);
  });

  it('calls without an accepted sign-in count per address, whatever token or header they carry', async () => {
    // The dev sign-ins above were open calls from this address; the rest of its allowance goes now. Neither a
    // different (unaccepted) token nor an X-Forwarded-For header makes a fresh caller of it.
    let status = 0;
    let calls = 0;
    for (; calls <= LIMIT && status !== 429; calls++) {
      const res = await fetch(`${h.baseUrl}/api/me`, { headers: { authorization: `Bearer dev.forged${calls}.1.x`, 'x-forwarded-for': `203.0.113.${calls}` } });
      status = res.status;
      if (status !== 429) expect(status).toBe(401);
    }
    expect(status).toBe(429);
    expect((await tabApi(h).post('/api/dev/session', { personId: demoPeople.headTeacher.id })).status).toBe(429);
    // A signed-in person is counted on their own, not with the address they call from.
    expect((await gareth.get('/api/me')).status).toBe(200);
  });
});

async function devToken(h: Harness, personId: string): Promise<string> {
  const res = await tabApi(h).post<{ token: string }>('/api/dev/session', { personId });
  if (res.status !== 200) throw new Error(`dev sign-in answered ${res.status}`);
  return res.body.token;
}

describe('structured logs', () => {
  const secret = 'log-test-link-secret-0123456789-abcdef';
  const h = new Harness({ env: { LINK_SIGNING_SECRET: secret } });
  beforeAll(() => h.start());
  afterAll(() => h.stop());

  it('are one JSON object a line with a request id, echoed to the caller, and never hold a token, a secret or a link signature', async () => {
    const from = h.logLines.length;
    const sign = hmacLinkSigner(secret);
    // Assembled here, so that this file holds no token shape for the secret scan (tests/unit/secret-scan.test.ts) to find.
    const b64url = (s: string) => Buffer.from(s).toString('base64url');
    const forgedJwt = `${b64url('{"alg":"RS256","kid":"log-test"}')}.${b64url('{"oid":"log-test"}')}.${b64url('log-test-signature-value')}`;
    const bodySecrets = { password: 'Hunter2-log-test-password', clientSecret: ['abc', '8Q~', 'log-test-client-secret-value-0123'].join(''), token: 'log-test-body-token-value' };

    const session = await fetch(`${h.baseUrl}/api/dev/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ personId: demoPeople.policyAdmin.id, ...bodySecrets }) });
    const { token } = (await session.json()) as { token: string };
    const me = await fetch(`${h.baseUrl}/api/me`, { headers: { authorization: `Bearer ${token}`, cookie: 'session=log-test-cookie-value', 'x-request-id': 'trace-abc.123' } });
    expect(me.status).toBe(200);
    expect(me.headers.get('x-request-id')).toBe('trace-abc.123');
    const forged = await fetch(`${h.baseUrl}/api/me`, { headers: { authorization: `Bearer ${forgedJwt}`, 'x-request-id': '<script>alert(1)</script>' } });
    expect(forged.status).toBe(401);
    // Free text is never taken as an id: a fresh one is made and echoed instead.
    const madeId = forged.headers.get('x-request-id');
    expect(madeId).toMatch(/^[0-9a-f-]{36}$/);

    const file = 'log-test.csv';
    const expires = Math.floor(Date.now() / 1000) + 3600;
    const exportSig = sign.sign(`export:${file}:${expires}`);
    const exportLink = await fetch(`${h.baseUrl}/exports/${file}?e=${expires}&s=${exportSig}`);
    expect(exportLink.status).toBe(404); // validly signed; the file was never written
    const versionId = 'v-log-test';
    const policySig = sign.sign(`open:${versionId}:${demoPeople.requester.id}`);
    await fetch(`${h.baseUrl}/policy/open?v=${versionId}&u=${demoPeople.requester.id}&s=${policySig}`, { redirect: 'manual' });
    const withSecret = await fetch(`${h.baseUrl}/api/campaigns?token=log-test-query-token&sig=log-test-query-sig`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(bodySecrets) });
    expect(withSecret.status).toBe(400);

    await expect.poll(() => h.logLines.length - from).toBeGreaterThanOrEqual(6);
    const lines = h.logLines.slice(from);
    const all = lines.join('');
    for (const value of [token, token.split('.').at(-1)!, forgedJwt, 'log-test-cookie-value', exportSig, policySig, 'log-test-query-token', 'log-test-query-sig', ...Object.values(bodySecrets)]) {
      expect(all).not.toContain(value);
    }
    const parsed = lines.map((l) => JSON.parse(l) as { reqId?: string; level: string; msg: string; req?: { method: string; url: string }; res?: { statusCode: number } });
    const requests = parsed.filter((l) => l.req);
    expect(requests.length).toBeGreaterThanOrEqual(6);
    for (const l of requests) expect(l.reqId).toMatch(/^[\w.-]{1,64}$/);
    expect(requests.find((l) => l.reqId === 'trace-abc.123')).toMatchObject({ req: { method: 'GET', url: '/api/me' }, res: { statusCode: 200 } });
    expect(requests.find((l) => l.reqId === madeId)).toMatchObject({ level: 'warn', res: { statusCode: 401 } });
    // The link is still recognisable in the log, its signature blanked.
    expect(requests.map((l) => l.req!.url)).toContain(`/exports/${file}?e=${expires}&s=[redacted]`);
    expect(requests.map((l) => l.req!.url)).toContain('/api/campaigns?token=[redacted]&sig=[redacted]');
  });
});
