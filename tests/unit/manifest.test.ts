import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppManifestUtils, type TeamsManifest } from '@microsoft/app-manifest';
import { describe, expect, it } from 'vitest';
import { readPng as readPngBytes, rgbaPixels } from '../../scripts/lib/png';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const appPackage = join(root, 'appPackage');
const template = readFileSync(join(appPackage, 'manifest.json'), 'utf8');

const GUIDS: Record<string, string> = {
  TEAMS_APP_ID: '0b6c3f5e-1d2a-4e8b-9c7d-1a2b3c4d5e6f',
  BOT_ID: '7f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0',
  AAD_APP_CLIENT_ID: '3c9a8b7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d',
};

/** A plausible value for each placeholder; an unknown one fails, so new placeholders get a conscious value. */
function valueFor(name: string): string {
  if (name in GUIDS) return GUIDS[name];
  if (name.endsWith('_DOMAIN')) return 'countersign.example';
  if (name.endsWith('_ENDPOINT')) return 'https://countersign.example';
  if (name === 'APP_NAME_SUFFIX') return '-dev';
  throw new Error(`no test value for placeholder \${{${name}}}`);
}

const PLACEHOLDER = /\$\{\{\s*([A-Z0-9_]+)\s*\}\}/g;
const placeholders = [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1]))];

function resolved(): TeamsManifest {
  return JSON.parse(template.replace(PLACEHOLDER, (_, name: string) => valueFor(name))) as TeamsManifest;
}

// Typed loosely on purpose: the tests reach into bots/commandLists without narrowing the manifest union.
const raw = JSON.parse(template) as {
  $schema: string;
  bots: { botId: string; commandLists: { scopes: string[]; commands: { title: string }[] }[] }[];
};

describe('Teams app manifest', () => {
  it('names a schema that @microsoft/app-manifest bundles, so validation runs offline', () => {
    // The package looks for <its build folder>/json-schemas/... before it tries the network.
    const buildDir = dirname(createRequire(import.meta.url).resolve('@microsoft/app-manifest'));
    const suffix = new URL(raw.$schema).pathname.replace(/^\//, '');
    expect(suffix).toMatch(/^json-schemas\/teams\/v1\.\d+\/MicrosoftTeams\.schema\.json$/);
    expect(existsSync(join(buildDir, suffix))).toBe(true);
  });

  it('uses only placeholders that env/.env.dev declares', () => {
    const env = readFileSync(join(root, 'env', '.env.dev'), 'utf8');
    const declared = new Set([...env.matchAll(/^([A-Z0-9_]+)=/gm)].map((m) => m[1]));
    expect(placeholders.filter((p) => !declared.has(p))).toEqual([]);
  });

  it('passes the official schema once the placeholders are filled in', async () => {
    expect(await AppManifestUtils.validateAgainstSchema(resolved())).toEqual([]);
  });

  it('lists exactly the bot text commands for the personal scope', () => {
    const lists = raw.bots[0].commandLists.filter((l) => l.scopes.includes('personal'));
    expect(lists).toHaveLength(1);
    expect(lists[0].commands.map((c) => c.title)).toEqual(['help', 'request', 'status', 'sign', 'campaign']);
  });

  it('takes the bot id from the BOT_ID placeholder', () => {
    expect(raw.bots[0].botId).toBe('${{BOT_ID}}');
  });

  it('rejects a manifest without a bot id or with an unknown manifestVersion', async () => {
    const noBotId = resolved() as unknown as { bots: Record<string, unknown>[] };
    delete noBotId.bots[0].botId;
    const errors = await AppManifestUtils.validateAgainstSchema(noBotId as unknown as TeamsManifest);
    expect(errors.join('\n')).toMatch(/botId/);

    const badVersion = { ...resolved(), manifestVersion: '9.99' } as TeamsManifest;
    expect((await AppManifestUtils.validateAgainstSchema(badVersion)).join('\n')).toMatch(/manifestVersion/);
  });
});

const readPng = (file: string) => readPngBytes(readFileSync(join(appPackage, file)), file);

describe('app icons', () => {
  it('color.png is 192x192', () => {
    const png = readPng('color.png');
    expect([png.width, png.height]).toEqual([192, 192]);
  });

  it('outline.png is 32x32, white on transparent', () => {
    const png = readPng('outline.png');
    expect([png.width, png.height]).toEqual([32, 32]);
    expect([png.bitDepth, png.colourType]).toEqual([8, 6]);
    const px = rgbaPixels(png);
    let drawn = 0;
    for (let i = 0; i < px.length; i += 4) {
      const alpha = px[i + 3];
      if (alpha === 0) continue;
      drawn++;
      expect([px[i], px[i + 1], px[i + 2]], `pixel ${i / 4}`).toEqual([255, 255, 255]);
    }
    expect(drawn).toBeGreaterThan(0);
  });
});
