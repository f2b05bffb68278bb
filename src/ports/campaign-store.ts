import type { Campaign, RecipientCount } from '../domain/campaign';
import type { Recipient, RecipientState } from '../domain/recipient.workflow';
import type { Job } from './job-queue';
import type { Versioned } from './store';

/** What creating a campaign did: created it, or found another campaign still open for the same version. */
export type CreateCampaignResult = { created: true } | { created: false; open: Campaign };

/** Campaigns and their per-recipient records. */
export interface CampaignStore {
  /**
   * Creates the campaign, its recipients and their first jobs as one unit, unless another campaign
   * for the same policy version is still open (not closed): at most one open campaign per version,
   * enforced by the store so two launches at once cannot both win. Calling it again with the same
   * campaign (a retry) completes what a crash left undone and reports it created.
   */
  createCampaign(c: Campaign, recipients: Recipient[], jobs: Job[]): Promise<CreateCampaignResult>;
  getCampaign(id: string): Promise<Campaign | undefined>;
  listCampaigns(): Promise<Campaign[]>;
  /** The campaign for this version that is not closed, if any (it may be past its deadline). */
  openCampaignFor(versionId: string): Promise<Campaign | undefined>;
  /** Records who closed it and when; idempotent: closing a closed campaign returns it unchanged. */
  closeCampaign(id: string, closed: NonNullable<Campaign['closed']>): Promise<Campaign | undefined>;
  /**
   * Records that an admin reminded everyone now on school day `day` (the campaign's `remindedOn`),
   * unless that was already recorded for that day: true for the one call that recorded it, false for
   * every other, so two presses at once cannot both book a reminder run.
   */
  claimRemindDay(id: string, day: string): Promise<boolean>;
  /** The launch's audience has been read and booked. Idempotent. */
  markAudienceReady(id: string): Promise<void>;

  getRecipient(campaignId: string, userId: string): Promise<Versioned<Recipient> | undefined>;
  /** Throws ConflictError when the etag is stale. */
  updateRecipient(r: Recipient, expectedEtag: string): Promise<Versioned<Recipient>>;
  /**
   * Adds recipients not already in the campaign and, as one unit (SQLite: one transaction; SharePoint:
   * recipients first, then jobs, both idempotent), books `jobs(r)` for each given recipient that is stored
   * queued (new, or left queued by an earlier run that died before booking its job), plus `extra` jobs.
   * Job keys make booking twice harmless. Returns the recipients added.
   */
  addRecipients(campaignId: string, recipients: Recipient[], jobs: (r: Recipient) => Job, extra?: Job[]): Promise<Recipient[]>;
  /** Counts by state and department: the progress figures (SharePoint: kept counters, one query). */
  countRecipients(campaignId: string): Promise<RecipientCount[]>;
  /** Counts again from the recipient records and puts any kept counters right; returns the counts. */
  recountRecipients(campaignId: string): Promise<RecipientCount[]>;
  /** Pages through recipients in user-id order, optionally in one state. */
  listRecipients(campaignId: string, o: { state?: RecipientState; afterUserId?: string; limit: number }): Promise<Recipient[]>;
  /** The user's recipient records in campaigns for this policy version. */
  recipientsFor(userId: string, versionId: string): Promise<Array<Versioned<Recipient>>>;
}
