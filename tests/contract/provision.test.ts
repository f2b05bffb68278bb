import { afterEach, describe, expect, it } from 'vitest';
import { loadSharePointConfig } from '../../src/adapters/sharepoint/config';
import { ProvisioningError, SharePointConfigError, SharePointSetupError } from '../../src/adapters/sharepoint/errors';
import { fromDate, toDate } from '../../src/adapters/sharepoint/fields';
import { createGraphClient } from '../../src/adapters/sharepoint/graph-client';
import { allListDefs, Lists } from '../../src/adapters/sharepoint/lists';
import { checkDefinitions, provisionSharePoint } from '../../src/adapters/sharepoint/provision';
import { SharePointStore } from '../../src/adapters/sharepoint/sharepoint.store';
import { DEFAULT_SITE, LocalGraphServer } from '../support/graph-server';
import { SITE, tokenProvider } from './sharepoint-harness';

const writes = (byKind: Record<string, number>) => (byKind['lists.post'] ?? 0) + (byKind['columns.post'] ?? 0) + (byKind['columns.patch'] ?? 0);

describe('provisioning SharePoint lists', () => {
  let server: LocalGraphServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  async function start() {
    server = new LocalGraphServer({ strictIndexing: true });
    const baseUrl = await server.start();
    return { baseUrl, client: createGraphClient({ baseUrl, tokenProvider }) };
  }

  it('creates every list and column, indexing the query columns; a second run changes nothing and says so', async () => {
    const { baseUrl, client } = await start();
    const lines: string[] = [];
    const first = await provisionSharePoint({ client, baseUrl, siteUrl: `https://${DEFAULT_SITE.hostname}${DEFAULT_SITE.path}`, log: (l) => lines.push(l) });
    expect(first.siteId).toBe(SITE);
    expect(first.changed).toBe(true);
    expect(first.lists.map((l) => [l.list, l.action])).toEqual(allListDefs.map((d) => [d.name, 'created']));
    expect(lines.filter((l) => l.startsWith('CS_'))).toHaveLength(allListDefs.length); // progress per list
    for (const def of allListDefs) {
      const cols = new Map(server!.listColumns(SITE, def.name).map((c) => [c.name, c]));
      for (const c of def.columns) {
        expect(cols.get(c.name), `${def.name}.${c.name}`).toBeDefined();
        if (c.indexed || c.unique) expect(cols.get(c.name)!.indexed, `${def.name}.${c.name} indexed`).toBe(true);
      }
    }
    const types = new Map(server!.listColumns(SITE, Lists.requests).map((c) => [c.name, c.type]));
    expect([types.get('Status'), types.get('GoLive'), types.get('Round'), types.get('Aims')]).toEqual(['choice', 'dateTime', 'number', 'text']);
    expect(server!.listColumns(SITE, Lists.versions).find((c) => c.name === 'RequireOpen')!.type).toBe('boolean');

    server!.resetStats();
    lines.length = 0;
    const second = await provisionSharePoint({ client, baseUrl, siteId: SITE, log: (l) => lines.push(l) });
    expect(second.changed).toBe(false);
    expect(second.lists.every((l) => l.action === 'unchanged')).toBe(true);
    expect(writes(server!.stats.byKind)).toBe(0);
    expect(lines.at(-1)).toBe(`Nothing to change: all ${allListDefs.length} lists and their columns are already in place.`);
    expect(lines.filter((l) => l.endsWith(': up to date'))).toHaveLength(allListDefs.length);
  });

  it('completes a half-provisioned site: adds missing lists and columns, indexes what needs it', async () => {
    const { baseUrl, client } = await start();
    // An older CS_Requests: a few of its columns, one of them not indexed yet.
    await client.api(`/sites/${SITE}/lists`).post({
      displayName: Lists.requests,
      list: { template: 'genericList' },
      columns: [
        { name: 'RequestId', text: {}, indexed: true, enforceUniqueValues: true },
        { name: 'RequesterId', text: {} },
        { name: 'Status', choice: { choices: ['pending', 'approved'] } },
      ],
    });
    server!.resetStats();
    const report = await provisionSharePoint({ client, baseUrl, siteId: SITE });
    const requests = report.lists.find((l) => l.list === Lists.requests)!;
    expect(requests.action).toBe('updated');
    expect(requests.changes).toContain('indexed RequesterId');
    expect(requests.changes).toContain('added returned, rejected, withdrawn to Status');
    expect(requests.changes).toContain('added CurrentApproverId (indexed)');
    expect(server!.listColumns(SITE, Lists.requests).find((c) => c.name === 'RequesterId')!.indexed).toBe(true);
    expect(report.lists.filter((l) => l.action === 'created')).toHaveLength(allListDefs.length - 1);
    expect(server!.stats.byKind['lists.post']).toBe(allListDefs.length - 1);

    // And now the store can use it.
    const store = await SharePointStore.connect({ baseUrl, siteId: SITE, tokenProvider });
    expect(await store.nextReference()).toBe('CS-0001');
    expect((await provisionSharePoint({ client, baseUrl, siteId: SITE })).changed).toBe(false);
  });

  it('adds SchoolId to lists provisioned before records knew their school; older items read as the deployment’s school', async () => {
    const { baseUrl, client } = await start();
    // The site as the previous release provisioned it: every list, no SchoolId anywhere.
    const before = allListDefs.map((d) => ({ ...d, columns: d.columns.filter((c) => c.name !== 'SchoolId') }));
    await provisionSharePoint({ client, baseUrl, siteId: SITE, lists: before });
    const old = await SharePointStore.connect({ baseUrl, siteId: SITE, tokenProvider });
    const { schoolId: _none, ...legacy } = { id: 'u-old', schoolId: '', name: 'Olive Old', email: 'o@x.example', department: 'Art', jobTitle: 'Teacher', roles: [] as never[] };
    await client.api(old.site.items('staff')).post({ fields: { Title: legacy.name, StaffId: legacy.id, FullName: legacy.name, Email: legacy.email, Department: legacy.department, JobTitle: legacy.jobTitle } });

    server!.resetStats();
    const report = await provisionSharePoint({ client, baseUrl, siteId: SITE });
    const withSchool = allListDefs.filter((d) => d.columns.some((c) => c.name === 'SchoolId'));
    expect(withSchool.map((d) => d.name)).toEqual([
      Lists.requests, Lists.decisions, Lists.audit, Lists.accounts, Lists.staff, Lists.policies, Lists.versions, Lists.declarations, Lists.campaigns, Lists.recipients, Lists.jobs,
    ]);
    for (const d of withSchool) {
      expect(report.lists.find((l) => l.list === d.name), d.name).toEqual({ list: d.name, action: 'updated', changes: ['added SchoolId (indexed)'] });
      expect(server!.listColumns(SITE, d.name).find((c) => c.name === 'SchoolId'), d.name).toMatchObject({ indexed: true, type: 'text' });
    }
    expect(server!.stats.byKind['columns.post']).toBe(withSchool.length);
    expect(server!.stats.byKind['lists.post'] ?? 0).toBe(0);
    expect((await provisionSharePoint({ client, baseUrl, siteId: SITE })).changed).toBe(false);

    // An item from before has no SchoolId: it belongs to the deployment's one school; new writes carry their own.
    const store = await SharePointStore.connect({ baseUrl, siteId: SITE, tokenProvider, schoolId: 'larkfield' });
    expect(await store.getStaff('u-old')).toEqual({ ...legacy, schoolId: 'larkfield' });
    await store.upsertStaff([{ ...legacy, id: 'u-new', schoolId: 'oak-academy' }]);
    expect((await store.listStaff()).map((x) => [x.id, x.schoolId])).toEqual([['u-old', 'larkfield'], ['u-new', 'oak-academy']]);
  });

  it('refuses a site where a list of the same name has a column of another type, and changes nothing', async () => {
    const { baseUrl, client } = await start();
    await client.api(`/sites/${SITE}/lists`).post({
      displayName: Lists.recipients,
      list: { template: 'genericList' },
      columns: [
        { name: 'State', number: {} },
        { name: 'FailureReason', text: { allowMultipleLines: false } },
      ],
    });
    server!.resetStats();
    let error: unknown;
    try {
      await provisionSharePoint({ client, baseUrl, siteId: SITE });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProvisioningError);
    const message = (error as ProvisioningError).message;
    expect(message).toMatch(/^Refusing to provision site .*: lists have 2 columns of another type than Countersign needs\./);
    expect(message).toContain('CS_Recipients: column "State" is a number, Countersign needs a choice');
    expect(message).toContain('CS_Recipients: column "FailureReason" is a single line of text, Countersign needs multiple lines of text');
    expect((error as ProvisioningError).problems).toHaveLength(2);
    expect(writes(server!.stats.byKind)).toBe(0);
  });

  it('the store refuses a site that was never provisioned, naming the command', async () => {
    const { baseUrl } = await start();
    await expect(SharePointStore.connect({ baseUrl, siteId: SITE, tokenProvider })).rejects.toThrow(SharePointSetupError);
    await expect(SharePointStore.connect({ baseUrl, siteId: SITE, tokenProvider })).rejects.toThrow(/run `npm run provision:sharepoint` first/);
  });

  it('keeps within SharePoint’s limits: at most 20 indexed columns a list, no name used twice', () => {
    expect(() => checkDefinitions(allListDefs)).not.toThrow();
    expect(() => checkDefinitions([{ name: 'X', description: '', columns: [{ name: 'Title', displayName: 'T', kind: 'text' }] }])).toThrow(/used twice/);
  });
});

