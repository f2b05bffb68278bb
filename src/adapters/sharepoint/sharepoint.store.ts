import { randomUUID } from 'node:crypto';
import type { AccountRequest } from '../../domain/account-request';
import { jobFields } from './mappers';
import { earliestRunAt, type Job, type ReceivedJob } from '../../ports/job-queue';
import { ConflictError } from '../../domain/errors';
import type { SchoolRole, StaffMember } from '../../domain/people';
import type { RosterRecord } from '../../domain/roster';
import { compareListOrder, isAfter, matchesFilter, type RequestListPage, type RequestListPosition, type RequestListQuery } from '../../domain/request-list';
import type { AccountChange, AuditEntry, ConversationAddress, DecisionRecord, RegisteredAccount, RequestChange, SentCard, Store, TeamAddress, Versioned } from '../../ports/store';
import { BatchRunner, type BatchOptions, type SubRequest, type SubResponse } from './batch';
import type { SharePointConfig } from './config';
import { SharePointError } from './errors';
import { decodeTag, encodeTag, json, lit, str, toDateTime, type Fields, EPOCH } from './fields';
import { createGraphClient } from './graph-client';
import {
  accountFields,
  accountFrom,
  auditFields,
  auditFrom,
  conversationFields,
  conversationFrom,
  teamFields,
  teamFrom,
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
import { clearedFields, nextETag, pendingFields, pendingIn, pendingOf, type PendingChange } from './pending-effects';
import { SharePointCampaignStore } from './sharepoint-campaign.store';
import { SharePointJobQueue } from './sharepoint-job.queue';
import { SharePointAuditTrail } from './sharepoint-audit';
import { SharePointRetention } from './sharepoint-retention';
import { nodeHasher } from '../node-crypto';
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
  /** The deployment's school: what items written before records knew their school belong to. */
  schoolId?: string;
}

const SEQ_KEY = 'request-seq';
const ok = (s: number) => s >= 200 && s < 300;
/** JSON batching's limit (learn.microsoft.com/graph/json-batching). */
const MAX_CHAIN = 20;
/** Before every PendingSince that is set. */

/** A version of a request item: which change wrote it, and whether that change's records are still to be written. */
interface Version {
  itemId: string;
  eTag: string;
  changeId: string;
  pending: boolean;
}

const versionOf = (it: Item): Version => ({ itemId: it.id, eTag: it.eTag, changeId: str(it.fields.LastChangeId), pending: !!pendingIn(it.fields) });
/** The port's etag: the item, its eTag, the change that wrote it (`c`), and `p` while that change's effects are pending. */
const tagOf = (v: Version) => encodeTag(v.itemId, v.eTag, { c: v.changeId, ...(v.pending ? { p: '1' } : {}) });

/**
 * The Microsoft 365 store: SharePoint lists on the school's site, through
 * Microsoft Graph. Same ports as SqliteStore, same contract suite.
 *
 * A request change is one guarded write that carries its effects (see
 * saveRequestChange and pending-effects.ts), so a change and its records are
 * saved atomically even though a `$batch` is not a transaction.
 */
export class SharePointStore implements Store {
  private readonly readAhead = new Map<string, { at: number; value: Promise<Versioned<AccountRequest> | undefined> }>();
  readonly policies: SharePointPolicyStore;
  readonly campaigns: SharePointCampaignStore;
  readonly jobs: SharePointJobQueue;
  readonly audit: SharePointAuditTrail;
  readonly retention: SharePointRetention;
  /** Request id → item id: lets getRequest be a single-item GET. Ids never change and items are never deleted. */
  private readonly requestItems = new Map<string, string>();
  private readonly conversationItems = new Map<string, string>();
  private seq?: Seq;

  /** Requests read per query by listRequestsPage, and the most one call reads; tests make them small to reach every branch. */
  listChunk = LIST_CHUNK;
  listScan = LIST_SCAN;

  constructor(readonly site: SiteClient) {
    this.audit = new SharePointAuditTrail(site, nodeHasher.sha256);
    this.retention = new SharePointRetention(site, this.audit);
    this.policies = new SharePointPolicyStore(site, () => this.audit.poke());
    this.jobs = new SharePointJobQueue(site);
    this.campaigns = new SharePointCampaignStore(site, this.jobs);
  }

  /** Builds the client pipeline, resolves the site and checks every list exists. */
  static async connect(o: SharePointStoreOptions): Promise<SharePointStore> {
    const client = createGraphClient({ baseUrl: o.baseUrl, tokenProvider: o.tokenProvider, maxRetries: o.maxRetries });
    const site = await SiteClient.connect({ client, baseUrl: o.baseUrl, siteId: o.siteId, siteUrl: o.siteUrl, batch: new BatchRunner(client, o.batch), schoolId: o.schoolId });
    return new SharePointStore(site);
  }

