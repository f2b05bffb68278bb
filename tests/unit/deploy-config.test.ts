/**
 * The Toolkit project files, the Bicep template and its parameters, checked against each other and against
 * the settings the server really reads. The Bicep CLI cannot be installed here, so this checks what can be
 * checked without it: declarations, names and order, not Azure's own validation (README, "Deploy to your tenant").
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sharePointEnvNames } from '../../src/adapters/sharepoint/config';
import { loadConfig } from '../../src/server/config';
import { parseEnvFile, placeholdersIn } from '../../scripts/lib/env-file';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (f: string) => readFileSync(join(root, f), 'utf8');

// ----- a reader for the little YAML the project files use: lifecycles of `- uses:` steps -----

interface Step {
  lifecycle: string;
  uses: string;
  text: string;
  /** Placeholders the step reads. */
  reads: string[];
  /** Variables it writes to env/.env.<env> (writeToEnvironmentFile values). */
  writes: string[];
  /** KEY: value pairs under `envs:` (file/createOrUpdateEnvironmentFile). */
  envs: Record<string, string>;
}

function stepsOf(file: string): Step[] {
  const steps: Step[] = [];
  let lifecycle = '';
  let current: string[] | undefined;
  const flush = () => {
    if (!current) return;
    const text = current.join('\n');
    const uses = /- uses: (\S+)/.exec(text)![1];
    const block = (key: string) => {
      const lines = text.split('\n');
      const at = lines.findIndex((l) => l.trim() === `${key}:`);
      if (at < 0) return [];
      const indent = lines[at].search(/\S/);
      const out: [string, string][] = [];
      for (const l of lines.slice(at + 1)) {
        if (!l.trim() || l.trim().startsWith('#')) continue;
        if (l.search(/\S/) <= indent) break;
        const m = /^\s*([A-Za-z0-9_]+):\s*(.*)$/.exec(l);
        if (m) out.push([m[1], m[2]]);
      }
      return out;
    };
    steps.push({ lifecycle, uses, text, reads: placeholdersIn(text), writes: block('writeToEnvironmentFile').map(([, v]) => v), envs: Object.fromEntries(block('envs')) });
    current = undefined;
  };
  for (const line of read(file).split('\n')) {
    const top = /^([a-z]+):\s*$/.exec(line);
    if (top) {
      flush();
      lifecycle = top[1];
    } else if (/^  - uses: /.test(line)) {
      flush();
      current = [line];
    } else if (current && !line.startsWith('#')) current.push(line);
  }
  flush();
  return steps;
}

// ----- the Bicep template, by its declarations -----

const bicep = read('infra/azure.bicep');
const bicepParams = [...bicep.matchAll(/^((?:@.*\n)*)param (\w+) (\w+)(?: = (.*))?$/gm)].map((m) => ({
  name: m[2],
  secure: m[1].includes('@secure()'),
  hasDefault: m[4] !== undefined,
}));
const bicepResources = [...bicep.matchAll(/^resource (\w+) '([^@']+)@[^']+'/gm)].map((m) => ({ symbol: m[1], type: m[2] }));
const bicepOutputs = [...bicep.matchAll(/^output (\w+) \w+ =/gm)].map((m) => m[1]);
const appSettingsBlock = /appSettings: \[([\s\S]*?)\n {6}\]/.exec(bicep)![1];
const appSettings = [...appSettingsBlock.matchAll(/name: '([^']+)'\n\s*value: (.+)/g)].map((m) => ({ name: m[1], value: m[2].replace(/\s+\/\/.*$/, '').trim() }));

const parameters = JSON.parse(read('infra/azure.parameters.json')).parameters as Record<string, { value: string | number }>;
/**
 * The values the school supplies in an env file: those above its "# Written by provision" line. The names
 * below it are listed there empty and must be written by a step before anything reads them.
 */
