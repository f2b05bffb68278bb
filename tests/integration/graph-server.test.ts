import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AuthenticationHandler,
  BatchRequestContent,
  BatchResponseContent,
  Client,
  GraphError,
  HTTPMessageHandler,
  RetryHandler,
  RetryHandlerOptions,
  type AuthenticationProvider,
  type Context,
  type Middleware,
} from '@microsoft/microsoft-graph-client';
import { DEFAULT_SITE, HONOR_NON_INDEXED, LocalGraphServer } from '../support/graph-server';

const SITE = DEFAULT_SITE.id;
const TOKEN = 'test-token';
const auth: AuthenticationProvider = { getAccessToken: async () => TOKEN };

/** The client attaches Authorization only to https hosts (TOOLCHAIN-NOTES), so add it over plain http. */
class BearerOverHttp implements Middleware {
  private next?: Middleware;
  async execute(context: Context): Promise<void> {
    const options = (context.options ??= {});
    options.headers = { ...(options.headers as Record<string, string> | undefined), Authorization: `Bearer ${await auth.getAccessToken()}` };
    await this.next!.execute(context);
  }
  setNext(next: Middleware): void {
    this.next = next;
  }
}

function graphClient(base: string): Client {
  return Client.initWithMiddleware({
    baseUrl: base,
    customHosts: new Set(['127.0.0.1']),
    middleware: [new AuthenticationHandler(auth), new BearerOverHttp(), new RetryHandler(new RetryHandlerOptions()), new HTTPMessageHandler()],
  });
}

/** The client's parser only strips https origins, so follow nextLinks by path (works for https too). */
function relative(link: string): string {
  const u = new URL(link);
  return u.pathname.replace(/^\/v1\.0/, '') + u.search;
}

async function caught(p: Promise<unknown>): Promise<GraphError> {
  try {
    await p;
  } catch (e) {
    return e as GraphError;
  }
  throw new Error('expected the request to fail');
}

interface ListItem { id: string; eTag: string; createdDateTime: string; lastModifiedDateTime: string; fields: Record<string, unknown> }

