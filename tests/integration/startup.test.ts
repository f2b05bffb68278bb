import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { demoStaff } from '../../src/adapters/demo-school';
import { BotTokenIssuer } from '../support/bot-tokens';
import { validForm } from '../support/forms';
import { Harness, people } from '../support/harness';
import { actionsOf, allText } from '../support/validate-card';
import { m365Env } from '../support/m365-env';

const root = resolve(__dirname, '../..');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Starts the real entry point as `npm start` would, with only the given environment. */
function startServer(env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME!, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

const complete = m365Env;

describe('configuration is checked once, at start', () => {
  test.each([
    [{ COUNTERSIGN_MODE: 'm365' }, /^Countersign cannot start: BOT_ID is required when COUNTERSIGN_MODE=m365/],
    [{ COUNTERSIGN_MODE: 'm365', BOT_ID: 'x', BOT_TENANT_ID: 't' }, /^Countersign cannot start: BOT_PASSWORD is required/],
    [{ COUNTERSIGN_MODE: 'scaled', BOT_ID: 'x', BOT_PASSWORD: 'p' }, /^Countersign cannot start: BOT_TENANT_ID is required/],
    [{ COUNTERSIGN_MODE: 'm365', BOT_ID: 'x', BOT_PASSWORD: 'p', BOT_TENANT_ID: 't' }, /^Countersign cannot start: PUBLIC_URL is required/],
    [{ COUNTERSIGN_MODE: 'm365', BOT_ID: 'x', BOT_PASSWORD: 'p', BOT_TENANT_ID: 't', PUBLIC_URL: 'https://cs.example' }, /^Countersign cannot start: LINK_SIGNING_SECRET is required/],
    [{ COUNTERSIGN_MODE: 'm365', BOT_ID: 'x', BOT_PASSWORD: 'p', BOT_TENANT_ID: 't', PUBLIC_URL: 'https://cs.example', LINK_SIGNING_SECRET: 'short' }, /^Countersign cannot start: LINK_SIGNING_SECRET must be at least 32 characters/],
    [{ STORE: 'sharepoint', LINK_SIGNING_SECRET: 'x'.repeat(40) }, /^Countersign cannot start: STORE=sharepoint is refused in COUNTERSIGN_MODE=embedded/],
    [{ COUNTERSIGN_MODE: 'embedded', STORE: 'sharepoint', SHAREPOINT_SITE_ID: 's', GRAPH_TENANT_ID: 't', GRAPH_CLIENT_ID: 'c', GRAPH_CLIENT_SECRET: 'not-a-real-secret' }, /^Countersign cannot start: STORE=sharepoint is refused in COUNTERSIGN_MODE=embedded/],
    [{ BOT_ID: complete.BOT_ID }, /^Countersign cannot start: BOT_ID is refused in COUNTERSIGN_MODE=embedded/],
    [{ COUNTERSIGN_MODE: 'embedded', BOT_ID: complete.BOT_ID, BOT_PASSWORD: 'not-a-real-secret' }, /^Countersign cannot start: BOT_ID is refused in COUNTERSIGN_MODE=embedded/],
    [{ BOT_PASSWORD: 'not-a-real-secret' }, /^Countersign cannot start: BOT_PASSWORD is refused in COUNTERSIGN_MODE=embedded/],
    [{ ...complete, SCHOOL_ID: '' }, /^Countersign cannot start: SCHOOL_ID is required when COUNTERSIGN_MODE=m365/],
    [{ ...complete, AAD_APP_CLIENT_ID: '' }, /^Countersign cannot start: AAD_APP_CLIENT_ID is required when COUNTERSIGN_MODE=m365/],
    [{ ...complete, AAD_APP_CLIENT_ID: 'api://countersign.example/33333333-3333-4333-8333-333333333333' }, /^Countersign cannot start: AAD_APP_CLIENT_ID must be the SSO app registration's client id/],
    [{ ...complete, SSO_AUDIENCES: ' , ' }, /^Countersign cannot start: SSO_AUDIENCES must list at least one audience/],
    [{ ...complete, AAD_APP_OAUTH_AUTHORITY_HOST: 'login.microsoftonline.com' }, /^Countersign cannot start: AAD_APP_OAUTH_AUTHORITY_HOST must be a URL/],
    [{ SCHOOL_ID: 'Larkfield Primary' }, /^Countersign cannot start: SCHOOL_ID must be a short slug/],
    [{ ...complete, STORE: 'sharepoint' }, /^Countersign cannot use SharePoint: (SHAREPOINT_SITE_ID|GRAPH_TENANT_ID|environment)/],
    [{ ...complete, STORE: 'sharepoint', SHAREPOINT_SITE_URL: 'not a url', GRAPH_TENANT_ID: 't', GRAPH_CLIENT_ID: 'c', GRAPH_CLIENT_SECRET: 's' }, /^Countersign cannot use SharePoint: SHAREPOINT_SITE_URL must be a URL/],
    // Reaching people who have never opened the app: the app installs itself through Graph, which only the SharePoint settings give.
    [{ ...complete, TEAMS_APP_ID: '44444444-4444-4444-8444-444444444444' }, /^Countersign cannot start: TEAMS_APP_ID needs STORE=sharepoint/],
    [{ ...complete, TEAMS_APP_ID: 'com.example.countersign' }, /^Countersign cannot start: TEAMS_APP_ID must be the Teams app's manifest id, a GUID/],
    [{ COUNTERSIGN_MODE: 'cloud' }, /^Countersign cannot start: COUNTERSIGN_MODE must be one of embedded, m365, scaled/],
    [{ PORT: 'eighty' }, /^Countersign cannot start: PORT must be a port number/],
  ])('%j stops with one line naming the variable', (env, line) => {
    const res = startServer(env as Record<string, string>);
    expect(res.status).toBe(1);
    const lines = res.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(line);
    expect(res.stderr).not.toContain('not-a-real-secret');
    expect(res.stderr).not.toContain('x'.repeat(40));
  });
});

/** Spawns the server and resolves with its port once it says it is listening. */
async function serve(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, args, { cwd: root, env: { PATH: process.env.PATH!, HOME: process.env.HOME!, PORT: '0', ...env } });
  const port = await new Promise<number>((ok, fail) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on http:\/\/localhost:(\d+)/);
      if (m) ok(Number(m[1]));
    });
    child.on('exit', (code) => fail(new Error(`exited ${code}`)));
  });
  return { port, stop: () => child.kill('SIGTERM') };
}