  /** From parsed configuration, with app-only msal-node tokens. */
  static fromConfig(c: SharePointConfig, schoolId?: string): Promise<SharePointStore> {
    return SharePointStore.connect({ baseUrl: c.graphBaseUrl, siteId: c.siteId, siteUrl: c.siteUrl, tokenProvider: msalTokenProvider(c), schoolId });
  }

  /** Nothing to release: the client holds no sockets of its own. Present for symmetry with SqliteStore. */
  close(): void {
    this.audit.close();
  }

  /**
   * CS-0001, CS-0002, …: a counter item in CS_Meta, incremented with If-Match; 412 → re-read and try again.
   * Each write records its write id in RecentWrites, so a write whose answer was lost (the retry meets
   * 409 or 412) is recognised as ours and its number issued, never skipped.
   */
  async nextReference(): Promise<string> {
    const find = () => this.site.findOne('meta', `fields/MetaKey eq ${lit(SEQ_KEY)}`);
    for (let i = 0; i < 50; i++) {
      const writeId = randomUUID();
      let seq = this.seq;
      if (!seq) {
        const it = await find();
        if (!it) {
          const created = await this.site.create('meta', { Title: 'Last request reference issued', MetaKey: SEQ_KEY, MetaValue: '1', RecentWrites: JSON.stringify([[writeId, 1]]) });
          if (created) {
            this.seq = seqOf(created);
            return reference(1);
          }
          // 409: another instance created it first, or our POST landed and its answer was lost.
          const now = await find();
          if (now) this.seq = seqOf(now);
          const mine = now && seqOf(now).recent.find(([w]) => w === writeId);
          if (mine) return reference(mine[1]);
          continue;
        }
        seq = seqOf(it);
      }
      const next = seq.value + 1;
      const recent = [[writeId, next] as [string, number], ...seq.recent].slice(0, RECENT_WRITES);
      const res = await this.site.update('meta', seq.itemId, { MetaValue: String(next), RecentWrites: JSON.stringify(recent) }, seq.eTag);
      if (res === 'conflict') {
        if (this.seq === seq) this.seq = undefined;
        const now = await this.site.get('meta', seq.itemId);
        if (!now) continue;
        this.seq = seqOf(now);
        const mine = this.seq.recent.find(([w]) => w === writeId);
        if (mine) return reference(mine[1]);
        continue;
      }
      this.seq = { itemId: seq.itemId, eTag: res.eTag, value: next, recent };
      return reference(next);
    }
    throw new SharePointError('SharePoint: the request reference counter kept changing under us', 412);
  }

  /**
   * Reads ahead a request a turn is about to change, while the turn resolves its actor: issued together,
   * both reads share one $batch (the coalescer), so reading the actor afresh on every turn costs no extra
   * Graph request. The next getRequest of that id takes the read if it is under READ_AHEAD_MS old; a stale
   * one is dropped. A change is guarded by the eTag it read, so an earlier read can only cost a retry.
   */
  prefetchRequest(id: string): void {
    if (this.readAhead.size >= 200) this.readAhead.clear();
    const value = this.readRequest(id);
    value.catch(() => undefined); // a failure is met by the getRequest that takes it, or by none
    this.readAhead.set(id, { at: Date.now(), value });
  }

  async getRequest(id: string): Promise<Versioned<AccountRequest> | undefined> {
    const ahead = this.readAhead.get(id);
    if (ahead) {
      this.readAhead.delete(id);
      if (Date.now() - ahead.at < READ_AHEAD_MS) return ahead.value;
    }
    return this.readRequest(id);
  }

  private async readRequest(id: string): Promise<Versioned<AccountRequest> | undefined> {
    const known = this.requestItems.get(id);
    const it = (known && (await this.site.get('requests', known))) || (await this.site.findOne('requests', `fields/RequestId eq ${lit(id)}`));
    if (!it) return undefined;
    this.rememberRequest(id, it.id);
    // Read-repair: a change whose records are not all written yet is finished before anyone builds on it.
    const v = pendingIn(it.fields) ? await this.applyQuietly(it) : versionOf(it);
    return { value: requestFrom(it.fields), etag: tagOf(v) };
  }

  async listRequestsByRequester(requesterId: string): Promise<AccountRequest[]> {
    const items = await this.site.query('requests', { filter: `fields/RequesterId eq ${lit(requesterId)}` });
    return sorted(items, requestFrom, (a, b) => cmp(b.v.createdAt, a.v.createdAt) || b.id - a.id);
  }

  async listRequestsAwaiting(approverId: string): Promise<AccountRequest[]> {
    const items = await this.site.query('requests', { filter: `fields/CurrentApproverId eq ${lit(approverId)}` });
    return sorted(items, requestFrom, (a, b) => cmp(a.v.createdAt, b.v.createdAt) || a.id - b.id);
  }

