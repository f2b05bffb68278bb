import type Database from 'better-sqlite3';
import type { Campaign, RecipientCount } from '../domain/campaign';
import { ConflictError } from '../domain/errors';
import type { Recipient, RecipientState } from '../domain/recipient.workflow';
import type { CampaignStore, CreateCampaignResult } from '../ports/campaign-store';
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
      'INSERT OR IGNORE INTO recipients (campaign_id, user_id, version_id, department, state, etag, data, school_id) VALUES (?, ?, ?, ?, ?, 1, ?, ?)',
    );
    return recipients.filter((r) => stmt.run(c.id, r.userId, c.versionId, r.department, r.state, JSON.stringify(r), r.schoolId).changes > 0);
  }

  async createCampaign(c: Campaign, recipients: Recipient[], jobs: Job[]): Promise<CreateCampaignResult> {
    try {
      return this.create(c, recipients, jobs);
    } catch (e) {
      // Another process won the race for this version between our check and our insert.
      const open = (e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' ? this.openFor(c.versionId) : undefined;
      if (open) return { created: false, open };
      throw e;
    }
  }

  private create(c: Campaign, recipients: Recipient[], jobs: Job[]): CreateCampaignResult {
    return this.db.transaction((): CreateCampaignResult => {
      if (this.db.prepare('SELECT 1 FROM campaigns WHERE id = ?').get(c.id)) return { created: true };
      const open = c.closed ? undefined : this.openFor(c.versionId);
      // The partial unique index (one open campaign per version) would refuse the insert; say which one holds it.
      if (open) return { created: false, open };
      this.db
        .prepare('INSERT INTO campaigns (id, version_id, launched_at, closed_at, data, school_id) VALUES (?, ?, ?, ?, ?, ?)')
        .run(c.id, c.versionId, c.launchedAt, c.closed?.at ?? null, JSON.stringify(c), c.schoolId);
      this.insertRecipients(c, recipients);
      insertJobs(this.db, jobs);
      return { created: true };
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

  private openFor(versionId: string): Campaign | undefined {
    const row = this.db.prepare('SELECT data FROM campaigns WHERE version_id = ? AND closed_at IS NULL').get(versionId) as { data: string } | undefined;
    return row ? JSON.parse(row.data) : undefined;
  }

  async openCampaignFor(versionId: string): Promise<Campaign | undefined> {
    return this.openFor(versionId);
  }

  async closeCampaign(id: string, closed: NonNullable<Campaign['closed']>): Promise<Campaign | undefined> {
    return this.db.transaction(() => {
      const c = this.db.prepare('SELECT data FROM campaigns WHERE id = ?').get(id) as { data: string } | undefined;
      if (!c) return undefined;
      const current = JSON.parse(c.data) as Campaign;
      if (current.closed) return current;
      const next: Campaign = { ...current, closed };
      this.db.prepare('UPDATE campaigns SET closed_at = ?, data = ? WHERE id = ?').run(closed.at, JSON.stringify(next), id);
      return next;
    })();
  }

  async claimRemindDay(id: string, day: string): Promise<boolean> {
    const res = this.db
      .prepare(`UPDATE campaigns SET data = json_set(data, '$.remindedOn', ?) WHERE id = ? AND json_extract(data, '$.remindedOn') IS NOT ?`)
      .run(day, id, day);
    return res.changes > 0;
  }

  async markAudienceReady(id: string): Promise<void> {
    this.db.prepare(`UPDATE campaigns SET data = json_set(data, '$.audienceStatus', 'ready') WHERE id = ?`).run(id);
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

  async addRecipients(campaignId: string, recipients: Recipient[], jobs: (r: Recipient) => Job, extra: Job[] = []): Promise<Recipient[]> {
    const c = await this.getCampaign(campaignId);
    if (!c) return [];
    const stateOf = this.db.prepare('SELECT state FROM recipients WHERE campaign_id = ? AND user_id = ?');
    const { added, booked } = this.db.transaction(() => {
      const added = this.insertRecipients(c, recipients);
      const isNew = new Set(added.map((r) => r.userId));
      const queued = recipients.filter((r) => (isNew.has(r.userId) ? r.state === 'queued' : (stateOf.get(campaignId, r.userId) as { state: string } | undefined)?.state === 'queued'));
      const booked = [...queued.map(jobs), ...extra];
      insertJobs(this.db, booked);
      return { added, booked };
    })();
    if (booked.length) this.queue?.booked(earliestRunAt(booked));
    return added;
  }

  async countRecipients(campaignId: string): Promise<RecipientCount[]> {
    return this.db
      .prepare('SELECT state, department, COUNT(*) AS count FROM recipients WHERE campaign_id = ? GROUP BY state, department')
      .all(campaignId) as RecipientCount[];
  }

  /** SQLite keeps no counters: progress is always counted from the records, so a recount is a count. */
  async recountRecipients(campaignId: string): Promise<RecipientCount[]> {
    return this.countRecipients(campaignId);
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
