import type { AccountRequest } from '../../domain/account-request';
import { jobFields } from './mappers';
import { earliestRunAt } from '../../ports/job-queue';
import { ConflictError } from '../../domain/errors';
import type { StaffMember } from '../../domain/people';
import type { AuditEntry, ConversationAddress, DecisionRecord, RegisteredAccount, RequestChange, SentCard, Store, Versioned } from '../../ports/store';
import { BatchRunner, type BatchOptions, type SubRequest, type SubResponse } from './batch';
import type { SharePointConfig } from './config';
import { SharePointError } from './errors';
import { decodeTag, encodeTag, lit, str } from './fields';
import { createGraphClient } from './graph-client';
import {
  accountFields,
  accountFrom,
  auditFields,
  auditFrom,
  conversationFields,
  conversationFrom,
  decisionFields,
  decisionFrom,
  requestFields,
  requestFrom,
  sentCardFields,
  sentCardFrom,
  sentCardKey,
  staffFields,
  staffFrom,
} from './mappers';
import { msalTokenProvider, type TokenProvider } from './msal-token';
import { SharePointCampaignStore } from './sharepoint-campaign.store';
import { SharePointJobQueue } from './sharepoint-job.queue';
import { cmp, SharePointPolicyStore } from './sharepoint-policy.store';
import { expectOk, itemOf, SiteClient, type Item } from './site';

export interface SharePointStoreOptions {
  /** Graph's origin, e.g. https://graph.microsoft.com. */
  baseUrl: string;
  /** One of siteId / siteUrl. */
  siteId?: string;
  siteUrl?: string;
  tokenProvider: TokenProvider;
  /** Top-level retries of 429/503/504 (at most 10). */
  maxRetries?: number;
  batch?: BatchOptions;
}

const SEQ_KEY = 'request-seq';
const ok = (s: number) => s >= 200 && s < 300;

/**
 * The Microsoft 365 store: SharePoint lists on the school's site, through
 * Microsoft Graph. Same ports as SqliteStore, same contract suite.
 *
 * A request change is one $batch: the request PATCH with If-Match first, then
 * (dependsOn, so only if it won) the decision, audit entry and account. Two
 * approvers deciding at once: one PATCH wins, the other gets 412 →
 * ConflictError, and its side records never run.
 */
export class SharePointStore implements Store {
  readonly policies: SharePointPolicyStore;
  readonly campaigns: SharePointCampaignStore;
  readonly jobs: SharePointJobQueue;
  /** Request id → item id: lets getRequest be a single-item GET. Ids never change and items are never deleted. */
  private readonly requestItems = new Map<string, string>();
  private readonly conversationItems = new Map<string, string>();
  private seq?: { itemId: string; eTag: string; value: number };

  constructor(readonly site: SiteClient) {
    this.policies = new SharePointPolicyStore(site);
    this.jobs = new SharePointJobQueue(site);
    this.campaigns = new SharePointCampaignStore(site, this.jobs);
  }

  /** Builds the client pipeline, resolves the site and checks every list exists. */
  static async connect(o: SharePointStoreOptions): Promise<SharePointStore> {
    const client = createGraphClient({ baseUrl: o.baseUrl, tokenProvider: o.tokenProvider, maxRetries: o.maxRetries });
    const site = await SiteClient.connect({ client, baseUrl: o.baseUrl, siteId: o.siteId, siteUrl: o.siteUrl, batch: new BatchRunner(client, o.batch) });
    return new SharePointStore(site);
  }

  /** From parsed configuration, with app-only msal-node tokens. */
  static fromConfig(c: SharePointConfig): Promise<SharePointStore> {
    return SharePointStore.connect({ baseUrl: c.graphBaseUrl, siteId: c.siteId, siteUrl: c.siteUrl, tokenProvider: msalTokenProvider(c) });
  }

  /** Nothing to release: the client holds no sockets of its own. Present for symmetry with SqliteStore. */
  close(): void {}

  /** CS-0001, CS-0002, …: a counter item in CS_Meta, incremented with If-Match; 412 → re-read and try again. */
  async nextReference(): Promise<string> {
    for (let i = 0; i < 50; i++) {
      let seq = this.seq;
      if (!seq) {
        const it = await this.site.findOne('meta', `fields/MetaKey eq ${lit(SEQ_KEY)}`);
        if (!it) {
          const created = await this.site.create('meta', { Title: 'Last request reference issued', MetaKey: SEQ_KEY, MetaValue: '1' });
          if (!created) continue; // another instance created it first
          this.seq = { itemId: created.id, eTag: created.eTag, value: 1 };
          return reference(1);
        }
        seq = { itemId: it.id, eTag: it.eTag, value: Number(str(it.fields.MetaValue)) || 0 };
      }
      const next = seq.value + 1;
      const res = await this.site.update('meta', seq.itemId, { MetaValue: String(next) }, seq.eTag);
      if (res === 'conflict') {
        if (this.seq === seq) this.seq = undefined;
        continue;
      }
      this.seq = { itemId: seq.itemId, eTag: res.eTag, value: next };
      return reference(next);
    }
    throw new SharePointError('SharePoint: the request reference counter kept changing under us', 412);
  }

