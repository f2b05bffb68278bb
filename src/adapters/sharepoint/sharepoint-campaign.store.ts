import { randomUUID } from 'node:crypto';
import { countRecipients, type Campaign, type RecipientCount } from '../../domain/campaign';
import { ConflictError } from '../../domain/errors';
import type { Recipient, RecipientState } from '../../domain/recipient.workflow';
import type { CampaignStore, CreateCampaignResult } from '../../ports/campaign-store';
import type { Job } from '../../ports/job-queue';
import type { Versioned } from '../../ports/store';
import { CampaignCounters, type CountDelta } from './counters';
import { SharePointError } from './errors';
import { decodeTag, encodeTag, keyOf, line, lit, str, title, toDate } from './fields';
import { campaignClosedFields, campaignFields, campaignFrom, recipientFields, recipientFrom, recipientKey, recipientStateFields, stateKey, userVersionKey } from './mappers';
import { cmp } from './sharepoint-policy.store';
import type { SharePointJobQueue } from './sharepoint-job.queue';
import type { Item, SiteClient } from './site';

/**
 * A campaign read is trusted this long. Only closing and the end of audience preparation change a
 * campaign, so another instance sees a close at most this late: its pending sends stop then.
 */
const CAMPAIGN_TTL_MS = 15_000;
/** A version's open-campaign lock whose campaign never appeared (its launch died) is free after this. */
const LOCK_STALE_MS = 2 * 60_000;

/**
 * Campaigns and their recipients. Campaigns are cached briefly (they change only
 * when closed or ready). Progress comes from CampaignCounters, never from paging
 * through recipients.
 *
 * At most one open campaign per policy version: an item in CS_Meta keyed by the
 * version names the campaign holding it (unique MetaKey, guarded by If-Match),
 * as SQLite's partial unique index does. It is free when missing, when its
 * campaign is closed, or when its campaign never appeared (a launch that died).
 */
export class SharePointCampaignStore implements CampaignStore {
  private readonly campaigns = new Map<string, { c: Campaign; itemId: string; at: number }>();
  readonly counters: CampaignCounters;

  constructor(
    private readonly site: SiteClient,
    private readonly jobs: SharePointJobQueue,
    private readonly now: () => number = Date.now,
  ) {
    this.counters = new CampaignCounters(site);
  }

  /**
   * SharePoint has no transaction across items, so the order is what makes a
   * crash or a retry safe: the version's lock (nothing is written if another
   * campaign holds it), the jobs, the recipients (idempotent by key) and their
   * counters, then the campaign. Jobs that run before their campaign exists
   * wait for it (the audience job retries) or find nothing to do; calling this
   * again with the same ids completes what a crash left undone.
   */
  async createCampaign(c: Campaign, recipients: Recipient[], jobs: Job[]): Promise<CreateCampaignResult> {
    if (!c.closed) {
      const holder = await this.claimVersion(c);
      if (holder) return { created: false, open: holder };
    }
    await this.jobs.enqueue(jobs);
    await this.insertRecipients(c, recipients);
    const created = await this.site.create('campaigns', campaignFields(c));
    if (!created && !(await this.read(c.id))) throw new SharePointError(`SharePoint: campaign ${c.id} could not be created`, 409);
    if (created) this.remember(c, created.id);
    return { created: true };
  }

  async getCampaign(id: string): Promise<Campaign | undefined> {
    const cached = this.campaigns.get(id);
    if (cached && this.now() - cached.at < CAMPAIGN_TTL_MS) return cached.c;
    return (await this.read(id))?.c;
  }

  private async read(id: string): Promise<{ c: Campaign; itemId: string } | undefined> {
    const it = await this.site.findOne('campaigns', `fields/CampaignId eq ${lit(id)}`);
    if (!it) return undefined;
    return this.remember(campaignFrom(it.fields), it.id);
  }

  private remember(c: Campaign, itemId: string) {
    if (this.campaigns.size > 1000) this.campaigns.clear();
    const entry = { c, itemId, at: this.now() };
    this.campaigns.set(c.id, entry);
    return entry;
  }

