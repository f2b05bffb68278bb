import type { Client } from '@microsoft/microsoft-graph-client';
import { BatchRunner, type SubRequest, type SubResponse } from './batch';
import { asSharePointError, graphStatus, SharePointError, SharePointSetupError } from './errors';
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
  ) {}

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

  /** One item by its key column; undefined when there is none. */
  async findOne(list: ListKey, filter: string): Promise<Item | undefined> {
    return (await this.query(list, { filter, top: 1 }, 1))[0];
  }

  /** GET one item with its fields (listitem-get); undefined for 404. */
  async get(list: ListKey, itemId: string): Promise<Item | undefined> {
    try {
      const v = (await this.client.api(`${this.items(list, itemId)}?$expand=fields`).get()) as { id: string; eTag: string; fields: Fields };
      return { id: v.id, eTag: v.eTag, fields: this.withSchool(list, v.fields ?? {}) };
    } catch (e) {
      if (graphStatus(e).status === 404) return undefined;
      throw asSharePointError(e, `reading ${Lists[list]} item ${itemId}`);
    }
  }

  /** POST an item (listitem-create). A 409 (unique column) is returned as undefined, for INSERT OR IGNORE. */
  async create(list: ListKey, fields: Fields): Promise<Item | undefined> {
    try {
      const v = (await this.client.api(this.items(list)).post({ fields: compact(fields) })) as { id: string; eTag: string; fields: Fields };
      return { id: v.id, eTag: v.eTag, fields: v.fields ?? {} };
    } catch (e) {
      if (graphStatus(e).status === 409) return undefined;
      throw asSharePointError(e, `adding to ${Lists[list]}`);
    }
  }

  /**
   * PATCH an item's fields (listitem-update). With `eTag`, sends If-Match and
   * returns 'conflict' on 412 ("the item will not be updated").
   */
  async update(list: ListKey, itemId: string, fields: Fields, eTag?: string): Promise<{ eTag: string; fields: Fields } | 'conflict'> {
    try {
      let req = this.client.api(`${this.items(list, itemId)}/fields`);
      if (eTag) req = req.header('If-Match', eTag);
      const v = (await req.patch(fields)) as Fields;
      return { eTag: String(v['@odata.etag'] ?? ''), fields: v };
    } catch (e) {
      if (graphStatus(e).status === 412) return 'conflict';
      throw asSharePointError(e, `updating ${Lists[list]} item ${itemId}`);
    }
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