describe('LocalGraphServer (SharePoint lists through Microsoft Graph)', () => {
  let server: LocalGraphServer;
  let base: string;
  let client: Client;
  const listsPath = `/sites/${SITE}/lists`;

  const raw = (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
    fetch(`${base}/v1.0${path}`, { ...init, headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json', ...init.headers } });

  async function makeList(displayName: string, columns: unknown[]): Promise<{ id: string }> {
    return client.api(listsPath).post({ displayName, columns, list: { template: 'genericList' } });
  }

  beforeAll(async () => {
    server = new LocalGraphServer({ seed: 42 });
    base = await server.start();
    client = graphClient(base);
  });
  afterAll(async () => {
    await server.stop();
  });
  beforeEach(() => {
    server.configure({ throttle: undefined, failures: undefined, lostReplies: undefined });
    server.clearFaults();
    server.resetStats();
  });

  it('resolves the site by hostname and path, and by id', async () => {
    const byPath = await client.api(`/sites/${DEFAULT_SITE.hostname}:${DEFAULT_SITE.path}`).get();
    expect(byPath.id).toBe(SITE);
    const byId = await client.api(`/sites/${SITE}`).get();
    expect(byId.webUrl).toBe('https://contoso.sharepoint.com/sites/larkfield');
    expect(server.stats.byKind['sites.get']).toBe(2);
  });

  it('creates a list with columns, finds it by displayName and indexes a column', async () => {
    const list = await makeList('CS_Requests', [
      { name: 'Status', choice: { choices: ['pending', 'approved'] } },
      { name: 'RequestedOn', dateTime: {} },
      { name: 'Score', number: {} },
      { name: 'Notes', text: { allowMultipleLines: true } },
    ]);
    expect(list.id).toMatch(/^[0-9a-f-]{36}$/);

    const dup = await caught(makeList('CS_Requests', []));
    expect(dup.statusCode).toBe(409);

    const found = await client.api(listsPath).filter("displayName eq 'CS_Requests'").get();
    expect(found.value.map((l: { id: string }) => l.id)).toEqual([list.id]);

    const key = await client.api(`${listsPath}/${list.id}/columns`).post({ name: 'RequestKey', text: {}, indexed: true });
    expect(key).toMatchObject({ name: 'RequestKey', indexed: true, text: { allowMultipleLines: false } });

    const patched = await client.api(`${listsPath}/CS_Requests/columns/Status`).patch({ indexed: true });
    expect(patched.indexed).toBe(true);
    const cols = await client.api(`${listsPath}/${list.id}/columns`).get();
    const byName = Object.fromEntries(cols.value.map((c: { name: string; indexed: boolean }) => [c.name, c.indexed]));
    expect(byName).toMatchObject({ Title: false, Status: true, RequestKey: true, Score: false });
    expect(server.stats.byKind).toMatchObject({ 'lists.post': 2, 'columns.post': 1, 'columns.patch': 1 });
  });

  it('creates, reads and updates an item; a stale eTag is refused with 412', async () => {
    await makeList('Items_CRUD', [{ name: 'Status', text: {} }, { name: 'Score', number: {} }]);
    const itemsPath = `${listsPath}/Items_CRUD/items`;
    const created = (await client.api(itemsPath).post({ fields: { Title: 'First', Status: 'pending', Score: 3 } })) as ListItem;
    expect(created).toMatchObject({ id: '1', fields: { Title: 'First', Status: 'pending', Score: 3 } });
    expect(created.eTag).toMatch(/^"[0-9a-f-]{36},1"$/);
    expect(created.createdDateTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(created.lastModifiedDateTime).toBe(created.createdDateTime);

    const bare = await client.api(`${itemsPath}/1`).get();
    expect(bare.fields).toBeUndefined(); // fields only with $expand=fields
    const read = (await client.api(`${itemsPath}/1`).expand('fields').get()) as ListItem;
    expect(read.fields.Status).toBe('pending');

    const updated = await client.api(`${itemsPath}/1/fields`).header('If-Match', created.eTag).patch({ Status: 'approved' });
    expect(updated.Status).toBe('approved');
    expect(updated['@odata.etag']).not.toBe(created.eTag);
    expect(updated['@odata.etag']).toMatch(/,2"$/);

    // A second approver still holding the first eTag loses.
    const stale = await caught(client.api(`${itemsPath}/1/fields`).header('If-Match', created.eTag).patch({ Status: 'rejected' }));
    expect(stale).toBeInstanceOf(GraphError);
    expect(stale.statusCode).toBe(412);
    expect(stale.code).toBe('preconditionFailed');
    expect(server.listItems(SITE, 'Items_CRUD')[0]!.fields.Status).toBe('approved');
    expect(server.stats.status412).toBe(1);

    const unknown = await caught(client.api(itemsPath).post({ fields: { Stauts: 'typo' } }));
    expect(unknown.statusCode).toBe(400);
    expect(unknown.message).toContain("Field 'Stauts' is not recognized");
    const tooLong = await caught(client.api(itemsPath).post({ fields: { Title: 'x'.repeat(256) } }));
    expect(tooLong.statusCode).toBe(400);
  });

  it('deletes honour If-Match', async () => {
    await makeList('Items_Delete', []);
    const [id] = server.seedItems(SITE, 'Items_Delete', [{ Title: 'gone soon' }]);
    const item = (await client.api(`${listsPath}/Items_Delete/items/${id}`).get()) as ListItem;
    await client.api(`${listsPath}/Items_Delete/items/${id}/fields`).patch({ Title: 'changed' });
    const stale = await caught(client.api(`${listsPath}/Items_Delete/items/${id}`).header('If-Match', item.eTag).delete());
    expect(stale.statusCode).toBe(412);
    const res = await raw(`${listsPath}/Items_Delete/items/${id}`, { method: 'DELETE', headers: { 'If-Match': server.listItems(SITE, 'Items_Delete')[0]!.eTag } });
    expect(res.status).toBe(204);
    expect(server.listItems(SITE, 'Items_Delete')).toHaveLength(0);
  });

  it('pages with an absolute @odata.nextLink until every item is read', async () => {
    await makeList('Paged', [{ name: 'N', number: {} }]);
    server.seedItems(SITE, 'Paged', Array.from({ length: 450 }, (_, i) => ({ Title: `row ${i}`, N: i })));

    const seen: string[] = [];
    let pages = 0;
    let res = await client.api(`${listsPath}/Paged/items`).expand('fields($select=N)').get();
    for (;;) {
      pages++;
      seen.push(...res.value.map((v: ListItem) => v.id));
      expect(res.value[0].fields).toEqual({ '@odata.etag': res.value[0].eTag, N: Number(res.value[0].id) - 1 });
      const next: string | undefined = res['@odata.nextLink'];
      if (!next) break;
      expect(next.startsWith(`${base}/v1.0/sites/`)).toBe(true);
      expect(next).toContain('$skiptoken=');
      res = await client.api(relative(next)).get();
    }
    expect(pages).toBe(3); // default page size 200
    expect(new Set(seen).size).toBe(450);

    // Raw fetch can follow the link as given.
    const first = await (await raw(`${listsPath}/Paged/items?$orderby=fields/N desc&$filter=fields/N ge 100`)).json();
    const second = await (await fetch(first['@odata.nextLink'], { headers: { Authorization: `Bearer ${TOKEN}` } })).json();
    expect(first.value).toHaveLength(200);
    expect(second.value).toHaveLength(150);
    expect(second['@odata.nextLink']).toBeUndefined();
  });

  it('honours $top as the page size', async () => {
    await makeList('Topped', []);
    server.seedItems(SITE, 'Topped', Array.from({ length: 300 }, (_, i) => ({ Title: `t${i}` })));
    const five = await client.api(`${listsPath}/Topped/items`).top(5).get();
    expect(five.value.map((v: ListItem) => v.id)).toEqual(['1', '2', '3', '4', '5']);
    expect(five['@odata.nextLink']).toContain('$top=5');
    const capped = await client.api(`${listsPath}/Topped/items`).top(1000).get();
    expect(capped.value).toHaveLength(200); // never more than the server page size
  });

  it('filters with eq, ne, lt, le, gt, ge, and, or on text, number, date and boolean fields, and orders', async () => {
    await makeList('Ops', [
      { name: 'Status', choice: { choices: ['pending', 'approved'] } },
      { name: 'Score', number: {} },
      { name: 'Due', dateTime: {} },
      { name: 'Urgent', boolean: {} },
    ]);
    server.seedItems(SITE, 'Ops', [
      { Title: 'a', Status: 'pending', Score: 1, Due: '2025-01-01T00:00:00Z', Urgent: true },
      { Title: 'b', Status: 'approved', Score: 5, Due: '2025-02-01T00:00:00Z', Urgent: false },
      { Title: "o'neill", Status: 'pending', Score: 10, Due: '2025-03-01T00:00:00Z', Urgent: false },
      { Title: 'd', Status: 'approved', Score: 7 },
    ]);
    const ids = async (filter: string, orderby?: string) => {
      let req = client.api(`${listsPath}/Ops/items`).expand('fields').filter(filter);
      if (orderby) req = req.orderby(orderby);
      return (await req.get()).value.map((v: ListItem) => v.id);
    };
    expect(await ids("fields/Status eq 'pending'")).toEqual(['1', '3']);
    expect(await ids("fields/Status eq 'PENDING'")).toEqual(['1', '3']); // SharePoint compares text case-insensitively
    expect(await ids("fields/Status ne 'pending'")).toEqual(['2', '4']);
    expect(await ids('fields/Score lt 5')).toEqual(['1']);
    expect(await ids('fields/Score le 5')).toEqual(['1', '2']);
    expect(await ids('fields/Score gt 5')).toEqual(['3', '4']);
    expect(await ids('fields/Score ge 7', 'fields/Score desc')).toEqual(['3', '4']);
    expect(await ids("fields/Due ge '2025-02-01T00:00:00Z'")).toEqual(['2', '3']);
    expect(await ids('fields/Due lt 2025-02-01T00:00:00Z')).toEqual(['1']);
    expect(await ids('fields/Urgent eq true')).toEqual(['1']);
    expect(await ids("fields/Status eq 'approved' and fields/Score gt 5")).toEqual(['4']);
    expect(await ids("fields/Score eq 1 or (fields/Status eq 'approved' and fields/Urgent eq false)")).toEqual(['1', '2']);
    expect(await ids("fields/Title eq 'o''neill'")).toEqual(['3']);
    expect(await ids('fields/Due eq null')).toEqual(['4']);
    expect(await ids("id eq '2'")).toEqual(['2']);
    expect(await ids('fields/Score ge 0', 'fields/Status asc,fields/Score desc')).toEqual(['4', '2', '3', '1']);

    const missing = await caught(ids("fields/Nope eq 'x'"));
    expect(missing.statusCode).toBe(400);
  });

  it('refuses a non-indexed filter or orderby above the list view threshold, not on an indexed column', async () => {
    await makeList('Big', [
      { name: 'Status', choice: { choices: ['pending', 'approved'] } },
      { name: 'Key', text: {}, indexed: true },
    ]);
    const rows = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ Title: `r${from + i}`, Status: (from + i) % 2 ? 'approved' : 'pending', Key: `k${from + i}` }));
    server.seedItems(SITE, 'Big', rows(0, 10));
    const byStatus = `${listsPath}/Big/items?$expand=fields&$filter=fields/Status eq 'pending'`;
    expect((await (await raw(byStatus)).json()).value).toHaveLength(5); // fine below the threshold

    server.seedItems(SITE, 'Big', rows(10, 4991)); // 5001 items
    const refused = await raw(byStatus);
    expect(refused.status).toBe(400);
    const body = await refused.json();
    expect(body.error.code).toBe('invalidRequest');
    expect(body.error.message).toContain("Field 'Status' cannot be referenced in filter or orderby as it is not indexed");

    const viaClient = await caught(client.api(`${listsPath}/Big/items`).filter("fields/Status eq 'pending'").get());
    expect(viaClient.statusCode).toBe(400);
    expect((await raw(`${listsPath}/Big/items?$orderby=fields/Status`)).status).toBe(400);

    // The Prefer header does not rescue a large list, and its use is counted.
    const preferred = await raw(byStatus, { headers: { Prefer: HONOR_NON_INDEXED } });
    expect(preferred.status).toBe(400);
    expect(server.stats.honorNonIndexedUsed).toBe(1);
    expect(server.stats.thresholdRefused).toBe(4);

    const byKey = await client.api(`${listsPath}/Big/items`).expand('fields').filter("fields/Key eq 'k4321'").get();
    expect(byKey.value.map((v: ListItem) => v.fields.Title)).toEqual(['r4321']);
    const byId = await client.api(`${listsPath}/Big/items`).filter('id ge 4990').get();
    expect(byId.value).toHaveLength(12);
    const unfiltered = await client.api(`${listsPath}/Big/items`).get();
    expect(unfiltered.value).toHaveLength(200);

    await client.api(`${listsPath}/Big/columns/Status`).patch({ indexed: true });
    const nowIndexed = await client.api(`${listsPath}/Big/items`).filter("fields/Status eq 'pending'").get();
    expect(nowIndexed.value).toHaveLength(200);
    expect(nowIndexed['@odata.nextLink']).toBeDefined();
  });

  it('with strictIndexing, refuses non-indexed queries at any size unless Prefer is sent, as Graph does', async () => {
    const strict = new LocalGraphServer({ strictIndexing: true });
    const strictBase = await strict.start();
    try {
      const c = graphClient(strictBase);
      await c.api(listsPath).post({ displayName: 'Small', columns: [{ name: 'Status', text: {} }] });
      strict.seedItems(SITE, 'Small', [{ Status: 'a' }, { Status: 'b' }]);
      const refused = await caught(c.api(`${listsPath}/Small/items`).filter("fields/Status eq 'a'").get());
      expect(refused.statusCode).toBe(400);
      const allowed = await c.api(`${listsPath}/Small/items`).header('Prefer', HONOR_NON_INDEXED).filter("fields/Status eq 'a'").get();
      expect(allowed.value).toHaveLength(1);
      expect(strict.stats.honorNonIndexedUsed).toBe(1);
    } finally {
      await strict.stop();
    }
  });

  it('runs a $batch of 20 creates and refuses 21', async () => {
    await makeList('Batched', [{ name: 'N', number: {} }]);
    const steps = Array.from({ length: 20 }, (_, i) => ({
      id: String(i + 1),
      request: new Request(`${base}/v1.0${listsPath}/Batched/items`, {
        method: 'POST',
        body: JSON.stringify({ fields: { Title: `b${i}`, N: i } }),
        headers: { 'Content-Type': 'application/json' },
      }),
    }));
    const content = new BatchRequestContent(steps);
    const payload = await content.getContent();
    expect((payload as { requests: Array<{ url: string }> }).requests[0]!.url.startsWith('/v1.0/')).toBe(true);
    const res = new BatchResponseContent(await client.api('/$batch').post(payload));
    const statuses = [...res.getResponses().values()].map((r) => r.status);
    expect(statuses).toEqual(Array(20).fill(201));
    const one = await res.getResponseById('7').json();
    expect(one.fields).toMatchObject({ Title: 'b6', N: 6 });
    expect(server.listItems(SITE, 'Batched')).toHaveLength(20);
    expect(server.stats.byKind.batch).toBe(1);
    expect(server.stats.innerRequests).toBe(20);
    expect(server.stats.innerByKind['items.post']).toBe(20);

    expect(() => new BatchRequestContent([...steps, { ...steps[0]!, id: '21' }])).toThrow(/limit/i);
    const requests = Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: `/sites/${SITE}` }));
    const tooMany = await raw('/$batch', { method: 'POST', body: JSON.stringify({ requests }) });
    expect(tooMany.status).toBe(400);
    expect((await tooMany.json()).error.code).toBe('BadRequest');
  });

  it('reports an inner 429 with Retry-After while the batch itself is 200, and the client does not retry it', async () => {
    await makeList('Throttled', []);
    server.resetStats();
    server.failNext(1, { status: 429, scope: 'inner', retryAfterSeconds: 2 });
    const content = new BatchRequestContent(
      Array.from({ length: 3 }, (_, i) => ({
        id: `r${i}`,
        request: new Request(`${base}/v1.0${listsPath}/Throttled/items`, { method: 'POST', body: JSON.stringify({ fields: { Title: `t${i}` } }), headers: { 'Content-Type': 'application/json' } }),
      })),
    );
    // Through the client: its RetryHandler sees a 200 envelope and has nothing to retry.
    const res = new BatchResponseContent(await client.api('/$batch').post(await content.getContent()));
    const throttled = [...res.getResponses().entries()].filter(([, r]) => r.status === 429);
    expect(throttled).toHaveLength(1);
    const [, r429] = throttled[0]!;
    expect(r429.headers.get('Retry-After')).toBe('2');
    expect((await r429.json()).error.code).toBe('activityLimitReached');
    expect(server.listItems(SITE, 'Throttled')).toHaveLength(2);
    expect(server.stats).toMatchObject({ requests: 1, innerRequests: 3, status429: 1 });
  });

  it('throttles inner requests at a seeded rate, the same way for the same seed', async () => {
    const run = async () => {
      const s = new LocalGraphServer({ seed: 7, throttle: { rate: 0.3, retryAfterSeconds: 0 } });
      const b = await s.start();
      try {
        const requests = Array.from({ length: 20 }, (_, i) => ({ id: String(i), method: 'GET', url: `/v1.0/sites/${SITE}` }));
        const res = await fetch(`${b}/v1.0/$batch`, { method: 'POST', headers: { Authorization: 'Bearer t', 'Content-Type': 'application/json' }, body: JSON.stringify({ requests }) });
        const body = (await res.json()) as { responses: Array<{ id: string; status: number; headers: Record<string, string> }> };
        expect(res.status).toBe(200);
        for (const r of body.responses) expect(r.headers['Content-Type'] ?? 'none').toBe('application/json');
        expect(s.stats.status429).toBe(body.responses.filter((r) => r.status === 429).length);
        return body.responses.sort((x, y) => Number(x.id) - Number(y.id)).map((r) => r.status);
      } finally {
        await s.stop();
      }
    };
    const first = await run();
    expect(first).toContain(429);
    expect(first).toContain(200);
    expect(await run()).toEqual(first);
  });

  it("retries a top-level 429 and 503 through the client's RetryHandler, honouring Retry-After", async () => {
    server.failNext(1, { status: 429, scope: 'top', retryAfterSeconds: 1 });
    const started = Date.now();
    const site = await client.api(`/sites/${SITE}`).get();
    expect(site.id).toBe(SITE);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(server.stats).toMatchObject({ requests: 2, status429: 1, retryAttemptsSeen: 1, earlyRetries: 0 });

    server.resetStats();
    server.failNext(1, { status: 503, scope: 'top', retryAfterSeconds: 0 });
    await client.api(`/sites/${SITE}`).get();
    expect(server.stats).toMatchObject({ requests: 2, status503: 1, retryAttemptsSeen: 1 });

    server.resetStats();
    server.failNext(4, { status: 429, scope: 'top', retryAfterSeconds: 0 });
    const gaveUp = await caught(client.api(`/sites/${SITE}`).get());
    expect(gaveUp.statusCode).toBe(429);
    expect(server.stats.requests).toBe(4); // one try and three retries
  });

  it('throttles bursts: the last `length` of every `every` requests', async () => {
    server.configure({ throttle: { burst: { every: 4, length: 1 }, retryAfterSeconds: 0 } });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await raw(`/sites/${SITE}`)).status);
    expect(statuses).toEqual([200, 200, 200, 429, 200, 200, 200, 429]);
  });

  it('keeps answering 429 until Retry-After has passed when throttling is sticky', async () => {
    server.configure({ throttle: { sticky: true, retryAfterSeconds: 1 } });
    server.failNext(1, { status: 429, scope: 'top' });
    expect((await raw(`/sites/${SITE}`)).status).toBe(429);
    const early = await raw(`/sites/${SITE}`);
    expect(early.status).toBe(429);
    expect(early.headers.get('Retry-After')).toBe('1');
    expect(server.stats.earlyRetries).toBe(1);
  });

  it('loses the reply to a top-level write after executing it: 504, then the retry meets its own write', async () => {
    await makeList('Lost_Top', [{ name: 'Key', text: {}, enforceUniqueValues: true }]);
    server.resetStats();
    server.loseNextReplies(1, { as: [504], scope: 'top' });
    // The client's RetryHandler retries the 504: the POST already landed, so the retry meets the unique key.
    const retried = await caught(client.api(`${listsPath}/Lost_Top/items`).post({ fields: { Key: 'once' } }));
    expect(retried.statusCode).toBe(409);
    expect(server.listItems(SITE, 'Lost_Top').map((it) => it.fields.Key)).toEqual(['once']);
    expect(server.stats).toMatchObject({ lostReplies: 1, status504: 1, retryAttemptsSeen: 1 });

    // A PATCH with If-Match whose reply is lost: the retry is a 412, and the item holds the write.
    const [item] = server.listItems(SITE, 'Lost_Top');
    server.loseNextReplies(1, { as: [503], kind: 'items.patch' });
    const stale = await caught(client.api(`${listsPath}/Lost_Top/items/${item!.id}/fields`).header('If-Match', item!.eTag).patch({ Title: 'patched' }));
    expect(stale.statusCode).toBe(412);
    expect(server.listItems(SITE, 'Lost_Top')[0]!.fields.Title).toBe('patched');

    // Reads are never lost: only writes that succeeded.
    server.resetStats();
    server.loseNextReplies(1, { as: [504] });
    expect((await raw(`${listsPath}/Lost_Top/items`)).status).toBe(200);
    expect((await raw(`${listsPath}/Lost_Top/items`, { method: 'POST', body: JSON.stringify({ fields: { Key: 'once' } }) })).status).toBe(409);
    expect(server.stats.lostReplies).toBe(0);
    expect((await raw(`${listsPath}/Lost_Top/items`, { method: 'POST', body: JSON.stringify({ fields: { Key: 'twice' } }) })).status).toBe(504);
    expect(server.stats.lostReplies).toBe(1);
  });

  it('drops the connection after a write has landed', async () => {
    await makeList('Lost_Drop', []);
    server.loseNextReplies(1, { as: ['drop'] });
    await expect(raw(`${listsPath}/Lost_Drop/items`, { method: 'POST', body: JSON.stringify({ fields: { Title: 'landed' } }) })).rejects.toThrow();
    expect(server.listItems(SITE, 'Lost_Drop').map((it) => it.fields.Title)).toEqual(['landed']);
    expect(server.stats.lostReplies).toBe(1);
  });

  it('loses a whole $batch envelope after running it, or one write inside it', async () => {
    await makeList('Lost_Batch', [{ name: 'Key', text: {}, enforceUniqueValues: true }]);
    const requests = ['a', 'b', 'c'].map((k, i) => ({ id: String(i), method: 'POST', url: `${listsPath}/Lost_Batch/items`, headers: { 'Content-Type': 'application/json' }, body: { fields: { Key: k } } }));
    server.loseNextReplies(1, { as: [504], kind: 'batch' });
    const envelope = await raw('/$batch', { method: 'POST', body: JSON.stringify({ requests }) });
    expect(envelope.status).toBe(504);
    expect(server.listItems(SITE, 'Lost_Batch')).toHaveLength(3);

    server.loseNextReplies(1, { as: [503], scope: 'inner' });
    const more = ['d', 'e'].map((k, i) => ({ ...requests[i]!, body: { fields: { Key: k } } }));
    const res = (await (await raw('/$batch', { method: 'POST', body: JSON.stringify({ requests: more }) })).json()) as { responses: Array<{ id: string; status: number }> };
    expect(res.responses.map((r) => r.status).sort()).toEqual([201, 503]);
    expect(server.listItems(SITE, 'Lost_Batch').map((it) => it.fields.Key)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('loses write replies at a seeded rate, sparing the lists it is told to', async () => {
    const run = async () => {
      const s = new LocalGraphServer({ seed: 5, lostReplies: { rate: 0.3, as: [504], scope: 'inner', except: [{ list: 'Spared' }] } });
      const b = await s.start();
      try {
        const call = (path: string, body: unknown) => fetch(`${b}/v1.0${path}`, { method: 'POST', headers: { Authorization: 'Bearer t', 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
        for (const name of ['Lossy', 'Spared']) await call(listsPath, { displayName: name });
        const statuses: Record<string, number[]> = {};
        for (const name of ['Lossy', 'Spared']) {
          const requests = Array.from({ length: 20 }, (_, i) => ({ id: String(i), method: 'POST', url: `${listsPath}/${name}/items`, headers: { 'Content-Type': 'application/json' }, body: { fields: { Title: `t${i}` } } }));
          const body = (await (await call('/$batch', { requests })).json()) as { responses: Array<{ id: string; status: number }> };
          statuses[name] = body.responses.sort((x, y) => Number(x.id) - Number(y.id)).map((r) => r.status);
          expect(s.listItems(SITE, name)).toHaveLength(20);
        }
        return statuses;
      } finally {
        await s.stop();
      }
    };
    const first = await run();
    expect(first.Lossy).toContain(504);
    expect(first.Lossy).toContain(201);
    expect(first.Spared).toEqual(Array(20).fill(201));
    expect(await run()).toEqual(first);
  });

  it('answers 424 to a batch request whose dependency failed', async () => {
    const body = {
      requests: [
        { id: '1', method: 'GET', url: `/sites/${SITE}/lists/NoSuchList` },
        { id: '2', method: 'GET', url: `/sites/${SITE}`, dependsOn: ['1'] },
      ],
    };
    const res = await (await raw('/$batch', { method: 'POST', body: JSON.stringify(body) })).json();
    const byId = Object.fromEntries(res.responses.map((r: { id: string; status: number }) => [r.id, r.status]));
    expect(byId).toEqual({ '1': 404, '2': 424 });
  });

  it('enforces unique values on a column that asks for them', async () => {
    await makeList('Unique', [{ name: 'Key', text: {}, enforceUniqueValues: true }]);
    await client.api(`${listsPath}/Unique/items`).post({ fields: { Key: 'K1' } });
    const dup = await caught(client.api(`${listsPath}/Unique/items`).post({ fields: { Key: 'k1' } }));
    expect(dup.statusCode).toBe(409);
    expect(server.listColumns(SITE, 'Unique').find((c) => c.name === 'Key')!.indexed).toBe(true);

    // seedItems may back-date records.
    server.seedItems(SITE, 'Unique', [{ Key: 'K2', Created: '2020-01-01T00:00:00Z' }]);
    const old = await client.api(`${listsPath}/Unique/items`).filter("fields/Created lt '2021-01-01T00:00:00Z'").get();
    expect(old.value.map((v: ListItem) => [v.id, v.createdDateTime])).toEqual([['2', '2020-01-01T00:00:00Z']]);
  });

  it('requires a bearer token on every top-level request', async () => {
    const res = await fetch(`${base}/v1.0/sites/${SITE}`);
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe('InvalidAuthenticationToken');

    // The stock client over plain http sends no Authorization header.
    const plain = Client.init({ baseUrl: base, customHosts: new Set(['127.0.0.1']), authProvider: (done) => done(null, TOKEN) });
    const err = await caught(plain.api(`/sites/${SITE}`).get());
    expect(err.statusCode).toBe(401);
    expect(server.stats.status401).toBe(2);
  });
});