  async getRequest(id: string): Promise<Versioned<AccountRequest> | undefined> {
    const known = this.requestItems.get(id);
    const it = (known && (await this.site.get('requests', known))) || (await this.site.findOne('requests', `fields/RequestId eq ${lit(id)}`));
    if (!it) return undefined;
    this.rememberRequest(id, it.id);
    return { value: requestFrom(it.fields), etag: encodeTag(it.id, it.eTag) };
  }

  async listRequestsByRequester(requesterId: string): Promise<AccountRequest[]> {
    const items = await this.site.query('requests', { filter: `fields/RequesterId eq ${lit(requesterId)}` });
    return sorted(items, requestFrom, (a, b) => cmp(b.v.createdAt, a.v.createdAt) || b.id - a.id);
  }

  async listRequestsAwaiting(approverId: string): Promise<AccountRequest[]> {
    const items = await this.site.query('requests', { filter: `fields/CurrentApproverId eq ${lit(approverId)}` });
    return sorted(items, requestFrom, (a, b) => cmp(a.v.createdAt, b.v.createdAt) || a.id - b.id);
  }

  async saveRequestChange(change: RequestChange): Promise<Versioned<AccountRequest>> {
    const r = change.request;
    const changeId = change.audit.id;
    const creating = change.expectedEtag === undefined;
    const tag = creating ? undefined : decodeTag(change.expectedEtag!, 'request', r.id);
    const fields = requestFields(r, changeId);
    const head: SubRequest = tag ? this.site.updateReq('requests', tag.itemId, fields, tag.eTag) : this.site.createReq('requests', fields);
    const side = this.sideRecords(change);
    // A side record already there (409) was written by an earlier try of this same change.
    const accept = (i: number, res: SubResponse) => ok(res.status) || (i > 0 && res.status === 409);
    const { responses, stoppedAt } = await this.site.batch.chain([head, ...side], accept);

    if (stoppedAt === 0) {
      const res = responses[0]!;
      if (res.status !== 412 && res.status !== 409) expectOk(res, `saving request ${r.reference}`);
      // 412 (stale eTag) or 409 (id taken): someone else's write, or our own whose answer was lost and retried.
      const current = tag ? await this.site.get('requests', tag.itemId) : await this.site.findOne('requests', `fields/RequestId eq ${lit(r.id)}`);
      if (!current || str(current.fields.LastChangeId) !== changeId) throw new ConflictError('request', r.id);
      const rest = await this.site.batch.chain(side, (_, x) => ok(x.status) || x.status === 409);
      if (rest.stoppedAt !== undefined) expectOk(rest.responses[rest.stoppedAt], `recording the change to ${r.reference}`);
      this.rememberRequest(r.id, current.id);
      if (change.jobs?.length) this.jobs.booked(earliestRunAt(change.jobs));
      return { value: r, etag: encodeTag(current.id, current.eTag) };
    }
    if (stoppedAt !== undefined) expectOk(responses[stoppedAt], `recording the change to ${r.reference}`);
    const item = itemOf(responses[0]!);
    const itemId = tag ? tag.itemId : item.id;
    this.rememberRequest(r.id, itemId);
    if (change.jobs?.length) this.jobs.booked(earliestRunAt(change.jobs));
    return { value: r, etag: encodeTag(itemId, item.eTag) };
  }

  async listDecisions(requestId: string): Promise<DecisionRecord[]> {
    const items = await this.site.query('decisions', { filter: `fields/RequestId eq ${lit(requestId)}` });
    return sorted(items, decisionFrom, (a, b) => cmp(a.v.at, b.v.at) || a.v.round - b.v.round || a.v.step - b.v.step);
  }

  /** In the order written: item ids grow with every POST. */
  async listAudit(entityId: string): Promise<AuditEntry[]> {
    const items = await this.site.query('audit', { filter: `fields/EntityId eq ${lit(entityId)}` });
    return sorted(items, auditFrom, (a, b) => a.id - b.id);
  }

  async listAccounts(): Promise<RegisteredAccount[]> {
    const items = await this.site.query('accounts', {});
    return sorted(items, accountFrom, (a, b) => cmp(a.v.approvedAt, b.v.approvedAt) || a.id - b.id);
  }

  /** Upsert by person: last write wins, as SQLite's ON CONFLICT DO UPDATE. */
  async saveConversation(c: ConversationAddress): Promise<void> {
    const fields = conversationFields(c);
    for (let i = 0; i < 3; i++) {
      const itemId = this.conversationItems.get(c.userId) ?? (await this.site.findOne('conversations', `fields/UserId eq ${lit(c.userId)}`))?.id;
      if (itemId) {
        await this.site.update('conversations', itemId, fields);
        this.conversationItems.set(c.userId, itemId);
        return;
      }
      const created = await this.site.create('conversations', fields);
      if (created) {
        this.conversationItems.set(c.userId, created.id);
        return;
      }
      // 409: another instance added this person first; update theirs.
    }
    throw new SharePointError(`SharePoint: could not save the conversation for ${c.userId}`, 409);
  }

