/**
 * Builds the Teams app package of one environment, offline:
 *   npm run package -- --env dev
 * fills the `${{NAME}}` placeholders of appPackage/manifest.json from env/.env.<env> (and .env.<env>.user),
 * validates the result against the official manifest schema that @microsoft/app-manifest bundles (never
 * fetched), checks the icons, and writes appPackage/build/manifest.<env>.json and appPackage.<env>.zip:
 * the same files the Toolkit's teamsApp/zipAppPackage step writes (teamsapp.yml), so a package can be
 * built and checked without the Toolkit or a tenant.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import appManifest from '@microsoft/app-manifest';
import { fillJsonTemplate, loadEnvironment } from './lib/env-file';
import { iconProblems } from './lib/png';
import { readZip, writeZip } from './lib/zip';

/** Placeholders that may legitimately be empty: the production environment has no name suffix. */
const MAY_BE_EMPTY = new Set(['APP_NAME_SUFFIX']);

export class PackageError extends Error {
  constructor(
    readonly problems: string[],
    what = 'the app package was not built',
  ) {
    super(`${what}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export interface PackageOptions {
  /** The project folder (holding appPackage/ and env/). */
  root: string;
  env: string;
  /** Values that win over the env files, as the Toolkit lets the shell's environment do (CI). */
  overrides?: Record<string, string | undefined>;
  /** Default <root>/appPackage/build. */
  outDir?: string;
}

export interface PackageResult {
  zipPath: string;
  manifestPath: string;
  manifest: Record<string, any>;
  /** Names inside the zip. */
  entries: string[];
  /** The env files read, relative to root. */
  envFiles: string[];
}

/** Where @microsoft/app-manifest keeps its copies of the official schemas (its build folder's json-schemas/). */
export function bundledSchemaPath(schemaUrl: string): string {
  const buildDir = dirname(createRequire(import.meta.url).resolve('@microsoft/app-manifest'));
  // https://developer.microsoft.com/[en-us/]json-schemas/teams/v1.24/MicrosoftTeams.schema.json
  const m = /\/(json-schemas\/teams\/v1\.\d+\/MicrosoftTeams\.schema\.json)$/.exec(new URL(schemaUrl).pathname);
  if (!m) throw new PackageError([`$schema ${schemaUrl} is not a Teams manifest schema address`]);
  return join(buildDir, m[1]);
}

/** Schema errors of a filled-in manifest, validated against the bundled official schema only (no network). */
export async function schemaErrors(manifest: Record<string, any>): Promise<string[]> {
  if (typeof manifest.$schema !== 'string') return ['$schema is missing'];
  let schema: any; // the official JSON schema, read from disk
  try {
    schema = JSON.parse(readFileSync(bundledSchemaPath(manifest.$schema), 'utf8'));
  } catch (e) {
    if (e instanceof PackageError) return e.problems;
    return [`the schema ${manifest.$schema} is not bundled with @microsoft/app-manifest, so it cannot be checked offline`];
  }
  const errors: string[] = await appManifest.AppManifestUtils.validateAgainstSchema(manifest as any, schema);
  const version = /\/v(1\.\d+)\//.exec(manifest.$schema)?.[1];
  if (version && manifest.manifestVersion !== version) errors.push(`/manifestVersion is ${manifest.manifestVersion} but $schema is v${version}`);
  return errors;
}

/** Checks the schema leaves to the Teams Developer Portal, which a school would otherwise meet at upload. */
function crossChecks(m: Record<string, any>): string[] {
  const problems: string[] = [];
  const domains = new Set<string>(m.validDomains ?? []);
  for (const tab of m.staticTabs ?? []) {
    if (!tab.contentUrl) continue;
    const url = new URL(tab.contentUrl);
    if (url.protocol !== 'https:') problems.push(`staticTabs ${tab.entityId}: contentUrl must be https`);
    if (!domains.has(url.host)) problems.push(`staticTabs ${tab.entityId}: ${url.host} is not in validDomains`);
  }
  const info = m.webApplicationInfo;
  if (info?.resource) {
    const resource = new URL(info.resource);
    if (!domains.has(resource.host)) problems.push(`webApplicationInfo.resource host ${resource.host} is not in validDomains`);
    if (!resource.pathname.endsWith(`/${info.id}`)) problems.push('webApplicationInfo.resource must end with /<webApplicationInfo.id> (Teams SSO)');
  }
  return problems;
}

export async function packageApp(o: PackageOptions): Promise<PackageResult> {
  const root = resolve(o.root);
  const appDir = join(root, 'appPackage');
  const outDir = o.outDir ?? join(appDir, 'build');
  let loaded;
  try {
    loaded = loadEnvironment(root, o.env);
  } catch (e) {
    throw new PackageError([(e as Error).message]);
  }
  const values: Record<string, string | undefined> = { TEAMSFX_ENV: o.env, ...loaded.values };
  for (const [k, v] of Object.entries(o.overrides ?? {})) if (v !== undefined && v !== '') values[k] = v;

  const filled = fillJsonTemplate(readFileSync(join(appDir, 'manifest.json'), 'utf8'), values, MAY_BE_EMPTY);
  if (filled.missing.length) {
    throw new PackageError(
      filled.missing.map((n) => `${n} has no value in ${loaded.files.join(' or ')} (provision writes it; or set it there)`),
      'the manifest has placeholders without values',
    );
  }
  const manifest = JSON.parse(filled.text) as Record<string, any>;
  const problems = [...(await schemaErrors(manifest)), ...crossChecks(manifest)];

  const icons: { name: string; data: Buffer }[] = [];
  for (const kind of ['color', 'outline'] as const) {
    const file = manifest.icons?.[kind];
    if (typeof file !== 'string') continue; // the schema has already said so
    try {
      const data = readFileSync(join(appDir, file));
      problems.push(...iconProblems(kind, file, data));
      icons.push({ name: file, data });
    } catch {
      problems.push(`icons.${kind}: appPackage/${file} does not exist`);
    }
  }
  if (problems.length) throw new PackageError(problems, `appPackage/manifest.json with env/.env.${o.env} is not a valid app package`);

  const manifestJson = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
  const zip = writeZip([{ name: 'manifest.json', data: manifestJson }, ...icons]);
  // Read back what was written: a package that cannot be read is not written at all.
  const entries = readZip(zip).map((e) => e.name);
  mkdirSync(outDir, { recursive: true });
  const manifestPath = join(outDir, `manifest.${o.env}.json`);
  const zipPath = join(outDir, `appPackage.${o.env}.zip`);
  writeFileSync(manifestPath, manifestJson);
  writeFileSync(zipPath, zip);
  return { zipPath, manifestPath, manifest, entries, envFiles: loaded.files };
}

function parseArgs(argv: string[]): { env: string; root: string } {
  let env = 'dev';
  let root = join(dirname(fileURLToPath(import.meta.url)), '..');
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = inline ?? argv[++i];
    if (flag === '--env' && value) env = value;
    else if (flag === '--root' && value) root = value;
    else throw new Error(`unknown argument ${argv[i]} (use --env <name>, e.g. npm run package -- --env dev)`);
  }
  return { env, root };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    const args = parseArgs(process.argv.slice(2));
    const r = await packageApp({ ...args, overrides: process.env });
    console.log(`app package for "${args.env}" (values from ${r.envFiles.join(', ')}):`);
    console.log(`  ${relative(process.cwd(), r.zipPath)} (${r.entries.join(', ')})`);
    console.log(`  ${relative(process.cwd(), r.manifestPath)}: valid against ${r.manifest.$schema}`);
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  }
}