const inputsOf = (file: string) => parseEnvFile(read(file).split(/^# Written by/m)[0]);
const devEnv = parseEnvFile(read('env/.env.dev'));
const devInputs = inputsOf('env/.env.dev');
const localInputs = inputsOf('env/.env.local');

/** Values the school supplies in env/.env.<env>.user (README); everything else comes from .env.<env> or a step. */
const USER_SECRETS = new Set(['SECRET_LINK_SIGNING_SECRET']);
/** Set by the Toolkit itself for every run. */
const BUILT_IN = new Set(['TEAMSFX_ENV']);

/**
 * Walks the steps in order and returns every placeholder read before anything declares it: in the env file,
 * by an earlier step's writeToEnvironmentFile, by arm/deploy's outputs, or by the files a step reads.
 */
function undeclaredReads(file: string, env: Record<string, string>, extraFiles: Record<string, string[]>): string[] {
  const known = new Set([...Object.keys(env), ...USER_SECRETS, ...BUILT_IN]);
  const problems: string[] = [];
  for (const lifecycle of ['provision', 'deploy', 'publish']) {
    for (const step of stepsOf(file).filter((s) => s.lifecycle === lifecycle)) {
      const alsoReads = Object.entries(extraFiles)
        .filter(([f]) => step.text.includes(f))
        .flatMap(([, names]) => names);
      // aadApp/update makes up the scope id the first time, and writes it (the action's schema description).
      if (step.uses === 'aadApp/update') known.add('AAD_APP_ACCESS_AS_USER_PERMISSION_ID');
      for (const name of [...step.reads, ...alsoReads]) if (!known.has(name)) problems.push(`${lifecycle} ${step.uses} reads ${name} before anything sets it`);
      step.writes.forEach((w) => known.add(w));
      if (step.uses === 'arm/deploy') bicepOutputs.forEach((o) => known.add(o));
    }
  }
  return [...new Set(problems)];
}

const filesRead = {
  './appPackage/manifest.json': placeholdersIn(read('appPackage/manifest.json')),
  './aad.manifest.json': placeholdersIn(read('aad.manifest.json')),
  './infra/azure.parameters.json': placeholdersIn(read('infra/azure.parameters.json')),
};

describe('teamsapp.yml and infra/azure.bicep', () => {
  const steps = stepsOf('teamsapp.yml');

  it('is the project file our layout names, on the Toolkit\'s current schema, with no m365agents.yml for the Toolkit to prefer', () => {
    expect(read('teamsapp.yml')).toMatch(/^version: v1\.11$/m);
    expect(read('teamsapp.yml')).toContain('$schema=https://aka.ms/m365-agents-toolkits/v1.11/yaml.schema.json');
    // The Toolkit reads m365agents.yml before teamsapp.yml: one there would leave ours silently unused.
    expect(existsSync(join(root, 'm365agents.yml'))).toBe(false);
  });

  it('provisions, deploys and publishes with the steps the issue lists, in an order that works', () => {
    const provision = steps.filter((s) => s.lifecycle === 'provision').map((s) => s.uses);
    expect(provision).toEqual([
      'teamsApp/create',
      'aadApp/create',
      'arm/deploy',
      'aadApp/update', // after arm/deploy: the scope's URI names TAB_DOMAIN, an output
      'teamsApp/validateManifest',
      'teamsApp/zipAppPackage',
      'teamsApp/validateAppPackage',
      'teamsApp/update',
    ]);
    const deploy = steps.filter((s) => s.lifecycle === 'deploy');
    expect(deploy.map((s) => s.uses)).toEqual(['cli/runNpmCommand', 'cli/runNpmCommand', 'cli/runNpmCommand', 'azureAppService/zipDeploy']);
    expect(deploy.map((s) => /args: (.*)/.exec(s.text)?.[1])).toEqual(['ci --no-audit', 'run build:tab', 'run build:server', undefined]);
    expect(steps.filter((s) => s.lifecycle === 'publish').map((s) => s.uses)).toEqual([
      'teamsApp/validateManifest',
      'teamsApp/zipAppPackage',
      'teamsApp/validateAppPackage',
      'teamsApp/update',
      'teamsApp/publishAppPackage',
    ]);
  });

  it('reads no value that the env file, an earlier step or the Bicep outputs do not provide', () => {
    expect(undeclaredReads('teamsapp.yml', devInputs, filesRead)).toEqual([]);
  });

  it('can fail: a placeholder nothing sets is reported', () => {
    const outputs = bicepOutputs.splice(0, bicepOutputs.length);
    try {
      expect(undeclaredReads('teamsapp.yml', devInputs, filesRead)).toContain('provision aadApp/update reads TAB_DOMAIN before anything sets it');
    } finally {
      bicepOutputs.push(...outputs);
    }
  });

  it('declares in azure.bicep every resource the deployment needs', () => {
    const types = bicepResources.map((r) => r.type);
    for (const type of [
      'Microsoft.ManagedIdentity/userAssignedIdentities',
      'Microsoft.Web/serverfarms',
      'Microsoft.Web/sites',
      'Microsoft.BotService/botServices',
      'Microsoft.BotService/botServices/channels',
      'Microsoft.Storage/storageAccounts',
      'Microsoft.Insights/components',
    ]) {
      expect(types, type).toContain(type);
    }
    expect(bicep).toMatch(/channelName: 'MsTeamsChannel'/);
    expect(bicep).toMatch(/msaAppType: 'UserAssignedMSI'/);
  });

  it('runs a Linux Node 20 web app over HTTPS only, always on, starting the prebuilt bundle', () => {
    expect(bicep).toMatch(/linuxFxVersion: 'NODE\|20-lts'/);
    expect(bicep).toMatch(/httpsOnly: true/);
    expect(bicep).toMatch(/alwaysOn: true/);
    const command = /appCommandLine: '([^']+)'/.exec(bicep)![1];
    expect(command).toBe('node --enable-source-maps dist/server.mjs');
    // The bundle the command starts is the one build:server writes, and nothing is built at boot.
    expect(read('rolldown.config.mjs')).toMatch(/dir: 'dist', entryFileNames: 'server\.mjs'/);
    expect(command).not.toMatch(/npm|build|tsx/);
  });

  it('probes readiness (/readyz, which checks the store and the job queue) and takes the instance count as a parameter', () => {
    expect(/healthCheckPath: '([^']+)'/.exec(bicep)![1]).toBe('/readyz');
    // A route the server really registers, answered without a sign-in.
    expect(read('src/server/app.ts')).toMatch(/app\.get\('\/readyz'/);
    const count = /^((?:@.*\n)*)param instanceCount int = (\d+)$/m.exec(bicep);
    expect(count, 'param instanceCount int = <default>').not.toBeNull();
    expect(Number(count![2])).toBe(1);
    expect(count![1]).toMatch(/@minValue\(1\)/);
    // It is the App Service plan's capacity.
    const plan = /resource plan 'Microsoft\.Web\/serverfarms@[^']+' = \{([\s\S]*?)\n\}/.exec(bicep)![1];
    expect(plan).toMatch(/sku: \{[^}]*capacity: instanceCount[^}]*\}/);
    expect(parameters.instanceCount?.value).toBe(1);
  });

  it('writes back outputs that env/.env.dev lists, including everything the manifests read from Azure', () => {
    expect(bicepOutputs.filter((o) => !(o in devEnv))).toEqual([]);
    for (const o of ['BOT_ID', 'TAB_DOMAIN', 'BOT_AZURE_APP_SERVICE_RESOURCE_ID']) expect(bicepOutputs).toContain(o);
    expect(steps.find((s) => s.uses === 'azureAppService/zipDeploy')!.reads).toEqual(['BOT_AZURE_APP_SERVICE_RESOURCE_ID']);
  });

  it('has a parameters file that matches the template\'s parameters, secrets only into @secure() ones', () => {
    const declared = new Set(bicepParams.map((p) => p.name));
    expect(Object.keys(parameters).filter((p) => !declared.has(p))).toEqual([]);
    expect(bicepParams.filter((p) => !p.hasDefault && !(p.name in parameters)).map((p) => p.name)).toEqual([]);
    for (const p of bicepParams) {
      const value = String(parameters[p.name]?.value ?? '');
      const secret = placeholdersIn(value).some((n) => n.startsWith('SECRET_'));
      expect(secret, `${p.name}: a SECRET_ value goes only into a @secure() parameter, and a @secure() one takes only secrets`).toBe(p.secure);
    }
    // Every parameter is used in the template.
    for (const p of bicepParams) expect(bicep.split(p.name).length - 1, p.name).toBeGreaterThan(1);
  });

  it('wires app settings the server really reads, and they start it in m365 mode on SharePoint with the managed identity', () => {
    const read = new Set([
      ...[...read_('src/server/config.ts').matchAll(/^ {4}([A-Z][A-Z0-9_]+): z/gm)].map((m) => m[1]),
      ...sharePointEnvNames,
    ]);
    const platform = new Set(['NODE_OPTIONS', 'WEBSITE_RUN_FROM_PACKAGE', 'APPLICATIONINSIGHTS_CONNECTION_STRING', 'ApplicationInsightsAgent_EXTENSION_VERSION']);
    expect(appSettings.map((s) => s.name).filter((n) => !read.has(n) && !platform.has(n))).toEqual([]);

    // Template expressions, with a value Azure would give them; a new expression needs a conscious sample here.
    const samples: Record<string, string> = {
      dataDir: '/home/countersign-data',
      "'${dataDir}/exports'": '/home/countersign-data/exports',
      schoolId: 'larkfield-primary',
      schoolName: 'Larkfield Primary School',
      schoolTimeZone: 'Europe/London',
      countersignAdmins: 'a.head@school.example',
      teamsAppId: '2b7a9c1e-3d4f-4a5b-8c6d-7e8f9a0b1c2d',
      staffGroupId: '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a',
      'identity.properties.clientId': '7f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0',
      'identity.properties.tenantId': '5a0e2f0c-2b1d-4c3e-9f8a-7b6c5d4e3f2a',
      ssoAadAppClientId: '3c9a8b7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d',
      ssoAadAppTenantId: '5a0e2f0c-2b1d-4c3e-9f8a-7b6c5d4e3f2a',
      ssoAadAppClientSecret: 'a-client-secret',
      aadAppOauthAuthorityHost: 'https://login.microsoftonline.com',
      "'https://${resourceBaseName}.azurewebsites.net'": 'https://countersign.azurewebsites.net',
      linkSigningSecret: 'x'.repeat(48),
      sharePointSiteUrl: 'https://contoso.sharepoint.com/sites/countersign',
      'insights.properties.ConnectionString': 'InstrumentationKey=00000000-0000-0000-0000-000000000000',
    };
    const env: Record<string, string> = {};
    for (const s of appSettings) {
      const literal = /^'([^'$]*)'$/.exec(s.value);
      const value = literal ? literal[1] : samples[s.value];
      expect(value, `no sample for ${s.name} = ${s.value}`).toBeDefined();
      env[s.name] = value;
    }
    const config = loadConfig(env);
    expect(config.mode).toBe('m365');
    expect(config.store.kind).toBe('sharepoint');
    expect(config.bot).toMatchObject({ type: 'UserAssignedMSI', appId: env.BOT_ID, password: '' });
    expect(config.sso?.audiences).toEqual([env.AAD_APP_CLIENT_ID, `api://countersign.azurewebsites.net/${env.AAD_APP_CLIENT_ID}`]);
    // Exports go to App Service's writable /home share, never into the read-only package.
    expect(config.exportDir.startsWith('/home/')).toBe(true);
  });
});