/** The health check's status through one address, or the connection error's code. */
async function healthAt(host: string, port: number): Promise<number | string> {
  try {
    return (await fetch(`http://${host}:${port}/healthz`)).status;
  } catch (e) {
    return String(((e as Error).cause as { code?: string })?.code ?? e);
  }
}

test.each([
  ['TypeScript entry point', ['--import', 'tsx', 'src/server/main.ts']],
  ['production bundle (npm run build:server)', ['dist/server.mjs']],
])('embedded mode starts with no configuration (%s): health says embedded and the database is created', async (_name, args) => {
  const dir = mkdtempSync(join(tmpdir(), 'countersign-start-'));
  dirs.push(dir);
  const server = await serve(args, { DATA_DIR: join(dir, 'data') });
  try {
    const res = await fetch(`http://127.0.0.1:${server.port}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ mode: 'embedded' });
    expect(existsSync(join(dir, 'data', 'countersign.db'))).toBe(true);
  } finally {
    server.stop();
  }
});

// 127.0.0.2 is this machine too (Linux routes all of 127.0.0.0/8 to the loopback interface), but a
// server bound to 127.0.0.1 alone does not answer there: it stands in for every other interface.
test('embedded mode listens on 127.0.0.1 only; the Microsoft 365 mode on every interface, as App Service needs', async () => {
  const [a, b] = [mkdtempSync(join(tmpdir(), 'countersign-bind-')), mkdtempSync(join(tmpdir(), 'countersign-bind-'))];
  dirs.push(a, b);
  const embedded = await serve(['--import', 'tsx', 'src/server/main.ts'], { DATA_DIR: a });
  const m365 = await serve(['--import', 'tsx', 'src/server/main.ts'], { ...complete, DATA_DIR: b });
  try {
    expect(await healthAt('127.0.0.1', embedded.port)).toBe(200);
    expect(await healthAt('127.0.0.2', embedded.port)).toBe('ECONNREFUSED');
    expect(await healthAt('127.0.0.2', m365.port)).toBe(200);
  } finally {
    embedded.stop();
    m365.stop();
  }
});

describe('npm start runs the embedded mode only', () => {
  test.each(['m365', 'scaled', 'production', 'Embedded'])('COUNTERSIGN_MODE=%s stops it with one line, before it installs or starts anything', (mode) => {
    // Run from an empty folder: if the check ever went missing, start.mjs would fail there instead of installing into this checkout.
    const cwd = mkdtempSync(join(tmpdir(), 'countersign-npm-start-'));
    dirs.push(cwd);
    const res = spawnSync(process.execPath, [join(root, 'scripts/start.mjs')], {
      cwd,
      env: { PATH: process.env.PATH!, HOME: process.env.HOME!, COUNTERSIGN_MODE: mode },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(res.status).toBe(1);
    expect(res.stdout).toBe('');
    const lines = res.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^npm start runs only the embedded mode, but COUNTERSIGN_MODE is "${mode}"`));
  });
});