  /**
   * A page of the school's requests, newest first. Only the indexed CreatedAt is in the query (a range,
   * ordered on it, $top a chunk), so it stays within the 5,000-item threshold however long the list grows;
   * school, status and search are applied to what was read. SharePoint keeps dateTime to the second, so
   * requests share a CreatedAt often: a chunk's oldest second may continue past the chunk, so it is left
   * for the next read, unless the whole chunk is one second (then that second is read whole). A call reads
   * at most LIST_SCAN items; then it returns what matched so far with `next` where it stopped.
   */
  async listRequestsPage(q: RequestListQuery): Promise<RequestListPage> {
    const items: AccountRequest[] = [];
    let at: RequestListPosition | undefined = q.after;
    let strict = false; // true once `at` ends a whole second: read strictly before it
    let scanned = 0;
    const bounds = [
      ...(q.createdFrom ? [`fields/CreatedAt ge ${lit(toDateTime(q.createdFrom)!)}`] : []),
      ...(q.createdBefore ? [`fields/CreatedAt lt ${lit(toDateTime(q.createdBefore)!)}`] : []),
    ];
    for (;;) {
      const upper = at ? [`fields/CreatedAt ${strict ? 'lt' : 'le'} ${lit(toDateTime(at.createdAt)!)}`] : [];
      const filter = [...bounds, ...upper];
      const chunk = await this.site.query('requests', { filter: filter.length ? filter.join(' and ') : `fields/CreatedAt ge ${EPOCH}`, orderby: 'fields/CreatedAt desc', top: this.listChunk }, this.listChunk);
      let read = chunk.map((it) => requestFrom(it.fields)).sort(compareListOrder);
      const full = chunk.length === this.listChunk;
      if (full) {
        const oldest = read.at(-1)!.createdAt;
        if (read[0]!.createdAt === oldest) {
          const same = await this.site.query('requests', { filter: `fields/CreatedAt eq ${lit(toDateTime(oldest)!)}` });
          read = same.map((it) => requestFrom(it.fields)).sort(compareListOrder);
        } else read = read.filter((r) => r.createdAt !== oldest);
      }
      for (const r of read) {
        if (!isAfter(r, at && !strict ? at : undefined)) continue;
        scanned++;
        if (matchesFilter(r, q)) {
          if (items.length === q.limit) return { items, next: positionOf(items.at(-1)!) };
          items.push(r);
        }
        if (scanned >= this.listScan) return { items, next: positionOf(r) };
      }
      if (!full) return { items };
      const last = read.at(-1);
      if (!last) return { items };
      // Every request of `last`'s second has been read by now (it is newer than the chunk's oldest second,
      // or that second was read whole), so the next read starts strictly before it: always progress.
      at = positionOf(last);
      strict = true;
    }
  }

  /**
   * One guarded write makes the change and carries its effects; then the
   * effects are written and cleared, in the same `$batch` when that fits:
   *   [PATCH request + PendingEffects (If-Match: the version read)]
   *   → [POST decision, audit entry, account, jobs] (dependsOn; 409 = written before)
   *   → [PATCH PendingEffects cleared (If-Match: the eTag the update will have)]
   * Whatever fails after the first step, the change is saved and its effects
   * are on the item: getRequest, the next change and applyPendingChanges write
   * them, once. Two approvers at once: one update wins, the other gets 412 →
   * ConflictError, and its effects never exist anywhere.
   */
  async saveRequestChange(change: RequestChange): Promise<Versioned<AccountRequest>> {
    const r = change.request;
    const p = pendingOf(change);
    const fields = { ...requestFields(r, p.changeId), ...pendingFields(p) };
    const held: ReceivedJob[] = [];
    const saved = await this.saveChange(change, p, fields, held);
    await this.adoptUnseen(p, held);
    this.announce(p.jobs, held);
    return saved;
  }

  /** Jobs the change wrote held but whose answers we did not see: take back the ones still untouched. */
  private async adoptUnseen(p: PendingChange, held: ReceivedJob[]) {
    const at = new Date(p.audit.at);
    const seen = new Set(held.map((j) => j.id));
    for (const j of p.jobs) {
      if (seen.has(j.id) || !isDueAt(j, at)) continue;
      const mine = await this.jobs.adopt(j, at).catch(() => undefined); // an outage: the lease runs out and it is received then
      if (mine) held.push(mine);
    }
  }

  /**
   * Wakes this process's worker for the jobs a change booked, and hands it the ones written already
   * received (due now, written with a lease): it runs them without a receive, saving two Graph requests.
   */
  private announce(jobs: Job[], held: ReceivedJob[]) {
    if (!jobs.length) return;
    const ids = new Set(held.map((j) => j.id));
    this.jobs.booked(earliestRunAt(jobs.filter((j) => !ids.has(j.id))), held);
  }

