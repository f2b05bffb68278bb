import type { Client } from '@microsoft/microsoft-graph-client';
import { BatchRunner, MAX_BATCH, type SubRequest, type SubResponse } from './batch';
import { asSharePointError, SharePointError, SharePointSetupError } from './errors';
import type { Fields } from './fields';
import { nextLinkPath } from './graph-client';
import { listDefs, Lists, type ListKey } from './lists';

/** A list item as the store sees it. */
export interface Item {
  id: string;
  eTag: string;
  fields: Fields;
}

export interface ItemQuery {
  /** OData over `fields/…`; every column named here must be indexed. */
  filter?: string;
  orderby?: string;
  /** Page size asked of Graph; also the most items we want when `max` is not given. */
  top?: number;
  /** Only these fields (and the eTag). */
  select?: string[];
}

/** Resolves `SHAREPOINT_SITE_URL` (https://host/sites/x) to Graph's site id: GET /sites/{hostname}:{server-relative-path} (site-getbypath). */
export async function resolveSiteId(client: Client, siteUrl: string): Promise<string> {
  const u = new URL(siteUrl);
  const path = u.pathname.replace(/\/+$/, '');
  try {
    const site = (await client.api(`/sites/${u.hostname}:${path}`).select('id').get()) as { id: string };
    return site.id;
  } catch (e) {
    throw asSharePointError(e, `resolving the site ${siteUrl}`);
  }
}

/** Every list on the site, by display name: GET /sites/{id}/lists (list-list), following nextLinks. */
export async function siteLists(client: Client, baseUrl: string, siteId: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let path: string | undefined = `/sites/${siteId}/lists?$select=id,displayName`;
  try {
    while (path) {
      const page = (await client.api(path).get()) as { value: Array<{ id: string; displayName: string }>; '@odata.nextLink'?: string };
      for (const l of page.value) out.set(l.displayName, l.id);
      path = page['@odata.nextLink'] ? nextLinkPath(page['@odata.nextLink'], baseUrl) : undefined;
    }
  } catch (e) {
    throw asSharePointError(e, `listing the lists of site ${siteId}`);
  }
  return out;
}

/**
 * Items of the store's lists on one site: the only code that builds Graph
 * item URLs. Single reads and writes go straight through the client (its
 * RetryHandler covers top-level 429/503/504); many writes go through `batch`.
 */
export class SiteClient {
  constructor(
    readonly client: Client,
    readonly baseUrl: string,
    readonly siteId: string,
    private readonly listIds: ReadonlyMap<ListKey, string>,
    readonly batch: BatchRunner,
    /** The deployment's school: what an item written before the SchoolId column existed belongs to. */
    readonly schoolId?: string,
    coalesceMs = COALESCE_MS,
  ) {
    this.coalescer = new Coalescer(batch, coalesceMs);
  }

  private readonly coalescer: Coalescer;

  /**
   * Reads an item from before records knew their school as the deployment's school. Filled in on read, not
   * backfilled: stamping every old item would be one write each (resource units, throttling) at start-up.
   */
  private withSchool(list: ListKey, fields: Fields): Fields {
    if (!this.schoolId || !SCHOOL_LISTS.has(list) || (typeof fields.SchoolId === 'string' && fields.SchoolId !== '')) return fields;
    return { ...fields, SchoolId: this.schoolId };
  }

  /** Resolves the site and the ids of our lists once. Refuses a site that was never provisioned. */
  static async connect(o: { client: Client; baseUrl: string; siteId?: string; siteUrl?: string; batch?: BatchRunner; schoolId?: string }): Promise<SiteClient> {
    const siteId = o.siteId ?? (await resolveSiteId(o.client, o.siteUrl!));
    const byName = await siteLists(o.client, o.baseUrl, siteId);
    const ids = new Map<ListKey, string>();
    const missing: string[] = [];
    for (const [k, name] of Object.entries(Lists) as Array<[ListKey, string]>) {
      const id = byName.get(name);
      if (id) ids.set(k, id);
      else missing.push(name);
    }
    if (missing.length) {
      throw new SharePointSetupError(`The SharePoint site has no ${missing.join(', ')} list${missing.length > 1 ? 's' : ''}: run \`npm run provision:sharepoint\` first.`);
    }
    return new SiteClient(o.client, o.baseUrl, siteId, ids, o.batch ?? new BatchRunner(o.client), o.schoolId);
  }

  /** `/sites/{site}/lists/{list}/items[/{id}]`, relative to Graph's version root (also valid inside $batch). */
  items(list: ListKey, itemId?: string): string {
    return `/sites/${this.siteId}/lists/${this.listIds.get(list)}/items${itemId ? `/${itemId}` : ''}`;
  }