  /**
   * Takes the version's lock for `c`, or returns the open campaign that holds it.
   * A 409 on create or a 412 on update means another launch moved first: read again.
   */
  private async claimVersion(c: Campaign): Promise<Campaign | undefined> {
    const key = keyOf('open-campaign', c.versionId);
    const value = `${c.id} ${new Date(this.now()).toISOString()}`;
    for (let round = 0; round < 10; round++) {
      const it = await this.site.findOne('meta', `fields/MetaKey eq ${lit(key)}`);
      if (!it) {
        // Campaigns launched before the lock existed hold no lock item: the list is small, so look.
        const legacy = (await this.listCampaigns()).find((x) => x.versionId === c.versionId && !x.closed && x.id !== c.id);
        if (legacy) return legacy;
        if (await this.site.create('meta', { Title: 'Open campaign for a policy version', MetaKey: key, MetaValue: value })) return undefined;
        continue;
      }
      const [holderId = '', claimedAt = ''] = str(it.fields.MetaValue).split(' ');
      if (holderId === c.id) return undefined;
      if (holderId) {
        const holder = await this.read(holderId);
        if (holder && !holder.c.closed) return holder.c;
        if (!holder && this.now() - Date.parse(claimedAt || '1970-01-01T00:00:00Z') < LOCK_STALE_MS) {
          // The holder claimed the lock a moment ago and is still writing its campaign (a few requests): wait for it.
          if (round < 9) {
            await new Promise((r) => setTimeout(r, 100 * (round + 1)));
            continue;
          }
          throw new SharePointError(`SharePoint: another launch for version ${c.versionId} is under way; try again in a few minutes`, 409);
        }
      }
      if ((await this.site.update('meta', it.id, { MetaValue: value }, it.eTag)) !== 'conflict') return undefined;
    }
    throw new SharePointError(`SharePoint: the open-campaign lock for version ${c.versionId} kept changing under us`, 412);
  }

  async openCampaignFor(versionId: string): Promise<Campaign | undefined> {
    const it = await this.site.findOne('meta', `fields/MetaKey eq ${lit(keyOf('open-campaign', versionId))}`);
    const holderId = it ? str(it.fields.MetaValue).split(' ')[0] : '';
    if (holderId) {
      const holder = await this.read(holderId);
      return holder && !holder.c.closed ? holder.c : undefined;
    }
    if (it) return undefined;
    return (await this.listCampaigns()).find((x) => x.versionId === versionId && !x.closed);
  }

  /** Writes only the closed columns: no other writer touches them, so no eTag is needed. */
  async closeCampaign(id: string, closed: NonNullable<Campaign['closed']>): Promise<Campaign | undefined> {
    const found = await this.read(id);
    if (!found) return undefined;
    if (found.c.closed) return found.c;
    await this.site.update('campaigns', found.itemId, campaignClosedFields(closed));
    const next: Campaign = { ...found.c, closed };
    this.remember(next, found.itemId);
    return next;
  }

  /** The day's claim is an item in CS_Meta with a unique key (a second create fails), then the campaign's RemindedOn column, for reading. */
  async claimRemindDay(id: string, day: string): Promise<boolean> {
    const found = await this.read(id);
    if (!found) return false;
    // The claim is a unique key; its WriteId tells our own claim, whose reply was lost, from another instance's (409 both).
    const key = keyOf('remind-now', id, day);
    const writeId = randomUUID();
    if (!(await this.site.create('meta', { Title: 'Remind now, once a day', MetaKey: key, MetaValue: day, MetaText: writeId }))) {
      const claim = await this.site.findOne('meta', `fields/MetaKey eq ${lit(key)}`);
      if (str(claim?.fields.MetaText) !== writeId) return false;
    }
    await this.site.update('campaigns', found.itemId, { RemindedOn: toDate(day) });
    this.remember({ ...found.c, remindedOn: day }, found.itemId);
    return true;
  }

  async markAudienceReady(id: string): Promise<void> {
    const found = await this.read(id);
    if (!found || found.c.audienceStatus !== 'preparing') return;
    await this.site.update('campaigns', found.itemId, { AudienceStatus: 'ready' });
    this.remember({ ...found.c, audienceStatus: 'ready' }, found.itemId);
  }