const read_ = read;

describe('teamsapp.local.yml and teamsapp.playground.yml', () => {
  const local = stepsOf('teamsapp.local.yml');

  it('debugs through a tunnel: a bot app with a secret, a Bot Framework registration on the tunnel, the SSO app', () => {
    expect(local.filter((s) => s.lifecycle === 'provision').map((s) => s.uses)).toEqual([
      'teamsApp/create',
      'aadApp/create',
      'botFramework/create',
      'aadApp/create',
      'aadApp/update',
      'teamsApp/validateManifest',
      'teamsApp/zipAppPackage',
      'teamsApp/validateAppPackage',
      'teamsApp/update',
    ]);
    expect(local.find((s) => s.uses === 'botFramework/create')!.text).toContain('messagingEndpoint: ${{TAB_ENDPOINT}}/api/messages');
    // The tunnel task writes the two names the local files read.
    const tasks = read('.vscode/tasks.json');
    expect(tasks).toContain('"writeToEnvironmentFile": { "endpoint": "TAB_ENDPOINT", "domain": "TAB_DOMAIN" }');
    // TAB_ENDPOINT and TAB_DOMAIN are the tunnel's, written by the task before provision runs.
    expect(undeclaredReads('teamsapp.local.yml', { ...localInputs }, filesRead)).toEqual([]);
  });

  it('writes .localConfigs with settings that start the server against Teams', () => {
    const envs = local.find((s) => s.uses === 'file/createOrUpdateEnvironmentFile')!.envs;
    const env = Object.fromEntries(
      Object.entries(envs).map(([k, v]) => [
        k,
        v.replace(/\$\{\{(\w+)\}\}/g, (_, n: string) =>
          ({
            TAB_ENDPOINT: 'https://abc123-3978.euw.devtunnels.ms',
            SCHOOL_ID: 'larkfield-primary',
            SCHOOL_NAME: 'Larkfield Primary School',
            SCHOOL_TIMEZONE: 'Europe/London',
            COUNTERSIGN_ADMINS: 'a.head@school.example',
            STAFF_GROUP_ID: '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a',
            BOT_ID: '7f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0',
            SECRET_BOT_PASSWORD: 'a-bot-secret',
            BOT_TENANT_ID: '5a0e2f0c-2b1d-4c3e-9f8a-7b6c5d4e3f2a',
            AAD_APP_CLIENT_ID: '3c9a8b7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d',
            AAD_APP_OAUTH_AUTHORITY_HOST: 'https://login.microsoftonline.com',
            SECRET_LINK_SIGNING_SECRET: 'y'.repeat(48),
            SHAREPOINT_SITE_URL: 'https://contoso.sharepoint.com/sites/countersign-test',
            AAD_APP_TENANT_ID: '5a0e2f0c-2b1d-4c3e-9f8a-7b6c5d4e3f2a',
            SECRET_AAD_APP_CLIENT_SECRET: 'a-client-secret',
          })[n] ?? `<no sample for ${n}>`,
        ),
      ]),
    );
    const config = loadConfig(env);
    expect(config).toMatchObject({ mode: 'm365', publicUrl: 'https://abc123-3978.euw.devtunnels.ms', bot: { type: 'SingleTenant', password: 'a-bot-secret' } });
    expect(config.store.kind).toBe('sharepoint');
    expect(read('package.json')).toContain('"serve:local": "npm run build:server && node --env-file=.localConfigs --enable-source-maps dist/server.mjs"');
  });

  it('runs the Playground lifecycle with nothing to provision', () => {
    const playground = stepsOf('teamsapp.playground.yml');
    expect(playground.map((s) => s.lifecycle)).not.toContain('provision');
    expect(playground.map((s) => s.uses)).toEqual(['cli/runNpmCommand', 'cli/runNpmCommand']);
  });
});