  /**
   * Runs a query and follows @odata.nextLink until the end or until `max` items
   * have arrived, whichever is first: never more pages than needed.
   */
  async query(list: ListKey, q: ItemQuery, max = Number.POSITIVE_INFINITY): Promise<Item[]> {
    const params = [`$expand=${q.select ? `fields($select=${q.select.join(',')})` : 'fields'}`];
    if (q.filter) params.push(`$filter=${encodeURIComponent(q.filter)}`);
    if (q.orderby) params.push(`$orderby=${encodeURIComponent(q.orderby)}`);
    const top = q.top ?? (Number.isFinite(max) ? Math.min(max, 5000) : undefined);
    if (top) params.push(`$top=${top}`);
    const out: Item[] = [];
    let path: string | undefined = `${this.items(list)}?${params.join('&')}`;
    try {
      while (path && out.length < max) {
        const page = (await this.client.api(path).get()) as { value: Array<{ id: string; eTag: string; fields: Fields }>; '@odata.nextLink'?: string };
        for (const v of page.value) {
          if (out.length >= max) break;
          out.push({ id: v.id, eTag: v.eTag ?? String(v.fields?.['@odata.etag'] ?? ''), fields: this.withSchool(list, v.fields ?? {}) });
        }
        path = page['@odata.nextLink'] ? nextLinkPath(page['@odata.nextLink'], this.baseUrl) : undefined;
      }
    } catch (e) {
      throw asSharePointError(e, `querying ${Lists[list]}${q.filter ? ` (${q.filter})` : ''}`);
    }
    return out;
  }

  /**
   * The same query a page at a time (Graph's pages of up to 5,000), for a walk over a list too long to hold:
   * the audit verifier's pass over every entry.
   */
  async *pages(list: ListKey, q: ItemQuery): AsyncIterable<Item[]> {
    const params = [`$expand=${q.select ? `fields($select=${q.select.join(',')})` : 'fields'}`, `$top=${q.top ?? 5000}`];
    if (q.filter) params.push(`$filter=${encodeURIComponent(q.filter)}`);
    if (q.orderby) params.push(`$orderby=${encodeURIComponent(q.orderby)}`);
    let path: string | undefined = `${this.items(list)}?${params.join('&')}`;
    while (path) {
      let page: { value: Array<{ id: string; eTag: string; fields: Fields }>; '@odata.nextLink'?: string };
      try {
        page = (await this.client.api(path).get()) as typeof page;
      } catch (e) {
        throw asSharePointError(e, `querying ${Lists[list]}${q.filter ? ` (${q.filter})` : ''}`);
      }
      yield page.value.map((v) => ({ id: v.id, eTag: v.eTag ?? String(v.fields?.['@odata.etag'] ?? ''), fields: this.withSchool(list, v.fields ?? {}) }));
      path = page['@odata.nextLink'] ? nextLinkPath(page['@odata.nextLink'], this.baseUrl) : undefined;
    }
  }

  /** One item by its key column; undefined when there is none. A single-page GET, so it may share a $batch (see `one`). */
  async findOne(list: ListKey, filter: string): Promise<Item | undefined> {
    const r = await this.one({ method: 'GET', url: `${this.items(list)}?$expand=fields&$filter=${encodeURIComponent(filter)}&$top=1` });
    const page = expectOk(r, `querying ${Lists[list]} (${filter})`).body as { value?: Array<{ id: string; eTag: string; fields: Fields }> };
    const v = page.value?.[0];
    return v && { id: String(v.id), eTag: String(v.eTag ?? v.fields?.['@odata.etag'] ?? ''), fields: this.withSchool(list, v.fields ?? {}) };
  }

  /** GET one item with its fields (listitem-get); undefined for 404. */
  async get(list: ListKey, itemId: string): Promise<Item | undefined> {
    const r = await this.one({ method: 'GET', url: `${this.items(list, itemId)}?$expand=fields` });
    if (r.status === 404) return undefined;
    const v = expectOk(r, `reading ${Lists[list]} item ${itemId}`).body as { id: string; eTag: string; fields: Fields };
    return { id: String(v.id), eTag: String(v.eTag ?? r.headers.etag ?? ''), fields: this.withSchool(list, v.fields ?? {}) };
  }

  /** POST an item (listitem-create). A 409 (unique column) is returned as undefined, for INSERT OR IGNORE. */
  async create(list: ListKey, fields: Fields): Promise<Item | undefined> {
    const r = await this.one(this.createReq(list, fields));
    if (r.status === 409) return undefined;
    const v = itemOf(expectOk(r, `adding to ${Lists[list]}`));
    return { id: v.id, eTag: v.eTag, fields: v.fields ?? {} };
  }