  async listCampaigns(): Promise<Campaign[]> {
    const items = await this.site.query('campaigns', {});
    return items
      .map((it) => ({ c: campaignFrom(it.fields), id: Number(it.id) }))
      .sort((a, b) => cmp(b.c.launchedAt, a.c.launchedAt) || b.id - a.id)
      .map(({ c }) => c);
  }

  async getRecipient(campaignId: string, userId: string): Promise<Versioned<Recipient> | undefined> {
    const it = await this.site.findOne('recipients', `fields/RecipientKey eq ${lit(recipientKey(campaignId, userId))}`);
    return it ? versioned(it) : undefined;
  }

  /**
   * PATCH with If-Match; 412 is ConflictError. When the state or department
   * moved, the two counters move too. Each write carries a fresh WriteId, so
   * a 412 met by the client's own retry of a write that did land (its answer
   * lost to a 503/504) is recognised as ours, not as a conflict.
   */
  async updateRecipient(r: Recipient, expectedEtag: string): Promise<Versioned<Recipient>> {
    const id = `${r.campaignId}/${r.userId}`;
    const tag = decodeTag(expectedEtag, 'recipient', id);
    const writeId = randomUUID();
    const fields = { Title: title(r.name), RecipientName: line(r.name, 'name'), Department: line(r.department, 'department'), ...recipientStateFields(r), WriteId: writeId };
    let res = await this.site.update('recipients', tag.itemId, fields, tag.eTag);
    if (res === 'conflict') {
      const now = await this.site.get('recipients', tag.itemId);
      if (!now || str(now.fields.WriteId) !== writeId) throw new ConflictError('recipient', id);
      res = { eTag: now.eTag, fields: now.fields };
    }
    const before = { state: tag.extra.s as RecipientState, department: tag.extra.d ?? '' };
    if (before.state !== r.state || before.department !== r.department) {
      await this.counters.apply(r.campaignId, [
        { ...before, delta: -1 },
        { state: r.state, department: r.department, delta: 1 },
      ]);
    }
    return { value: r, etag: encodeTag(tag.itemId, res.eTag, { s: r.state, d: r.department }) };
  }

  async addRecipients(campaignId: string, recipients: Recipient[], jobs: (r: Recipient) => Job, extra: Job[] = []): Promise<Recipient[]> {
    const c = await this.getCampaign(campaignId);
    if (!c) return [];
    const { added, queued } = await this.insertRecipients(c, recipients);
    await this.jobs.enqueue([...queued.map(jobs), ...extra]);
    return added;
  }

  async countRecipients(campaignId: string): Promise<RecipientCount[]> {
    return this.counters.read(campaignId);
  }

  /**
   * One range on one indexed key, in key order, $top = limit: campaign|user, or
   * campaign|state|user for one state. The page never reads past what it returns.
   */
  async listRecipients(campaignId: string, o: { state?: RecipientState; afterUserId?: string; limit: number }): Promise<Recipient[]> {
    if (o.limit < 1) return [];
    const col = o.state ? 'StateKey' : 'RecipientKey';
    const prefix = o.state ? stateKey(campaignId, o.state, '') : recipientKey(campaignId, '');
    let filter = `startswith(fields/${col},${lit(prefix)})`;
    if (o.afterUserId) filter += ` and fields/${col} gt ${lit(prefix + o.afterUserId)}`;
    const items = await this.site.query('recipients', { filter, orderby: `fields/${col}`, top: o.limit }, o.limit);
    return items.map((it) => recipientFrom(it.fields));
  }

  async recipientsFor(userId: string, versionId: string): Promise<Array<Versioned<Recipient>>> {
    const items = await this.site.query('recipients', { filter: `fields/UserVersionKey eq ${lit(userVersionKey(userId, versionId))}` });
    return items.map(versioned);
  }