  async getConversation(userId: string): Promise<ConversationAddress | undefined> {
    const known = this.conversationItems.get(userId);
    const it = (known && (await this.site.get('conversations', known))) || (await this.site.findOne('conversations', `fields/UserId eq ${lit(userId)}`));
    if (!it) return undefined;
    this.conversationItems.set(userId, it.id);
    return conversationFrom(it.fields);
  }

  /** INSERT OR REPLACE by request, person and activity. */
  async recordSentCard(s: SentCard): Promise<void> {
    const fields = sentCardFields(s);
    if (await this.site.create('sentCards', fields)) return;
    const existing = await this.site.findOne('sentCards', `fields/CardKey eq ${lit(sentCardKey(s))}`);
    if (existing) await this.site.update('sentCards', existing.id, fields);
  }

  async listSentCards(requestId: string): Promise<SentCard[]> {
    const items = await this.site.query('sentCards', { filter: `fields/RequestId eq ${lit(requestId)}` });
    return sorted(items, sentCardFrom, (a, b) => cmp(a.v.sentAt, b.v.sentAt) || a.id - b.id);
  }

  async getStaff(id: string): Promise<StaffMember | undefined> {
    const it = await this.site.findOne('staff', `fields/StaffId eq ${lit(id)}`);
    return it ? staffFrom(it.fields) : undefined;
  }

  /** The whole roster, paged: a trust's tens of thousands of staff is a few hundred pages, so callers should not do this per request. */
  async listStaff(): Promise<StaffMember[]> {
    const items = await this.site.query('staff', {});
    return sorted(items, staffFrom, (a, b) => cmp(a.v.name, b.v.name) || a.id - b.id);
  }

  /**
   * Upsert many: reads who exists (by key for a few, the roster for many), then
   * one $batch stream of creates and changed-only updates.
   */
  async upsertStaff(staff: StaffMember[]): Promise<void> {
    const byId = new Map<string, StaffMember>();
    for (const s of staff) byId.set(s.id, s); // the last of duplicates wins, as sequential upserts would
    if (!byId.size) return;
    const existing = new Map<string, Item>();
    const found =
      byId.size <= 10
        ? (await Promise.all([...byId.keys()].map((id) => this.site.findOne('staff', `fields/StaffId eq ${lit(id)}`)))).filter((x): x is Item => !!x)
        : await this.site.query('staff', {});
    for (const it of found) existing.set(str(it.fields.StaffId).toLowerCase(), it);
    const reqs: SubRequest[] = [];
    const order: StaffMember[] = [];
    for (const s of byId.values()) {
      const fields = staffFields(s);
      const it = existing.get(s.id.toLowerCase());
      if (!it) reqs.push(this.site.createReq('staff', fields));
      else if (changed(it.fields, fields)) reqs.push(this.site.updateReq('staff', it.id, fields));
      else continue;
      order.push(s);
    }
    const res = await this.site.batch.all(reqs);
    const raced = order.filter((_, i) => res[i]!.status === 409);
    res.forEach((x, i) => {
      if (x.status !== 409) expectOk(x, `saving staff member ${order[i]!.id}`);
    });
    // Created by another instance between our read and our write: update theirs.
    for (const s of raced) {
      const it = await this.site.findOne('staff', `fields/StaffId eq ${lit(s.id)}`);
      if (it) await this.site.update('staff', it.id, staffFields(s));
    }
  }

  private sideRecords(change: RequestChange): SubRequest[] {
    const out: SubRequest[] = [];
    if (change.decision) out.push(this.site.createReq('decisions', decisionFields(change.decision, change.request.reference)));
    out.push(this.site.createReq('audit', auditFields(change.audit)));
    if (change.account) out.push(this.site.createReq('accounts', accountFields(change.account)));
    // Jobs ride in the same $batch; a job key already there (409) was booked by an earlier try.
    for (const j of change.jobs ?? []) out.push(this.site.createReq('jobs', jobFields(j)));
    return out;
  }

  private rememberRequest(id: string, itemId: string) {
    if (this.requestItems.size > 50_000) this.requestItems.clear();
    this.requestItems.set(id, itemId);
  }
}

const reference = (n: number) => `CS-${String(n).padStart(4, '0')}`;

/** Maps items and sorts them, with the item id (creation order) to break ties. */
function sorted<T>(items: Item[], from: (f: Item['fields']) => T, order: (a: { v: T; id: number }, b: { v: T; id: number }) => number): T[] {
  return items
    .map((it) => ({ v: from(it.fields), id: Number(it.id) }))
    .sort(order)
    .map((x) => x.v);
}

/** True when a write would change what is stored (empty and absent are the same to SharePoint). */
function changed(stored: Item['fields'], next: Item['fields']): boolean {
  return Object.entries(next).some(([k, v]) => (v ?? '') !== (stored[k] ?? ''));
}
