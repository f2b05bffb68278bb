import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { pageLabels, tabPages } from '../../src/domain/tab-pages';
import { packageApp, PackageError } from '../../scripts/package-app';
import { readZip, writeZip } from '../../scripts/lib/zip';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** What provision would have written to env/.env.sample: plausible ids and the web app's host. */
const SAMPLE_ENV = `# sample values for the package test
TEAMSFX_ENV=sample
APP_NAME_SUFFIX=-sample
TEAMS_APP_ID=0b6c3f5e-1d2a-4e8b-9c7d-1a2b3c4d5e6f
BOT_ID=7f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0
AAD_APP_CLIENT_ID=3c9a8b7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d
TAB_DOMAIN=countersign-sample.azurewebsites.net
`;

const temps: string[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});

/** A copy of appPackage/ with env/.env.sample, so each test can break one thing. */
function sampleProject(env = SAMPLE_ENV): string {
  const dir = mkdtempSync(join(tmpdir(), 'countersign-package-'));
  temps.push(dir);
  mkdirSync(join(dir, 'appPackage'));
  mkdirSync(join(dir, 'env'));
  for (const f of ['manifest.json', 'color.png', 'outline.png']) copyFileSync(join(root, 'appPackage', f), join(dir, 'appPackage', f));
  writeFileSync(join(dir, 'env', '.env.sample'), env);
  return dir;
}

function editManifest(dir: string, edit: (m: any) => void) {
  const file = join(dir, 'appPackage', 'manifest.json');
  const m = JSON.parse(readFileSync(file, 'utf8'));
  edit(m);
  writeFileSync(file, JSON.stringify(m, null, 2));
}

async function problemsOf(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, 'the package was built but should have been refused').toBeInstanceOf(PackageError);
  return (e as PackageError).problems.join('\n');
}