describe('SharePoint settings', () => {
  const base = { GRAPH_TENANT_ID: 'larkfield.onmicrosoft.com', GRAPH_CLIENT_ID: '00000000-0000-0000-0000-0000000000aa', GRAPH_CLIENT_SECRET: 's3cret', SHAREPOINT_SITE_URL: 'https://contoso.sharepoint.com/sites/larkfield' };

  it('parses a site URL and a secret, defaulting the Graph address and the Entra authority', () => {
    expect(loadSharePointConfig(base)).toEqual({
      siteId: undefined,
      siteUrl: base.SHAREPOINT_SITE_URL,
      graphBaseUrl: 'https://graph.microsoft.com',
      authorityHost: 'https://login.microsoftonline.com',
      tenantId: base.GRAPH_TENANT_ID,
      clientId: base.GRAPH_CLIENT_ID,
      auth: { kind: 'secret', secret: 's3cret' },
    });
  });

  it.each([
    [{ SHAREPOINT_SITE_URL: undefined }, 'SHAREPOINT_SITE_ID or SHAREPOINT_SITE_URL is required'],
    [{ GRAPH_CLIENT_ID: 'not-a-guid' }, 'GRAPH_CLIENT_ID must be'],
    [{ GRAPH_CLIENT_SECRET: undefined }, 'GRAPH_CLIENT_SECRET or GRAPH_CERTIFICATE_PATH is required'],
    [{ GRAPH_CERTIFICATE_PATH: '/x.pem' }, 'GRAPH_CERTIFICATE_PATH and GRAPH_CLIENT_SECRET are both set'],
    [{ SHAREPOINT_SITE_ID: 'nonsense' }, 'SHAREPOINT_SITE_ID must be a Graph site id'],
    [{ GRAPH_BASE_URL: 'graph' }, 'GRAPH_BASE_URL must be a URL'],
  ])('refuses %o with one line naming the variable', (patch, words) => {
    let error: unknown;
    try {
      loadSharePointConfig({ ...base, ...patch });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SharePointConfigError);
    expect((error as Error).message).toContain(words);
    expect((error as Error).message).not.toContain('\n');
  });

  it('reads date-only values back as the same day, from our noon or from the site’s local midnight', () => {
    expect(fromDate(toDate('2025-09-01'))).toBe('2025-09-01');
    expect(fromDate('2025-08-31T23:00:00Z')).toBe('2025-09-01'); // a UK site in summer (UTC+1)
    expect(fromDate('2025-09-01T07:00:00Z')).toBe('2025-09-01'); // a US Pacific site (UTC-7)
    expect(fromDate(null)).toBe('');
  });
});