describe('`as <name>` exists only in embedded mode', () => {
  const { requester, ictLeader } = people;

  /** Ben submits a request, then types "as Gareth" and approves it with Gareth's name; returns the request afterwards. */
  async function actAsGareth(send: (activity: Record<string, unknown>) => Promise<{ status: number; body: any }>, getRequest: (id: string) => Promise<any>) {
    const base = {
      channelId: 'msteams',
      from: { id: `29:${requester.id}`, aadObjectId: requester.id, name: requester.name },
      conversation: { id: `a:conv-${requester.id}`, conversationType: 'personal', tenantId: complete.BOT_TENANT_ID },
      channelData: { tenant: { id: complete.BOT_TENANT_ID } },
    };
    const invoke = (verb: string, data: Record<string, unknown>) =>
      send({ ...base, type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' } });
    const submitted = await invoke('request.submit', validForm());
    expect(submitted.status).toBe(200);
    const requestId = actionsOf(submitted.body.value).find((a) => a.verb === 'request.withdraw')?.data.requestId as string;
    expect(requestId, allText(submitted.body.value)).toBeTruthy();
    expect((await getRequest(requestId)).steps[0].approverId).toBe(ictLeader.id);
    expect((await send({ ...base, type: 'message', text: 'as Gareth' })).status).toBe(200);
    const approved = await invoke('approval.approve', { requestId, step: 0, round: 1, signature: ictLeader.name, comment: '' });
    expect(approved.status).toBe(200);
    return getRequest(requestId);
  }

  test('embedded mode: "as Gareth" lets the chat decide as Gareth (the control for the test below)', async () => {
    const h = await new Harness({ env: { BOT_TENANT_ID: complete.BOT_TENANT_ID } }).start();
    try {
      const send = (a: Record<string, unknown>) => h.post({ ...a, serviceUrl: h.connector.url, recipient: { id: '28:countersign' } });
      const after = await actAsGareth(send, async (id) => (await h.app.store.getRequest(id))!.value);
      expect(after.currentStep).toBe(1);
      expect(after.steps[0].decision?.actorId).toBe(ictLeader.id);
    } finally {
      await h.stop();
    }
  });

  test('Microsoft 365 mode: "as Gareth" does nothing special, and Ben cannot decide his own request as Gareth', async () => {
    const { createApp } = await import('../../src/server/app');
    const { loadConfig } = await import('../../src/server/config');
    const issuer = await new BotTokenIssuer().start();
    const dir = mkdtempSync(join(tmpdir(), 'countersign-as-'));
    dirs.push(dir);
    const app = createApp(loadConfig({ ...complete, DATA_DIR: dir }), { log: () => undefined, botSigningKeysUrl: issuer.metadataUrl });
    // Nothing listens at this connector address: the replies to chat messages fail, and no assertion below reads them.
    const serviceUrl = 'http://127.0.0.1:9/';
    try {
      await app.store.upsertStaff(demoStaff);
      const port = await app.listen(0);
      const send = async (a: Record<string, unknown>) => {
        const token = issuer.sign(issuer.claims(complete.BOT_ID, serviceUrl));
        const res = await fetch(`http://127.0.0.1:${port}/api/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ ...a, serviceUrl, recipient: { id: `28:${complete.BOT_ID}` } }),
        });
        const text = await res.text();
        return { status: res.status, body: text ? JSON.parse(text) : undefined };
      };
      const after = await actAsGareth(send, async (id) => (await app.store.getRequest(id))!.value);
      expect(after.status).toBe('pending');
      expect(after.currentStep).toBe(0);
      expect(after.steps[0].decision).toBeUndefined();
    } finally {
      await app.close();
      await issuer.stop();
    }
  });
});

test('outside embedded mode the bot endpoint refuses activities without a Bot Framework token', async () => {
  const { createApp } = await import('../../src/server/app');
  const { loadConfig } = await import('../../src/server/config');
  const dir = mkdtempSync(join(tmpdir(), 'countersign-auth-'));
  dirs.push(dir);
  const app = createApp(loadConfig({ ...complete, DATA_DIR: dir }), { log: () => undefined });
  const port = await app.listen(0);
  try {
    const res = await fetch(`http://127.0.0.1:${port}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', text: 'as Priya', channelId: 'msteams', serviceUrl: 'http://127.0.0.1:9/', from: { id: 'x', aadObjectId: 'x' }, conversation: { id: 'c' }, recipient: { id: 'b' } }),
    });
    expect(res.status).toBe(401);
  } finally {
    await app.close();
  }
});
