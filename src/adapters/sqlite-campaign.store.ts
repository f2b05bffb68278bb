import type Database from 'better-sqlite3';
import type { Campaign, RecipientCount } from '../domain/campaign';
import { ConflictError } from '../domain/errors';
import type { Recipient, RecipientState } from '../domain/recipient.workflow';
import type { CampaignStore } from '../ports/campaign-store';
import { earliestRunAt, type Job, type JobQueue } from '../ports/job-queue';
import type { Versioned } from '../ports/store';
import { insertJobs } from './sqlite-job.queue';

export class SqliteCampaignStore implements CampaignStore {
  constructor(
    private readonly db: Database.Database,
    /** Told after jobs commit, so the worker wakes. */
    private readonly queue?: Pick<JobQueue, 'booked'>,
  ) {}

  private insertRecipients(c: { id: string; versionId: string }, recipients: Recipient[]): Recipient[] {
    const stmt = this.db.prepare(
      'INSERT OR IGNORE INTO recipients (campaign_id, user_id, version_id, department, state, etag, data) VALUES (?, ?, ?, ?, ?, 1, ?)',
    );
    return recipients.filter((r) => stmt.run(c.id, r.userId, c.versionId, r.department, r.state, JSON.stringify(r)).changes > 0);
  }

  async createCampaign(c: Campaign, recipients: Recipient[], jobs: Job[]): Promise<void> {
    this.db.transaction(() => {
      this.db.prepare('INSERT INTO campaigns (id, version_id, launched_at, data) VALUES (?, ?, ?, ?)').run(c.id, c.versionId, c.launchedAt, JSON.stringify(c));
      this.insertRecipients(c, recipients);
      insertJobs(this.db, jobs);
    })();
    if (jobs.length) this.queue?.booked(earliestRunAt(jobs));
  }

  async getCampaign(id: string): Promise<Campaign | undefined> {
    const row = this.db.prepare('SELECT data FROM campaigns WHERE id = ?').get(id) as { data: string } | undefined;
    return row ? JSON.parse(row.data) : undefined;
  }

  async listCampaigns(): Promise<Campaign[]> {
    const rows = this.db.prepare('SELECT data FROM campaigns ORDER BY launched_at DESC').all() as { data: string }[];
    return rows.map((r) => JSON.parse(r.data));
  }

  async getRecipient(campaignId: string, userId: string): Promise<Versioned<Recipient> | undefined> {
    const row = this.db.prepare('SELECT data, etag FROM recipients WHERE campaign_id = ? AND user_id = ?').get(campaignId, userId) as
      | { data: string; etag: number }
      | undefined;
    return row ? { value: JSON.parse(row.data), etag: String(row.etag) } : undefined;
  }

  async updateRecipient(r: Recipient, expectedEtag: string): Promise<Versioned<Recipient>> {
    const next = Number(expectedEtag) + 1;
    const res = this.db
      .prepare('UPDATE recipients SET state = ?, etag = ?, data = ? WHERE campaign_id = ? AND user_id = ? AND etag = ?')
      .run(r.state, next, JSON.stringify(r), r.campaignId, r.userId, Number(expectedEtag));
    if (res.changes === 0) throw new ConflictError('recipient', `${r.campaignId}/${r.userId}`);
    return { value: r, etag: String(next) };
  }

  async addRecipients(campaignId: string, recipients: Recipient[], jobs: (r: Recipient) => Job): Promise<Recipient[]> {
    const c = await this.getCampaign(campaignId);
    if (!c) return [];
    const added = this.db.transaction(() => {
      const added = this.insertRecipients(c, recipients);
      insertJobs(this.db, added.map(jobs));
      return added;
    })();
    if (added.length) this.queue?.booked();
    return added;
  }

  async countRecipients(campaignId: string): Promise<RecipientCount[]> {
    return this.db
      .prepare('SELECT state, department, COUNT(*) AS count FROM recipients WHERE campaign_id = ? GROUP BY state, department')
      .all(campaignId) as RecipientCount[];
  }

  async listRecipients(campaignId: string, o: { state?: RecipientState; afterUserId?: string; limit: number }): Promise<Recipient[]> {
    const rows = this.db
      .prepare(
        `SELECT data FROM recipients WHERE campaign_id = ? AND (? IS NULL OR state = ?) AND user_id > ? ORDER BY user_id LIMIT ?`,
      )
      .all(campaignId, o.state ?? null, o.state ?? null, o.afterUserId ?? '', o.limit) as { data: string }[];
    return rows.map((r) => JSON.parse(r.data));
  }

  async recipientsFor(userId: string, versionId: string): Promise<Array<Versioned<Recipient>>> {
    const rows = this.db.prepare('SELECT data, etag FROM recipients WHERE user_id = ? AND version_id = ?').all(userId, versionId) as { data: string; etag: number }[];
    return rows.map((r) => ({ value: JSON.parse(r.data), etag: String(r.etag) }));
  }
}
