import type Database from 'better-sqlite3';
import type { DemoInboxStore, InboxCard, NewInboxCard } from '../ports/demo-inbox';

interface Row {
  seq: number;
  school_id: string;
  person_id: string;
  kind: string;
  card: string;
  request_id: string | null;
  campaign_id: string | null;
  activity_id: string | null;
  kept_at: string;
  updated_at: string;
}

const toCard = (r: Row): InboxCard => ({
  id: String(r.seq),
  schoolId: r.school_id,
  personId: r.person_id,
  kind: r.kind,
  card: JSON.parse(r.card) as object,
  requestId: r.request_id,
  campaignId: r.campaign_id,
  activityId: r.activity_id,
  keptAt: r.kept_at,
  updatedAt: r.updated_at,
});

/** The demo inboxes in the embedded SQLite file (table demo_inbox). */
export class SqliteDemoInbox implements DemoInboxStore {
  constructor(private readonly db: Database.Database) {}

  async keep(c: NewInboxCard): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO demo_inbox (school_id, person_id, kind, card, request_id, campaign_id, activity_id, kept_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(c.schoolId, c.personId, c.kind, JSON.stringify(c.card), c.requestId, c.campaignId, c.activityId, c.keptAt, c.keptAt);
  }

  async listInbox(personId: string): Promise<InboxCard[]> {
    return (this.db.prepare('SELECT * FROM demo_inbox WHERE person_id = ? ORDER BY seq DESC').all(personId) as Row[]).map(toCard);
  }

  async aboutRequest(requestId: string): Promise<InboxCard[]> {
    return (this.db.prepare('SELECT * FROM demo_inbox WHERE request_id = ? ORDER BY seq').all(requestId) as Row[]).map(toCard);
  }

  async replaceCard(id: string, card: object, at: string): Promise<void> {
    this.db.prepare('UPDATE demo_inbox SET card = ?, updated_at = ? WHERE seq = ?').run(JSON.stringify(card), at, Number(id));
  }
}
