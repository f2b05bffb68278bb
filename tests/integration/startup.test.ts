import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';

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

const complete = {
  COUNTERSIGN_MODE: 'm365',
  BOT_ID: '11111111-1111-4111-8111-111111111111',
  BOT_PASSWORD: 'not-a-real-secret',
  BOT_TENANT_ID: '22222222-2222-4222-8222-222222222222',
  PUBLIC_URL: 'https://countersign.example',
  LINK_SIGNING_SECRET: 'x'.repeat(40),
  SCHOOL_ID: 'larkfield-primary',
};

describe('configuration is checked once, at start', () => {
  test.each([
    [{ COUNTERSIGN_MODE: 'm365' }, /^Countersign cannot start: BOT_ID is required when COUNTERSIGN_MODE=m365/],
    [{ COUNTERSIGN_MODE: 'm365', BOT_ID: 'x', BOT_TENANT_ID: 't' }, /^Countersign cannot start: BOT_PASSWORD is required/],
    [{ COUNTERSIGN_MODE: 'scaled', BOT_ID: 'x', BOT_PASSWORD: 'p' }, /^Countersign cannot start: BOT_TENANT_ID is required/],
    [{ COUNTERSIGN_MODE: 'm365', BOT_ID: 'x', BOT_PASSWORD: 'p', BOT_TENANT_ID: 't' }, /^Countersign cannot start: PUBLIC_URL is required/],
    [{ COUNTERSIGN_MODE: 'm365', BOT_ID: 'x', BOT_PASSWORD: 'p', BOT_TENANT_ID: 't', PUBLIC_URL: 'https://cs.example' }, /^Countersign cannot start: LINK_SIGNING_SECRET is required/],
    [{ COUNTERSIGN_MODE: 'm365', BOT_ID: 'x', BOT_PASSWORD: 'p', BOT_TENANT_ID: 't', PUBLIC_URL: 'https://cs.example', LINK_SIGNING_SECRET: 'short' }, /^Countersign cannot start: LINK_SIGNING_SECRET must be at least 32 characters/],
    [{ ...complete, COUNTERSIGN_DEV_SIGNIN: 'true' }, /^Countersign cannot start: COUNTERSIGN_DEV_SIGNIN is refused outside COUNTERSIGN_MODE=embedded/],
    [{ ...complete, SCHOOL_ID: '' }, /^Countersign cannot start: SCHOOL_ID is required when COUNTERSIGN_MODE=m365/],
    [{ SCHOOL_ID: 'Larkfield Primary' }, /^Countersign cannot start: SCHOOL_ID must be a short slug/],
    [{ ...complete, STORE: 'sharepoint' }, /^Countersign cannot use SharePoint: (SHAREPOINT_SITE_ID|GRAPH_TENANT_ID|environment)/],
    [{ ...complete, STORE: 'sharepoint', SHAREPOINT_SITE_URL: 'not a url', GRAPH_TENANT_ID: 't', GRAPH_CLIENT_ID: 'c', GRAPH_CLIENT_SECRET: 's' }, /^Countersign cannot use SharePoint: SHAREPOINT_SITE_URL must be a URL/],
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

test.each([
  ['TypeScript entry point', ['--import', 'tsx', 'src/server/main.ts']],
  ['production bundle (npm run build:server)', ['dist/server.mjs']],
])('embedded mode starts with no configuration (%s): health says embedded and the database is created', async (_name, args) => {
  const dir = mkdtempSync(join(tmpdir(), 'countersign-start-'));
  dirs.push(dir);
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME!, PORT: '0', DATA_DIR: join(dir, 'data') },
  });
  try {
    const port = await new Promise<number>((ok, fail) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = out.match(/listening on http:\/\/localhost:(\d+)/);
        if (m) ok(Number(m[1]));
      });
      child.on('exit', (code) => fail(new Error(`exited ${code}`)));
    });
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ mode: 'embedded' });
    expect(existsSync(join(dir, 'data', 'countersign.db'))).toBe(true);
  } finally {
    child.kill('SIGTERM');
  }
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