  /**
   * Rebuilds a campaign's counters from its recipients: pages through all of
   * them, so it is for repair only (e.g. after a process died between a
   * recipient write and its counter write), never for progress.
   */
  async recountRecipients(campaignId: string): Promise<RecipientCount[]> {
    const items = await this.site.query('recipients', { filter: `startswith(fields/RecipientKey,${lit(recipientKey(campaignId, ''))})`, select: ['State', 'Department'] });
    const want = new Map<string, CountDelta>();
    for (const it of items) {
      const state = str(it.fields.State) as RecipientState;
      const department = str(it.fields.Department);
      const k = `${state}\u0000${department}`;
      const cur = want.get(k) ?? { state, department, delta: 0 };
      cur.delta++;
      want.set(k, cur);
    }
    const have = await this.counters.read(campaignId);
    const deltas: CountDelta[] = [...want.values()];
    for (const h of have) {
      const k = `${h.state}\u0000${h.department}`;
      const w = want.get(k);
      if (w) w.delta -= h.count;
      else deltas.push({ state: h.state, department: h.department, delta: -h.count });
    }
    await this.counters.apply(campaignId, deltas);
    return this.counters.read(campaignId);
  }

  /**
   * Creates the recipients not already in the campaign (batches of 20) and counts them. Returns those
   * created, in input order, and those of the input stored queued (created now, or left queued before).
   * Who is there already is one range read over the input's ids (RecipientKey is indexed), so a page
   * of the directory costs a page of the campaign, never the whole campaign.
   */
  private async insertRecipients(c: Campaign, recipients: Recipient[]): Promise<{ added: Recipient[]; queued: Recipient[] }> {
    const seen = new Set<string>();
    const unique = recipients.filter((r) => !seen.has(r.userId) && seen.add(r.userId));
    if (!unique.length) return { added: [], queued: [] };
    // SharePoint compares text case-insensitively, so the range's ends are taken in lower case.
    const ids = unique.map((r) => r.userId.toLowerCase()).sort();
    const range = `fields/RecipientKey ge ${lit(recipientKey(c.id, ids[0]!))} and fields/RecipientKey le ${lit(recipientKey(c.id, ids[ids.length - 1]!))}`;
    // Bounded: a scattered input (not one page of the directory) spans much of the campaign. What the read
    // leaves out is still right, only dearer: creating one already there is a 409, handled below.
    const existing = await this.site.query('recipients', { filter: range, select: ['RecipientId', 'State'] }, unique.length * 2 + 100);
    const have = new Map(existing.map((it) => [str(it.fields.RecipientId).toLowerCase(), str(it.fields.State)]));
    const fresh = unique.filter((r) => !have.has(r.userId.toLowerCase()));
    const stillQueued = unique.filter((r) => have.get(r.userId.toLowerCase()) === 'queued');
    if (!fresh.length) return { added: [], queued: stillQueued };
    const writeIds = fresh.map(() => randomUUID());
    const res = await this.site.batch.all(fresh.map((r, i) => this.site.createReq('recipients', { ...recipientFields(r, c.versionId), WriteId: writeIds[i] })));
    const ours = res.map((x, i) => {
      if (x.status === 201) return true;
      if (x.status === 409) return false;
      throw new SharePointError(`SharePoint: adding recipient ${fresh[i]!.userId} to campaign ${c.id} failed (${x.status})`, x.status);
    });
    // 409: created meanwhile, by another instance or by our own write whose reply was lost (the batch then
    // retried it). The WriteId tells which: ours is added (and counted); theirs keeps its state, and a
    // queued one gets its job booked (the job key dedupes it).
    for (const [i, x] of res.entries()) {
      if (x.status !== 409) continue;
      const r = fresh[i]!;
      const it = await this.site.findOne('recipients', `fields/RecipientKey eq ${lit(recipientKey(c.id, r.userId))}`);
      if (it && str(it.fields.WriteId) === writeIds[i]) ours[i] = true;
      else if ((it ? str(it.fields.State) : r.state) === 'queued') stillQueued.push(r);
    }
    // In input order, as the port promises.
    const added = fresh.filter((_, i) => ours[i]);
    await this.counters.apply(c.id, countRecipients(added).map(({ state, department, count }): CountDelta => ({ state, department, delta: count })));
    return { added, queued: [...added.filter((r) => r.state === 'queued'), ...stillQueued] };
  }
}

function versioned(it: Item): Versioned<Recipient> {
  const value = recipientFrom(it.fields);
  return { value, etag: encodeTag(it.id, it.eTag, { s: value.state, d: value.department }) };
}