  private async saveChange(change: RequestChange, p: PendingChange, fields: Fields, held: ReceivedJob[]): Promise<Versioned<AccountRequest>> {
    const r = change.request;
    if (change.expectedEtag === undefined) return { value: r, etag: tagOf(await this.createRequest(r, p, fields, held)) };
    const tag = decodeTag(change.expectedEtag, 'request', r.id);
    let base: Version = { itemId: tag.itemId, eTag: tag.eTag, changeId: tag.extra.c ?? '', pending: tag.extra.p === '1' };
    for (let attempt = 0; attempt < 5; attempt++) {
      // Never write over effects that are not yet written: finish the change we read first.
      if (base.pending) base = await this.finishRead(base, r.id);
      const done = await this.writeChange(base, fields, p, held);
      if (done !== 'stale') return { value: r, etag: tagOf(done) };
      // 412: someone else's write, or our own whose answer was lost and retried.
      const it = await this.site.get('requests', base.itemId);
      if (!it) throw new ConflictError('request', r.id);
      const now = versionOf(it);
      if (now.changeId === p.changeId) return { value: r, etag: tagOf(now.pending ? await this.applyQuietly(it) : now) };
      // The same change as the one read, only its effects cleared since: the request is as the caller saw it.
      if (!base.changeId || now.changeId !== base.changeId) throw new ConflictError('request', r.id);
      base = now;
    }
    throw new ConflictError('request', r.id);
  }

  /**
   * Writes the effects of every request change that still has them (a crash or
   * an outage between a change and its records), and clears them. Finds them
   * with one range query on the indexed PendingSince. Returns how many it
   * finished; tries every item, then throws the first failure, if any.
   */
  async applyPendingChanges(): Promise<number> {
    const items = await this.site.query('requests', { filter: `fields/PendingSince ge ${EPOCH}` });
    let applied = 0;
    let failure: unknown;
    for (const it of items) {
      try {
        await this.applyPending(it);
        applied++;
      } catch (e) {
        failure ??= e;
      }
    }
    if (failure) throw failure;
    return applied;
  }

  /** The guarded update and, when they fit in one chain, the effects and the clearing write. 'stale' on 412. */
  private async writeChange(base: Version, fields: Fields, p: PendingChange, held: ReceivedJob[]): Promise<Version | 'stale'> {
    const side = this.sideRecords(p, true);
    const head = this.site.updateReq('requests', base.itemId, fields, base.eTag);
    const guess = nextETag(base.eTag);
    const steps = side.length + 2 <= MAX_CHAIN ? [head, ...side, ...(guess ? [this.site.updateReq('requests', base.itemId, clearedFields(), guess)] : [])] : [head];
    let out: Awaited<ReturnType<BatchRunner['chain']>>;
    try {
      out = await this.site.batch.chain(steps, (i, x) => ok(x.status) || (i > 0 && i <= side.length && x.status === 409));
    } catch (e) {
      return this.ifOurs(await this.site.get('requests', base.itemId).catch(() => undefined), p.changeId, e);
    }
    const { responses, stoppedAt } = out;
    if (stoppedAt === 0) {
      if (responses[0]!.status === 412) return 'stale';
      expectOk(responses[0], `saving request ${p.reference}`);
    }
    const after: Version = { itemId: base.itemId, eTag: itemOf(responses[0]!).eTag, changeId: p.changeId, pending: true };
    if (steps.length > 1) this.collectHeld(p, side.length, responses, held);
    return this.finishOwn(after, p, steps.length, side.length, responses, stoppedAt);
  }

  /** A new request: POST it with its effects, then the effects, then clear (a new item's eTag cannot be guessed). */
  private async createRequest(r: AccountRequest, p: PendingChange, fields: Fields, held: ReceivedJob[]): Promise<Version> {
    const side = this.sideRecords(p, true);
    const steps = side.length + 1 <= MAX_CHAIN ? [this.site.createReq('requests', fields), ...side] : [this.site.createReq('requests', fields)];
    const find = () => this.site.findOne('requests', `fields/RequestId eq ${lit(r.id)}`);
    let out: Awaited<ReturnType<BatchRunner['chain']>>;
    try {
      out = await this.site.batch.chain(steps, (i, x) => ok(x.status) || (i > 0 && x.status === 409));
    } catch (e) {
      const v = await this.ifOurs(await find().catch(() => undefined), p.changeId, e);
      this.rememberRequest(r.id, v.itemId);
      return v;
    }
    const { responses, stoppedAt } = out;
    if (stoppedAt === 0) {
      // 409: the id is taken, by someone else or by our own POST whose answer was lost and retried.
      if (responses[0]!.status !== 409) expectOk(responses[0], `saving request ${r.reference}`);
      const it = await find();
      if (!it || str(it.fields.LastChangeId) !== p.changeId) throw new ConflictError('request', r.id);
      this.rememberRequest(r.id, it.id);
      return pendingIn(it.fields) ? this.applyQuietly(it) : versionOf(it);
    }
    const created = itemOf(responses[0]!);
    this.rememberRequest(r.id, created.id);
    if (steps.length > 1) this.collectHeld(p, side.length, responses, held);
    return this.finishOwn({ itemId: created.id, eTag: created.eTag, changeId: p.changeId, pending: true }, p, steps.length, side.length, responses, stoppedAt);
  }