describe('npm run package', () => {
  it('fills the values of the environment, passes the official schema offline and writes the zip Teams takes', async () => {
    const dir = sampleProject();
    const r = await packageApp({ root: dir, env: 'sample' });

    expect(r.zipPath).toBe(join(dir, 'appPackage', 'build', 'appPackage.sample.zip'));
    const files = readZip(readFileSync(r.zipPath));
    expect(files.map((f) => f.name)).toEqual(['manifest.json', 'color.png', 'outline.png']);
    const inZip = JSON.parse(files[0].data.toString('utf8'));
    expect(JSON.stringify(inZip)).not.toMatch(/\$\{\{/);
    expect(inZip.id).toBe('0b6c3f5e-1d2a-4e8b-9c7d-1a2b3c4d5e6f');
    expect(inZip.name.short).toBe('Countersign-sample');
    expect(inZip.bots[0].botId).toBe('7f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0');
    expect(inZip.webApplicationInfo).toEqual({
      id: '3c9a8b7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d',
      resource: 'api://countersign-sample.azurewebsites.net/3c9a8b7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d',
    });
    expect(files[1].data.equals(readFileSync(join(root, 'appPackage', 'color.png')))).toBe(true);
    expect(readFileSync(r.manifestPath, 'utf8')).toBe(files[0].data.toString('utf8'));
  });

  it('refuses a manifest the official schema rejects, naming the field', async () => {
    const dir = sampleProject(SAMPLE_ENV.replace(/^TEAMS_APP_ID=.*$/m, 'TEAMS_APP_ID=not-a-guid'));
    expect(await problemsOf(packageApp({ root: dir, env: 'sample' }))).toMatch(/^\/id .*pattern/m);

    const noBotId = sampleProject();
    editManifest(noBotId, (m) => delete m.bots[0].botId);
    expect(await problemsOf(packageApp({ root: noBotId, env: 'sample' }))).toMatch(/botId/);
    expect(existsSync(join(noBotId, 'appPackage', 'build'))).toBe(false);
  });

  it('refuses a placeholder without a value, naming it and the env file', async () => {
    const dir = sampleProject(SAMPLE_ENV.replace(/^BOT_ID=.*$/m, 'BOT_ID='));
    expect(await problemsOf(packageApp({ root: dir, env: 'sample' }))).toBe('BOT_ID has no value in env/.env.sample (provision writes it; or set it there)');
  });

  it('takes secrets and overrides from env/.env.<env>.user', async () => {
    const dir = sampleProject(SAMPLE_ENV.replace(/^TAB_DOMAIN=.*$/m, 'TAB_DOMAIN='));
    writeFileSync(join(dir, 'env', '.env.sample.user'), 'TAB_DOMAIN=from-user-file.example\n');
    const r = await packageApp({ root: dir, env: 'sample' });
    expect(r.manifest.validDomains).toEqual(['from-user-file.example']);
    expect(r.envFiles).toEqual([join('env', '.env.sample'), join('env', '.env.sample.user')]);
  });

  it('refuses icons of the wrong size, and an outline icon that is not white on transparent', async () => {
    const dir = sampleProject();
    copyFileSync(join(root, 'appPackage', 'color.png'), join(dir, 'appPackage', 'outline.png'));
    copyFileSync(join(root, 'appPackage', 'outline.png'), join(dir, 'appPackage', 'color.png'));
    const problems = await problemsOf(packageApp({ root: dir, env: 'sample' }));
    expect(problems).toContain('color.png is 32x32; Teams needs 192x192');
    expect(problems).toContain('outline.png is 192x192; Teams needs 32x32');
    expect(problems).toMatch(/outline\.png has \d+ pixels that are neither white nor fully transparent/);
  });

  it('refuses a static tab on a host that validDomains does not list', async () => {
    const dir = sampleProject();
    editManifest(dir, (m) => (m.staticTabs[1].contentUrl = 'https://elsewhere.example/tab/#/tasks'));
    expect(await problemsOf(packageApp({ root: dir, env: 'sample' }))).toBe('staticTabs tasks: elsewhere.example is not in validDomains');
  });

  it('runs from the command line: exit 0 with the zip written, exit 1 with the reasons', () => {
    const dir = sampleProject();
    const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const run = (env: string) => spawnSync(process.execPath, [tsx, join(root, 'scripts', 'package-app.ts'), '--env', env, '--root', dir], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    const ok = run('sample');
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('appPackage.sample.zip (manifest.json, color.png, outline.png)');
    expect(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts.package).toBe('tsx scripts/package-app.ts');
    const bad = run('missing');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('env/.env.missing does not exist');
  });
});

describe('the committed app package', () => {
  const manifest = JSON.parse(readFileSync(join(root, 'appPackage', 'manifest.json'), 'utf8'));

  it('opens each page of the tab from its own static tab (the tab routes on #/<page>)', () => {
    const tabs = manifest.staticTabs.filter((t: any) => t.contentUrl);
    const opened = tabs.map((t: any) => {
      const url = new URL(t.contentUrl.replace('${{TAB_DOMAIN}}', 'host.example'));
      expect(url.pathname).toBe('/tab/');
      const page = url.hash.replace(/^#\//, '');
      expect(t.entityId).toBe(page);
      expect(t.name).toBe(pageLabels[page as keyof typeof pageLabels]);
      return page;
    });
    // Every page but the embedded demo's inboxes; Teams shows a page only to those the domain lets in.
    expect(opened).toEqual(tabPages.filter((p) => p !== 'inboxes'));
    // The bot's chat stays the first tab of the personal app.
    expect(manifest.staticTabs[0]).toEqual({ entityId: 'conversations', scopes: ['personal'] });
  });

  it('installs the bot for people and in teams, with the same five commands in both', () => {
    expect(manifest.bots[0].scopes).toEqual(['personal', 'team']);
    for (const scope of ['personal', 'team']) {
      const lists = manifest.bots[0].commandLists.filter((l: any) => l.scopes.includes(scope));
      expect(lists.flatMap((l: any) => l.commands.map((c: any) => c.title))).toEqual(['help', 'request', 'status', 'sign', 'campaign']);
    }
  });

  it('asks for no more than it uses: identity only, no resource-specific consent, no device access', () => {
    expect(manifest.permissions).toEqual(['identity']);
    expect(manifest.authorization).toBeUndefined();
    expect(manifest.devicePermissions).toBeUndefined();
    expect(Number(manifest.manifestVersion)).toBeGreaterThanOrEqual(1.24);
  });
});

describe('zip writer', () => {
  const text = Buffer.from('Countersign '.repeat(200));
  /** Incompressible, so it is stored rather than deflated. */
  const random = randomBytes(300);

  it('reads back what it wrote, deflating only what gets smaller', () => {
    const zip = writeZip([
      { name: 'a.txt', data: text },
      { name: 'dir/b.bin', data: random },
      { name: 'empty', data: Buffer.alloc(0) },
    ]);
    const back = readZip(zip);
    expect(back.map((e) => e.name)).toEqual(['a.txt', 'dir/b.bin', 'empty']);
    expect(back[0].data.equals(text)).toBe(true);
    expect(back[1].data.equals(random)).toBe(true);
    expect(back[2].data.length).toBe(0);
    expect(zip.length).toBeLessThan(text.length); // the text was deflated
  });

  it('is read by Info-ZIP unzip as a sound archive', () => {
    const unzip = ['/usr/bin/unzip', '/usr/local/bin/unzip'].find((p) => existsSync(p));
    if (!unzip) return; // nothing to cross-check with on this machine; the round trip above still runs
    const dir = mkdtempSync(join(tmpdir(), 'countersign-zip-'));
    temps.push(dir);
    writeFileSync(join(dir, 't.zip'), writeZip([{ name: 'manifest.json', data: text }, { name: 'outline.png', data: random }]));
    expect(execFileSync(unzip, ['-t', join(dir, 't.zip')], { encoding: 'utf8' })).toContain('No errors detected');
  });

  it('detects a corrupted file, stored or deflated, and refuses unsafe or duplicate names', () => {
    for (const data of [random, text]) {
      const zip = writeZip([{ name: 'a.txt', data }]);
      zip[30 + 'a.txt'.length + 10] ^= 0xff; // a byte of the file's data, just after its local header
      expect(() => readZip(zip)).toThrow(/"a.txt" is corrupt/);
    }
    expect(() => writeZip([{ name: '../evil', data: text }])).toThrow(/unsafe/);
    expect(() => writeZip([{ name: 'x', data: text }, { name: 'x', data: text }])).toThrow(/duplicate/);
  });
});