describe('env files and what leaves the machine', () => {
  it('has the three env templates, and git ignores their secrets and the generated settings', () => {
    for (const env of ['dev', 'local', 'playground']) expect(existsSync(join(root, 'env', `.env.${env}`)), env).toBe(true);
    const ignored = (f: string) => {
      try {
        execFileSync('git', ['check-ignore', '-q', '--no-index', f], { cwd: root });
        return true;
      } catch {
        return false;
      }
    };
    for (const f of ['env/.env.dev.user', 'env/.env.local.user', '.localConfigs', '.localConfigs.playground', 'build/aad.manifest.dev.json', 'appPackage/build/appPackage.dev.zip']) {
      expect(ignored(f), f).toBe(true);
    }
    expect(ignored('env/.env.dev')).toBe(false);
    // No committed env file holds a secret.
    for (const f of readdirSync(join(root, 'env'))) {
      expect(Object.keys(parseEnvFile(read(`env/${f}`))).filter((k) => k.startsWith('SECRET_')), f).toEqual([]);
    }
  });

  it('.webappignore leaves out only packages the server does not load, and keeps the bundles', () => {
    const patterns = read('.webappignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    // Anchored, so that e.g. /build/ cannot catch node_modules/better-sqlite3/build.
    expect(patterns.filter((p) => !p.startsWith('/') && p !== '*.user')).toEqual([]);
    for (const keep of ['/dist/', '/tab/dist/', '/node_modules/', '/package.json']) expect(patterns).not.toContain(keep);

    // The packages the server side imports (src/ outside the tab's code, bot/), and everything they depend on.
    const lock = JSON.parse(read('package-lock.json')).packages as Record<string, { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> }>;
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const f of readdirSync(join(root, dir))) {
        const p = join(dir, f);
        if (statSync(join(root, p)).isDirectory()) walk(p);
        else if (/\.tsx?$/.test(f)) files.push(p);
      }
    };
    walk('src');
    walk('bot');
    const bare = new Set<string>();
    for (const f of files) {
      for (const m of read(f).matchAll(/(?:from|import\()\s*'([^'.][^']*)'/g)) {
        if (m[1].startsWith('node:')) continue;
        bare.add(m[1].startsWith('@') ? m[1].split('/').slice(0, 2).join('/') : m[1].split('/')[0]);
      }
    }
    const closure = new Set<string>();
    const visit = (name: string, from = '') => {
      // Node's lookup: the nearest node_modules up from the dependent package.
      let key = `${from ? `${from}/` : ''}node_modules/${name}`;
      while (!(key in lock) && from) {
        from = from.includes('/node_modules/') ? from.slice(0, from.lastIndexOf('/node_modules/')) : '';
        key = `${from ? `${from}/` : ''}node_modules/${name}`;
      }
      if (!(key in lock) || closure.has(key)) return;
      closure.add(key);
      for (const dep of Object.keys({ ...lock[key].dependencies, ...lock[key].optionalDependencies })) visit(dep, key);
    };
    bare.forEach((b) => visit(b));
    expect(closure.size).toBeGreaterThan(20);
    const excluded = patterns.filter((p) => p.startsWith('/node_modules/')).map((p) => p.slice(1).replace(/\/$/, ''));
    expect([...closure].filter((k) => excluded.some((e) => k === e || k.startsWith(`${e}/`)))).toEqual([]);
    expect(relative(root, join(root, 'src'))).toBe('src');
  });
});