  /**
   * After our guarded write landed: whatever the chain did not finish is done
   * now, or left on the item for the next reader or the sweeper. The change is
   * saved either way, so from here on an outage is not the caller's failure.
   */
  private async finishOwn(after: Version, p: PendingChange, steps: number, sides: number, responses: SubResponse[], stoppedAt: number | undefined): Promise<Version> {
    if (steps === 1) return this.applyQuietly({ id: after.itemId, eTag: after.eTag, fields: { PendingEffects: JSON.stringify(p), LastChangeId: p.changeId } });
    // A record refused outright (not a 409) is a bug, not an outage: its effects stay pending, where the sweeper reports it.
    if (stoppedAt !== undefined && stoppedAt <= sides) return after;
    if (stoppedAt === undefined && steps === sides + 2) return { ...after, eTag: itemOf(responses[steps - 1]!).eTag, pending: false };
    // No guess, or a wrong one (412): clear with the eTag the update answered with.
    try {
      return await this.clear(after.itemId, after.eTag, p.changeId);
    } catch (e) {
      if (e instanceof SharePointError) return after;
      throw e;
    }
  }

  /** The tag read had effects still to write: write them now (or fail), unless the request changed since. */
  private async finishRead(base: Version, requestId: string): Promise<Version> {
    const it = await this.site.get('requests', base.itemId);
    if (!it || str(it.fields.LastChangeId) !== base.changeId) throw new ConflictError('request', requestId);
    return pendingIn(it.fields) ? this.applyPending(it) : versionOf(it);
  }

  /** When a write threw (no answer, or retries spent): if the item shows our change, it landed; else the error stands. */
  private async ifOurs(it: Item | undefined, changeId: string, e: unknown): Promise<Version> {
    if (!it || str(it.fields.LastChangeId) !== changeId) throw e;
    return pendingIn(it.fields) ? this.applyQuietly(it) : versionOf(it);
  }

  /** Writes an item's pending effects (409 = written before) and clears them. */
  private async applyPending(it: Item): Promise<Version> {
    const p = pendingIn(it.fields);
    if (!p) return versionOf(it);
    const res = await this.site.batch.all(this.sideRecords(p));
    res.forEach((x) => {
      if (x.status !== 409) expectOk(x, `writing the records of change ${p.changeId} to ${p.reference}`);
    });
    return this.clear(it.id, it.eTag, p.changeId);
  }

  /** applyPending for a reader: an outage leaves the effects pending (the tag says so) instead of failing the read. */
  private async applyQuietly(it: Item): Promise<Version> {
    try {
      return await this.applyPending(it);
    } catch (e) {
      if (e instanceof SharePointError) return versionOf(it);
      throw e;
    }
  }

  /**
   * Clears a change's effects, once they are all written, with If-Match. On 412
   * the item is read again: cleared already (by a retry of ours, a reader or the
   * sweeper) is done; a later change is done too, since a change is only made
   * on a version whose effects are written (saveRequestChange's finishRead).
   */
  private async clear(itemId: string, eTag: string, changeId: string): Promise<Version> {
    for (let i = 0; i < 5; i++) {
      const res = await this.site.update('requests', itemId, clearedFields(), eTag);
      if (res !== 'conflict') return { itemId, eTag: res.eTag, changeId, pending: false };
      const it = await this.site.get('requests', itemId);
      if (!it) throw new SharePointError(`SharePoint: request item ${itemId} disappeared`, 404);
      const now = versionOf(it);
      // Someone changed the request since: keep our (stale) eTag, so whoever holds this tag meets a conflict, as they should.
      if (now.changeId !== changeId) return { itemId, eTag, changeId, pending: false };
      if (!now.pending) return now;
      eTag = it.eTag;
    }
    throw new SharePointError(`SharePoint: the effects of change ${changeId} could not be cleared: the item kept changing`, 412);
  }

  async listDecisions(requestId: string): Promise<DecisionRecord[]> {
    const items = await this.site.query('decisions', { filter: `fields/RequestId eq ${lit(requestId)}` });
    return sorted(items, decisionFrom, (a, b) => cmp(a.v.at, b.v.at) || a.v.round - b.v.round || a.v.step - b.v.step);
  }

  /** On the indexed ActorId, oldest first. */
  async listDecisionsByActor(actorId: string): Promise<DecisionRecord[]> {
    const items = await this.site.query('decisions', { filter: `fields/ActorId eq ${lit(actorId)}` });
    return sorted(items, decisionFrom, (a, b) => cmp(a.v.at, b.v.at) || cmp(a.v.requestId, b.v.requestId) || a.v.round - b.v.round || a.v.step - b.v.step);
  }

  /** In the order written: item ids grow with every POST. */
  async listAudit(entityId: string): Promise<AuditEntry[]> {
    const items = await this.site.query('audit', { filter: `fields/EntityId eq ${lit(entityId)}` });
    return sorted(items, auditFrom, (a, b) => a.id - b.id);
  }

