import { randomUUID } from 'node:crypto';
import type { Campaign, RecipientCount } from '../../domain/campaign';
import { ConflictError } from '../../domain/errors';
import type { Recipient, RecipientState } from '../../domain/recipient.workflow';
import type { CampaignStore } from '../../ports/campaign-store';
import type { Job } from '../../ports/job-queue';
import type { Versioned } from '../../ports/store';
import { CampaignCounters, type CountDelta } from './counters';
import { SharePointError } from './errors';
import { decodeTag, encodeTag, line, lit, str, title } from './fields';
import { campaignFields, campaignFrom, recipientFields, recipientFrom, recipientKey, recipientStateFields, stateKey, userVersionKey } from './mappers';
import { cmp } from './sharepoint-policy.store';
import type { SharePointJobQueue } from './sharepoint-job.queue';
import type { Item, SiteClient } from './site';

/** Above this many new recipients, read the campaign's keys once rather than meet a 409 per existing person. */
const SCAN_ABOVE = 40;

/**
 * Campaigns and their recipients. Campaigns never change once created, so
 * they are cached. Progress comes from CampaignCounters, never from paging
 * through recipients.
 */
export class SharePointCampaignStore implements CampaignStore {
  private readonly campaigns = new Map<string, Campaign>();
  readonly counters: CampaignCounters;

  constructor(
    private readonly site: SiteClient,
    private readonly jobs: SharePointJobQueue,
  ) {
    this.counters = new CampaignCounters(site);
  }

  /**
   * SharePoint has no transaction across items, so the order is what makes a
   * crash or a retry safe: recipients (idempotent by key), their counters, then
   * the campaign, then the jobs. A send job never runs before its campaign
   * exists (the handler would find no campaign and drop it), and calling this
   * again with the same ids completes what a crash left undone.
   */
  async createCampaign(c: Campaign, recipients: Recipient[], jobs: Job[]): Promise<void> {
    await this.insertRecipients(c, recipients);
    const created = await this.site.create('campaigns', campaignFields(c));
    if (!created && !(await this.getCampaign(c.id))) throw new SharePointError(`SharePoint: campaign ${c.id} could not be created`, 409);
    this.campaigns.set(c.id, c);
    await this.jobs.enqueue(jobs);
  }

  async getCampaign(id: string): Promise<Campaign | undefined> {
    const cached = this.campaigns.get(id);
    if (cached) return cached;
    const it = await this.site.findOne('campaigns', `fields/CampaignId eq ${lit(id)}`);
    if (!it) return undefined;
    const c = campaignFrom(it.fields);
    this.campaigns.set(id, c);
    return c;
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

  async addRecipients(campaignId: string, recipients: Recipient[], jobs: (r: Recipient) => Job): Promise<Recipient[]> {
    const c = await this.getCampaign(campaignId);
    if (!c) return [];
    const added = await this.insertRecipients(c, recipients);
    await this.jobs.enqueue(added.map(jobs));
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

  /** Creates the recipients not already in the campaign (batches of 20) and counts them. Returns those created, in input order. */
  private async insertRecipients(c: Campaign, recipients: Recipient[]): Promise<Recipient[]> {
    const seen = new Set<string>();
    let fresh = recipients.filter((r) => !seen.has(r.userId) && seen.add(r.userId));
    if (fresh.length > SCAN_ABOVE) {
      const existing = await this.site.query('recipients', { filter: `startswith(fields/RecipientKey,${lit(recipientKey(c.id, ''))})`, select: ['RecipientId'] });
      const have = new Set(existing.map((it) => str(it.fields.RecipientId).toLowerCase()));
      fresh = fresh.filter((r) => !have.has(r.userId.toLowerCase()));
    }
    if (!fresh.length) return [];
    const res = await this.site.batch.all(fresh.map((r) => this.site.createReq('recipients', { ...recipientFields(r, c.versionId), WriteId: randomUUID() })));
    const added: Recipient[] = [];
    res.forEach((x, i) => {
      if (x.status === 201) added.push(fresh[i]!);
      else if (x.status !== 409) throw new SharePointError(`SharePoint: adding recipient ${fresh[i]!.userId} to campaign ${c.id} failed (${x.status})`, x.status);
    });
    const deltas = new Map<string, CountDelta>();
    for (const r of added) {
      const k = `${r.state}\u0000${r.department}`;
      const d = deltas.get(k) ?? { state: r.state, department: r.department, delta: 0 };
      d.delta++;
      deltas.set(k, d);
    }
    await this.counters.apply(c.id, [...deltas.values()]);
    return added;
  }
}

function versioned(it: Item): Versioned<Recipient> {
  const value = recipientFrom(it.fields);
  return { value, etag: encodeTag(it.id, it.eTag, { s: value.state, d: value.department }) };
}