describe('aad.manifest.json', () => {
  const aad = JSON.parse(read('aad.manifest.json'));
  const manifest = JSON.parse(read('appPackage/manifest.json'));

  it('exposes access_as_user, the scope the server requires, at the URI the Teams manifest names', () => {
    expect(aad.oauth2Permissions.map((p: any) => p.value)).toEqual(['access_as_user']);
    expect(read('src/server/api/sso.ts')).toContain("const SCOPE = 'access_as_user';");
    expect(aad.identifierUris).toEqual([manifest.webApplicationInfo.resource]);
    expect(aad.appId).toBe(manifest.webApplicationInfo.id);
    expect(aad.signInAudience).toBe('AzureADMyOrg');
  });

  it('pre-authorises the Teams and Office clients, so staff are not asked to consent to the tab', () => {
    // Client ids from "Enable SSO for tab app" (learn.microsoft.com/microsoftteams/platform/tabs/how-to/authentication/tab-sso-register-aad).
    const clients = {
      '1fec8e78-bce4-4aaf-ab1b-5451cc387264': 'Teams desktop and mobile',
      '5e3ce6c0-2b1f-4285-8d4b-75ee78787346': 'Teams web',
      'd3590ed6-52b3-4102-aeff-aad2292ab01c': 'Microsoft 365 desktop',
      '00000002-0000-0ff1-ce00-000000000000': 'Microsoft 365 web (Exchange)',
      'bc59ab01-8403-45c6-8796-ac3ef710b3e3': 'Outlook web',
      '0ec893e0-5785-4de6-99da-4ed124e5296c': 'Microsoft 365 desktop (UWP)',
      '4765445b-32c6-49b0-83e6-1d93765276ca': 'Microsoft 365 web',
      '4345a7b9-9a63-4910-a426-35363201d503': 'Microsoft 365 app',
      '27922004-5251-4030-b22d-91ecd9a37ea4': 'Outlook mobile',
    };
    expect(aad.preAuthorizedApplications.map((a: any) => a.appId).sort()).toEqual(Object.keys(clients).sort());
    const scopeId = aad.oauth2Permissions[0].id;
    for (const a of aad.preAuthorizedApplications) expect(a.permissionIds).toEqual([scopeId]);
  });

  it('asks Graph for what the server uses, app-only: the one site an admin grants, installing itself for people, and reading the staff group', () => {
    expect(aad.requiredResourceAccess).toEqual([
      {
        resourceAppId: 'Microsoft Graph',
        resourceAccess: [
          { id: 'Sites.Selected', type: 'Role' },
          { id: 'TeamsAppInstallation.ReadWriteSelfForUser.All', type: 'Role' },
          { id: 'AppCatalog.Read.All', type: 'Role' },
          { id: 'GroupMember.Read.All', type: 'Role' },
          { id: 'User.Read.All', type: 'Role' },
        ],
      },
    ]);
  });
});