  /** On the indexed ActorId, in the order written. */
  async listAuditByActor(actorId: string): Promise<AuditEntry[]> {
    const items = await this.site.query('audit', { filter: `fields/ActorId eq ${lit(actorId)}` });
    return sorted(items, auditFrom, (a, b) => a.id - b.id);
  }

  /** The unique AuditId makes a second POST of the same entry a 409: written before. */
  async appendAudit(entry: AuditEntry): Promise<void> {
    await this.site.create('audit', auditFields(entry));
    this.audit.poke(); // written open: the sealer chains it
  }

  async listAccounts(): Promise<RegisteredAccount[]> {
    const items = await this.site.query('accounts', {});
    return sorted(items, accountFrom, (a, b) => cmp(a.v.approvedAt, b.v.approvedAt) || a.id - b.id);
  }

  async listAccountVersions(): Promise<Versioned<RegisteredAccount>[]> {
    const items = await this.site.query('accounts', {});
    return items
      .map((it) => ({ v: accountFrom(it.fields), id: Number(it.id), it }))
      .sort((a, b) => cmp(a.v.approvedAt, b.v.approvedAt) || a.id - b.id)
      .map(({ v, it }) => ({ value: v, etag: encodeTag(it.id, it.eTag) }));
  }

  /** By the unique (so indexed) AccountId. */
  async getAccount(id: string): Promise<Versioned<RegisteredAccount> | undefined> {
    const it = await this.site.findOne('accounts', `fields/AccountId eq ${lit(id)}`);
    return it ? { value: accountFrom(it.fields), etag: encodeTag(it.id, it.eTag) } : undefined;
  }

  /**
   * One `$batch` chain: the guarded PATCH (If-Match; 412 is ConflictError),
   * then the audit entry (dependsOn; 409 = written before). Each write carries
   * a fresh WriteId, so a 412 met by the client's own retry of a write that
   * did land is recognised as ours, not as a conflict (so is a batch whose
   * answer never came, once the item is read again). If the audit POST
   * fails after the update landed, it is tried once more on its own; should
   * that fail too, the error is thrown with the change saved (a batch is not a
   * transaction), and the caller's retry meets a stale etag.
   */
  async saveAccountChange(change: AccountChange): Promise<Versioned<RegisteredAccount>> {
    const a = change.account;
    const tag = decodeTag(change.expectedEtag, 'account', a.id);
    const writeId = randomUUID();
    this.audit.poke();
    const fields = { ...accountFields(a), WriteId: writeId };
    const steps = [this.site.updateReq('accounts', tag.itemId, fields, tag.eTag), this.site.createReq('audit', auditFields(change.audit))];
    let out: Awaited<ReturnType<BatchRunner['chain']>>;
    try {
      out = await this.site.batch.chain(steps, (i, x) => ok(x.status) || (i === 1 && x.status === 409));
    } catch (e) {
      // The batch's answer never came (an outage after retries): if our write landed, finish with the audit entry.
      const now = await this.site.get('accounts', tag.itemId).catch(() => undefined);
      if (!now || str(now.fields.WriteId) !== writeId) throw e;
      await this.site.create('audit', auditFields(change.audit));
      return { value: a, etag: encodeTag(tag.itemId, now.eTag) };
    }
    const { responses, stoppedAt } = out;
    let eTag: string;
    if (stoppedAt === 0) {
      const head = responses[0]!;
      if (head.status !== 412 && head.status !== 404) expectOk(head, `saving account ${a.reference}`);
      const now = head.status === 412 ? await this.site.get('accounts', tag.itemId) : undefined;
      if (!now || str(now.fields.WriteId) !== writeId) throw new ConflictError('account', a.id);
      eTag = now.eTag;
      await this.site.create('audit', auditFields(change.audit));
    } else {
      eTag = itemOf(responses[0]!).eTag;
      if (stoppedAt === 1) await this.site.create('audit', auditFields(change.audit));
    }
    return { value: a, etag: encodeTag(tag.itemId, eTag) };
  }

