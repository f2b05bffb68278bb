import type { Campaign, RecipientCount } from '../domain/campaign';
import type { Recipient, RecipientState } from '../domain/recipient.workflow';
import type { Job } from './job-queue';
import type { Versioned } from './store';

/** Campaigns and their per-recipient records. */
export interface CampaignStore {
  /** Creates the campaign, its recipients and their first jobs as one unit. */
  createCampaign(c: Campaign, recipients: Recipient[], jobs: Job[]): Promise<void>;
  getCampaign(id: string): Promise<Campaign | undefined>;
  listCampaigns(): Promise<Campaign[]>;

  getRecipient(campaignId: string, userId: string): Promise<Versioned<Recipient> | undefined>;
  /** Throws ConflictError when the etag is stale. */
  updateRecipient(r: Recipient, expectedEtag: string): Promise<Versioned<Recipient>>;
  /** Adds recipients not already in the campaign, with their jobs; returns those added. */
  addRecipients(campaignId: string, recipients: Recipient[], jobs: (r: Recipient) => Job): Promise<Recipient[]>;
  countRecipients(campaignId: string): Promise<RecipientCount[]>;
  /** Pages through recipients in user-id order, optionally in one state. */
  listRecipients(campaignId: string, o: { state?: RecipientState; afterUserId?: string; limit: number }): Promise<Recipient[]>;
  /** The user's recipient records in campaigns for this policy version. */
  recipientsFor(userId: string, versionId: string): Promise<Array<Versioned<Recipient>>>;
}