  /**
   * PATCH an item's fields (listitem-update). With `eTag`, sends If-Match and
   * returns 'conflict' on 412 ("the item will not be updated").
   */
  async update(list: ListKey, itemId: string, fields: Fields, eTag?: string): Promise<{ eTag: string; fields: Fields } | 'conflict'> {
    const r = await this.one(this.updateReq(list, itemId, fields, eTag));
    if (r.status === 412) return 'conflict';
    const v = expectOk(r, `updating ${Lists[list]} item ${itemId}`);
    return { eTag: itemOf(v).eTag, fields: (v.body ?? {}) as Fields };
  }

  /**
   * One item request. Those made within a few milliseconds of each other (the worker's concurrent jobs:
   * recipient updates, completions, sent-card records) leave together in one $batch of up to 20, which is
   * one Graph request instead of twenty. Inner answers keep their status, throttled ones are retried alone
   * (BatchRunner), so each caller sees what a request of its own would have answered.
   */
  private one(req: SubRequest): Promise<SubResponse> {
    return this.coalescer.send(req);
  }

  /** Independent requests that may share envelopes with other callers' (see `one`); answers in request order, as `batch.all`. */
  together(reqs: SubRequest[]): Promise<SubResponse[]> {
    return Promise.all(reqs.map((r) => this.one(r)));
  }

  /** A POST for a batch. */
  createReq(list: ListKey, fields: Fields): SubRequest {
    return { method: 'POST', url: this.items(list), body: { fields: compact(fields) } };
  }

  /** A PATCH for a batch, guarded by If-Match when `eTag` is given. */
  updateReq(list: ListKey, itemId: string, fields: Fields, eTag?: string): SubRequest {
    return { method: 'PATCH', url: `${this.items(list, itemId)}/fields`, body: fields, ...(eTag ? { headers: { 'If-Match': eTag } } : {}) };
  }
}

/**
 * How long a single item request waits for company before it leaves: long enough for the worker's
 * concurrent jobs to meet (a campaign sends a card every few milliseconds), short against Graph's own
 * round trip (tens to hundreds of milliseconds).
 */
const COALESCE_MS = 10;

/** Gathers single item requests into $batch envelopes (learn.microsoft.com/graph/json-batching: at most 20 each). */
class Coalescer {
  private waiting: Array<{ req: SubRequest; resolve: (r: SubResponse) => void; reject: (e: unknown) => void }> = [];
  private timer?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly batch: BatchRunner,
    private readonly windowMs: number,
  ) {}

  send(req: SubRequest): Promise<SubResponse> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ req, resolve, reject });
      if (this.waiting.length >= MAX_BATCH) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.windowMs);
    });
  }

  private flush() {
    clearTimeout(this.timer);
    this.timer = undefined;
    const group = this.waiting.splice(0, MAX_BATCH);
    if (this.waiting.length) this.timer = setTimeout(() => this.flush(), this.windowMs);
    this.batch.allSettled(group.map((g) => g.req)).then(
      (res) => res.forEach((r, i) => (r instanceof SharePointError ? group[i]!.reject(r) : group[i]!.resolve(r))),
      (e) => group.forEach((g) => g.reject(e)),
    );
  }
}

/** Lists whose items carry a school. */
const SCHOOL_LISTS: ReadonlySet<ListKey> = new Set((Object.keys(listDefs) as ListKey[]).filter((k) => listDefs[k].columns.some((c) => c.name === 'SchoolId')));

/** The item in a batch POST reply (201: a listItem) or the eTag in a PATCH reply (200: a fieldValueSet). */
export function itemOf(r: SubResponse): Item {
  const b = (r.body ?? {}) as { id?: string; eTag?: string; fields?: Fields; '@odata.etag'?: string };
  if (b.fields) return { id: String(b.id), eTag: String(b.eTag ?? b.fields['@odata.etag'] ?? r.headers.etag ?? ''), fields: b.fields };
  return { id: String(b.id ?? ''), eTag: String(b['@odata.etag'] ?? r.headers.etag ?? ''), fields: b as Fields };
}

/** Throws for a sub-response we did not expect. */
export function expectOk(r: SubResponse | undefined, doing: string): SubResponse {
  if (!r || r.status < 200 || r.status >= 300) {
    const e = (r?.body as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new SharePointError(`SharePoint: ${doing} failed (${r?.status ?? 'no response'}${e?.code ? ` ${e.code}` : ''})${e?.message ? `: ${e.message}` : ''}`, r?.status ?? 0, e?.code);
  }
  return r;
}

/** Drops nulls from a new item's fields: absent and empty are the same to SharePoint. */
function compact(fields: Fields): Fields {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== null && v !== undefined));
}