  /** Upsert by person: last write wins, as SQLite's ON CONFLICT DO UPDATE. */
  async saveConversation(c: ConversationAddress): Promise<void> {
    const fields = conversationFields(c);
    for (let i = 0; i < 3; i++) {
      // Unknown here: most likely a first chat, so add it (one request); a 409 says it exists, then find it.
      const itemId = this.conversationItems.get(c.userId) ?? (i === 0 ? undefined : (await this.site.findOne('conversations', `fields/UserId eq ${lit(c.userId)}`))?.id);
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
      // 409: this person has an item already (another instance added it, or it was never read here); update it.
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

  /** Upsert by team id: last write wins, as SQLite's ON CONFLICT DO UPDATE. A 409 on create means another instance added it. */
  async saveTeam(t: TeamAddress): Promise<void> {
    const fields = teamFields(t);
    for (let i = 0; i < 3; i++) {
      const it = await this.site.findOne('teams', `fields/TeamId eq ${lit(t.teamId)}`);
      if (it) {
        await this.site.update('teams', it.id, fields);
        return;
      }
      if (await this.site.create('teams', fields)) return;
    }
    throw new SharePointError(`SharePoint: could not save the team ${t.teamId}`, 409);
  }

  async getTeam(teamId: string): Promise<TeamAddress | undefined> {
    const it = await this.site.findOne('teams', `fields/TeamId eq ${lit(teamId)}`);
    return it ? teamFrom(it.fields) : undefined;
  }

  /** A school is in a handful of teams: one read of the whole list, sorted here as SQLite sorts. */
  async listTeams(): Promise<TeamAddress[]> {
    const teams = (await this.site.query('teams', { top: 500 })).map((it) => teamFrom(it.fields));
    return teams.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.teamId < b.teamId ? -1 : a.teamId > b.teamId ? 1 : 0));
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

  /** Roles is indexed, and empty (null: SharePoint keeps no empty text) for a person with no role. */
  async listRoleHolders(): Promise<StaffMember[]> {
    const items = await this.site.query('staff', { filter: 'fields/Roles ne null' });
    return sorted(items, staffFrom, (a, b) => cmp(a.v.name, b.v.name) || a.id - b.id).filter((s) => s.roles.length > 0);
  }

  async getStaffByEmail(email: string): Promise<StaffMember | undefined> {
    // Email is indexed, and SharePoint compares text case-insensitively.
    const it = await this.site.findOne('staff', `fields/Email eq ${lit(email.trim())}`);
    return it ? staffFrom(it.fields) : undefined;
  }

  /**
   * Last writer wins, as an admin expects of "set these roles"; the audit entry's id is its key, so
   * a retry after a lost reply writes none twice (409 is taken as written).
   */
  async setStaffRoles(id: string, roles: SchoolRole[], audit: AuditEntry): Promise<StaffMember | undefined> {
    const it = await this.site.findOne('staff', `fields/StaffId eq ${lit(id)}`);
    if (!it) return undefined;
    const next = { ...staffFrom(it.fields), roles };
    this.audit.poke();
    // One $batch, the audit entry after the roles: the window in which one could land without the other is the
    // server's, not a round trip. Both writes are idempotent, so an outage is met by doing it all again.
    const { responses, stoppedAt } = await this.site.batch.chain(
      [this.site.updateReq('staff', it.id, { Roles: staffFields(next).Roles }), this.site.createReq('audit', auditFields(audit))],
      (i, x) => ok(x.status) || (i === 1 && x.status === 409),
    );
    if (stoppedAt !== undefined) expectOk(responses[stoppedAt]!, stoppedAt === 0 ? `saving the roles of ${id}` : `recording the role change of ${id}`);
    return next;
  }

  /** The whole roster, paged: a trust's tens of thousands of staff is a few hundred pages, so callers should not do this per request. */
  async listStaff(): Promise<StaffMember[]> {
    const items = await this.site.query('staff', {});
    return sorted(items, staffFrom, (a, b) => cmp(a.v.name, b.v.name) || a.id - b.id);
  }

  /** One range on the unique (so indexed) StaffId, in key order, $top = limit: a page never reads past what it returns. */
  async listStaffPage(after: string, limit: number): Promise<StaffMember[]> {
    if (limit < 1) return [];
    const items = await this.site.query('staff', { filter: after ? `fields/StaffId gt ${lit(after)}` : undefined, orderby: 'fields/StaffId', top: limit }, limit);
    return items.map((it) => staffFrom(it.fields));
  }

  /**
   * Upsert many: reads who exists (by key for a few, the roster for many), then
   * one $batch stream of creates and changed-only updates.
   */
  async upsertStaff(staff: StaffMember[]): Promise<void> {
    await this.writeStaff(staff, (s) => staffFields(s), (s) => staffFields(s));
  }

  /** As upsertStaff, but an update never sends Roles (the roles assigned in Countersign stay) and a new item has none. */
  async saveRoster(records: RosterRecord[]): Promise<void> {
    const directoryFields = (s: RosterRecord) => {
      const { Roles: _roles, ...rest } = staffFields({ ...s, roles: [] });
      return rest;
    };
    await this.writeStaff(records, (s) => staffFields({ ...s, roles: [] }), directoryFields);
  }

  /**
   * Reads who exists (by key for a few, the roster for many), then one $batch stream of creates and
   * changed-only updates. Keyed by StaffId (unique), so a retry after a partial failure converges:
   * rows written already are unchanged and skipped, a create that raced another is a 409 and updated.
   */
  private async writeStaff<T extends { id: string }>(staff: T[], create: (s: T) => Fields, update: (s: T) => Fields): Promise<void> {
    const byId = new Map<string, T>();
    for (const s of staff) byId.set(s.id, s); // the last of duplicates wins, as sequential upserts would
    if (!byId.size) return;
    const existing = new Map<string, Item>();
    const found =
      byId.size <= 10
        ? (await Promise.all([...byId.keys()].map((id) => this.site.findOne('staff', `fields/StaffId eq ${lit(id)}`)))).filter((x): x is Item => !!x)
        : await this.site.query('staff', {});
    for (const it of found) existing.set(str(it.fields.StaffId).toLowerCase(), it);
    const reqs: SubRequest[] = [];
    const order: T[] = [];
    for (const s of byId.values()) {
      const it = existing.get(s.id.toLowerCase());
      if (!it) reqs.push(this.site.createReq('staff', create(s)));
      else if (changed(it.fields, update(s))) reqs.push(this.site.updateReq('staff', it.id, update(s)));
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
      if (it) await this.site.update('staff', it.id, update(s));
    }
  }

  async getSyncState(name: string): Promise<string | undefined> {
    const it = await this.site.findOne('meta', `fields/MetaKey eq ${lit(syncKey(name))}`);
    return it ? str(it.fields.MetaText) || undefined : undefined;
  }

  /** One item per sync, keyed by name: last writer wins, which is right for "where the directory sync got to". */
  async saveSyncState(name: string, value: string | undefined): Promise<void> {
    const fields = { MetaText: value ?? null };
    const it = await this.site.findOne('meta', `fields/MetaKey eq ${lit(syncKey(name))}`);
    if (it) {
      await this.site.update('meta', it.id, fields);
      return;
    }
    if (value === undefined) return;
    if (await this.site.create('meta', { Title: 'Where the directory sync continues from', MetaKey: syncKey(name), MetaValue: '', ...fields })) return;
    const raced = await this.site.findOne('meta', `fields/MetaKey eq ${lit(syncKey(name))}`);
    if (raced) await this.site.update('meta', raced.id, fields);
  }

  /** The POSTs that turn a change's effects into items; each has a unique key, so a repeat is a 409. */
  /**
   * `hold`: the change's own chain, whose answers we will see, so a job due at the change is written
   * already received by us (see collectHeld). A replay (read-repair, sweep) writes plain jobs; if the
   * held write landed but its answer was lost, that job waits out its lease and is then received.
   */
  private sideRecords(p: PendingChange, hold = false): SubRequest[] {
    const out: SubRequest[] = [];
    if (p.decision) out.push(this.site.createReq('decisions', decisionFields(p.decision, p.reference)));
    out.push(this.site.createReq('audit', auditFields(p.audit)));
    this.audit.poke(); // the entry is written open: seal it once this write has landed
    if (p.account) out.push(this.site.createReq('accounts', accountFields(p.account)));
    // A job key already there (409) was booked by an earlier try, or by an earlier change: the first one stays.
    const at = new Date(p.audit.at);
    for (const j of p.jobs) out.push(this.site.createReq('jobs', hold && isDueAt(j, at) ? this.jobs.heldFields(j, at) : jobFields(j)));
    return out;
  }

  /** The held jobs whose POST answered 201 in the chain (responses[0] is the request; the jobs end the side records). */
  private collectHeld(p: PendingChange, sides: number, responses: SubResponse[], held: ReceivedJob[]) {
    const at = new Date(p.audit.at);
    const first = 1 + sides - p.jobs.length;
    p.jobs.forEach((j, k) => {
      const r = responses[first + k];
      if (r?.status === 201 && isDueAt(j, at)) held.push(this.jobs.heldFrom(j, itemOf(r)));
    });
  }

  private rememberRequest(id: string, itemId: string) {
    if (this.requestItems.size > 50_000) this.requestItems.clear();
    this.requestItems.set(id, itemId);
  }
}

const syncKey = (name: string) => `sync:${name}`;

const reference = (n: number) => `CS-${String(n).padStart(4, '0')}`;

/** How many of the counter's last writes it remembers: more than can plausibly land between a write and its retry. */
const RECENT_WRITES = 50;

interface Seq {
  itemId: string;
  eTag: string;
  value: number;
  recent: Array<[string, number]>;
}

const seqOf = (it: Item): Seq => ({ itemId: it.id, eTag: it.eTag, value: Number(str(it.fields.MetaValue)) || 0, recent: json<Array<[string, number]>>(it.fields.RecentWrites, []) });

/** Requests read per query when listing a school's requests, and the most one call reads before it answers. */
const LIST_CHUNK = 200;
const LIST_SCAN = 2000;
const positionOf = (r: AccountRequest): RequestListPosition => ({ createdAt: r.createdAt, id: r.id });

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

/** How long a read-ahead request stays good: one turn's actor lookup, with room for a slow Graph answer. */
const READ_AHEAD_MS = 2_000;

/** A job due at the moment of its change: the one a change hands to this process's worker. */
const isDueAt = (j: Job, at: Date) => Date.parse(j.runAt) <= at.getTime();
