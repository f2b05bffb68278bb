import Database from 'better-sqlite3';
import { reusePreparedStatements } from './sqlite-statements';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AccountRequest } from '../domain/account-request';
import { currentApprover } from '../domain/account-request';
import { ConflictError } from '../domain/errors';
import type { SchoolRole, StaffMember } from '../domain/people';
import type { RosterRecord } from '../domain/roster';
import { searchText, type RequestListPage, type RequestListQuery } from '../domain/request-list';
import { SqliteRetention } from './sqlite-retention';
import { entryFromRow, insertAudit, sealLegacyAudit, SqliteAuditTrail, type AuditRow } from './sqlite-audit';
import { migrations } from './sqlite.migrations';
import { SqliteCampaignStore } from './sqlite-campaign.store';
import { insertJobs, SqliteJobQueue } from './sqlite-job.queue';
import { earliestRunAt } from '../ports/job-queue';
import { SqlitePolicyStore } from './sqlite-policy.store';
import type {
  AccountChange,
  AuditEntry,
  ConversationAddress,
  DecisionRecord,
  RegisteredAccount,
  RequestChange,
  SentCard,
  Store,
  TeamAddress,
  Versioned,
} from '../ports/store';

export interface SqliteStoreOptions {
  /**
   * The deployment's school. Rows written before records knew their school are
   * stamped with it when the store opens; without it they are left as they are.
   */
  schoolId?: string;
}

/** Tables whose record is JSON in `data`: the school goes in the column and in the JSON, so reads need no change. */
const SCHOOL_JSON_TABLES = ['requests', 'accounts', 'policy_versions', 'declarations', 'campaigns', 'recipients'];
const SCHOOL_COLUMN_TABLES = ['decisions', 'audit', 'staff', 'policies', 'jobs'];

/** The embedded store: one SQLite file, created and migrated on first open. */
export class SqliteStore implements Store {
  readonly db: Database.Database;
  readonly policies: SqlitePolicyStore;
  readonly campaigns: SqliteCampaignStore;
  readonly jobs: SqliteJobQueue;
  readonly audit: SqliteAuditTrail;
  readonly retention: SqliteRetention;

  constructor(path: string, options: SqliteStoreOptions = {}) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    reusePreparedStatements(this.db);
    this.migrate();
    if (options.schoolId) this.stampSchool(options.schoolId);
    this.chainLegacyAudit();
    this.policies = new SqlitePolicyStore(this.db);
    this.jobs = new SqliteJobQueue(this.db);
    this.campaigns = new SqliteCampaignStore(this.db, this.jobs);
    this.audit = new SqliteAuditTrail(this.db);
    this.retention = new SqliteRetention(this.db);
  }

  private migrate() {
    const applied = this.db.pragma('user_version', { simple: true }) as number;
    for (let i = applied; i < migrations.length; i++) {
      this.db.transaction(() => {
        this.db.exec(migrations[i]!);
        this.db.pragma(`user_version = ${i + 1}`);
      })();
    }
  }

  /**
   * Gives rows from before the school_id columns the deployment's school, once:
   * later opens find no NULLs (an index lookup per table). Backfilled rather than
   * read as "NULL means ours" so a trust's `WHERE school_id = ?` finds every row.
   */
  private stampSchool(schoolId: string) {
    this.db.transaction(() => {
      for (const t of SCHOOL_JSON_TABLES) {
        this.db.prepare(`UPDATE ${t} SET school_id = ?, data = json_set(data, '$.schoolId', ?) WHERE school_id IS NULL`).run(schoolId, schoolId);
      }
      for (const t of SCHOOL_COLUMN_TABLES) this.db.prepare(`UPDATE ${t} SET school_id = ? WHERE school_id IS NULL`).run(schoolId);
    })();
  }

  /**
   * Once per file, after the school is stamped (the school is part of what is hashed): entries from before the
   * chain are chained in their order, and their records linked (sqlite-audit.ts). The marker is set in the same
   * transaction, so a crash leaves it to the next open, and it never runs twice: afterwards an unlinked record is a finding.
   */
  private chainLegacyAudit() {
    if (this.db.prepare("SELECT 1 FROM meta WHERE key = 'audit_chained'").get()) return;
    this.db.transaction(() => {
      sealLegacyAudit(this.db, new Date().toISOString());
      this.db.prepare("INSERT INTO meta (key, value) VALUES ('audit_chained', ?)").run(new Date().toISOString());
    })();
  }

  close() {
    this.db.close();
  }

  /** A random secret kept in the database: the embedded mode's link-signing key, stable across restarts. */
  secret(name: string, make: () => string): string {
    this.db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run(`secret:${name}`, make());
    return (this.db.prepare('SELECT value FROM meta WHERE key = ?').get(`secret:${name}`) as { value: string }).value;
  }

  async nextReference(): Promise<string> {
    const row = this.db
      .prepare(
        `INSERT INTO meta(key, value) VALUES ('request_seq', '1')
         ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1 RETURNING value`,
      )
      .get() as { value: string };
    return `CS-${String(row.value).padStart(4, '0')}`;
  }

  async getRequest(id: string): Promise<Versioned<AccountRequest> | undefined> {
    const row = this.db.prepare('SELECT data, etag FROM requests WHERE id = ?').get(id) as { data: string; etag: number } | undefined;
    return row ? { value: JSON.parse(row.data), etag: String(row.etag) } : undefined;
  }

  async listRequestsByRequester(requesterId: string): Promise<AccountRequest[]> {
    const rows = this.db.prepare('SELECT data FROM requests WHERE requester_id = ? ORDER BY created_at DESC').all(requesterId) as { data: string }[];
    return rows.map((r) => JSON.parse(r.data));
  }

  async listRequestsAwaiting(approverId: string): Promise<AccountRequest[]> {
    const rows = this.db.prepare('SELECT data FROM requests WHERE current_approver_id = ? ORDER BY created_at').all(approverId) as { data: string }[];
    return rows.map((r) => JSON.parse(r.data));
  }

  /** In SQL: the school, statuses, dates and search are WHERE clauses, the position a keyset on (created_at, id). */
  async listRequestsPage(q: RequestListQuery): Promise<RequestListPage> {
    const where = ['school_id = ?'];
    const args: unknown[] = [q.schoolId];
    if (q.statuses?.length) {
      where.push(`status IN (${q.statuses.map(() => '?').join(', ')})`);
      args.push(...q.statuses);
    }
    // created_at holds toISOString() text, so text order is time order.
    if (q.createdFrom) {
      where.push('created_at >= ?');
      args.push(new Date(q.createdFrom).toISOString());
    }
    if (q.createdBefore) {
      where.push('created_at < ?');
      args.push(new Date(q.createdBefore).toISOString());
    }
    const search = searchText(q.search);
    if (search) {
      const like = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      where.push(
        `(lower(reference) LIKE ? ESCAPE '\\' OR lower(json_extract(data, '$.details.platform')) LIKE ? ESCAPE '\\'
          OR lower(json_extract(data, '$.details.department')) LIKE ? ESCAPE '\\' OR lower(json_extract(data, '$.requesterName')) LIKE ? ESCAPE '\\')`,
      );
      args.push(like, like, like, like);
    }
    if (q.after) {
      const t = new Date(q.after.createdAt).toISOString();
      where.push('(created_at < ? OR (created_at = ? AND id < ?))');
      args.push(t, t, q.after.id);
    }
    const rows = this.db
      .prepare(`SELECT data FROM requests WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT ?`)
      .all(...args, q.limit + 1) as { data: string }[];
    const items = rows.slice(0, q.limit).map((r) => JSON.parse(r.data) as AccountRequest);
    const last = items.at(-1);
    return rows.length > q.limit && last ? { items, next: { createdAt: last.createdAt, id: last.id } } : { items };
  }

  async saveRequestChange(change: RequestChange): Promise<Versioned<AccountRequest>> {
    const r = change.request;
    const data = JSON.stringify(r);
    const approver = currentApprover(r)?.approverId ?? null;
    const etag = this.db.transaction(() => {
      let next: number;
      if (change.expectedEtag === undefined) {
        this.db
          .prepare(
            `INSERT INTO requests (id, reference, requester_id, status, current_approver_id, etag, data, created_at, updated_at, school_id)
             VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?)`,
          )
          .run(r.id, r.reference, r.requesterId, r.status, approver, data, r.createdAt, r.updatedAt, r.schoolId);
        next = 1;
      } else {
        next = Number(change.expectedEtag) + 1;
        const res = this.db
          .prepare(
            `UPDATE requests SET status = ?, current_approver_id = ?, etag = ?, data = ?, updated_at = ?
             WHERE id = ? AND etag = ?`,
          )
          .run(r.status, approver, next, data, r.updatedAt, r.id, Number(change.expectedEtag));
        if (res.changes === 0) throw new ConflictError('request', r.id);
      }
      if (change.decision) {
        const d = change.decision;
        this.db
          .prepare(
            `INSERT INTO decisions (id, request_id, round, step, role, outcome, actor_id, actor_name, signature, comment, at, school_id)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(d.id, d.requestId, d.round, d.step, d.role, d.outcome, d.actorId, d.actorName, d.signature, d.comment, d.at, d.schoolId);
      }
      if (change.account) {
        const a = change.account;
        this.db
          .prepare('INSERT INTO accounts (id, request_id, approved_at, data, school_id) VALUES (?, ?, ?, ?, ?)')
          .run(a.id, a.requestId, a.approvedAt, JSON.stringify(a), a.schoolId);
      }
      insertAudit(this.db, change.audit, change.decision ? { kind: 'decision', id: change.decision.id } : undefined);
      if (change.jobs?.length) insertJobs(this.db, change.jobs);
      return next;
    })();
    if (change.jobs?.length) this.jobs.booked(earliestRunAt(change.jobs));
    return { value: r, etag: String(etag) };
  }

  /** A change and its effects are one transaction here: nothing is ever pending. */
  async applyPendingChanges(): Promise<number> {
    return 0;
  }

  async listDecisions(requestId: string): Promise<DecisionRecord[]> {
    const rows = this.db.prepare('SELECT * FROM decisions WHERE request_id = ? ORDER BY at, round, step').all(requestId) as any[];
    return rows.map(decisionFromRow);
  }

  async listDecisionsByActor(actorId: string): Promise<DecisionRecord[]> {
    const rows = this.db.prepare('SELECT * FROM decisions WHERE actor_id = ? ORDER BY at, request_id, round, step').all(actorId) as any[];
    return rows.map(decisionFromRow);
  }

  async listAudit(entityId: string): Promise<AuditEntry[]> {
    const rows = this.db.prepare('SELECT * FROM audit WHERE entity_id = ? ORDER BY seq').all(entityId) as AuditRow[];
    return rows.map(entryFromRow);
  }

  async listAuditByActor(actorId: string): Promise<AuditEntry[]> {
    const rows = this.db.prepare('SELECT * FROM audit WHERE actor_id = ? ORDER BY seq').all(actorId) as AuditRow[];
    return rows.map(entryFromRow);
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    this.db.transaction(() => {
      if (!this.db.prepare('SELECT 1 FROM audit WHERE id = ?').get(entry.id)) insertAudit(this.db, entry);
    })();
  }

  async listAccounts(): Promise<RegisteredAccount[]> {
    const rows = this.db.prepare('SELECT data FROM accounts ORDER BY approved_at').all() as { data: string }[];
    return rows.map((r) => JSON.parse(r.data));
  }

  async listAccountVersions(): Promise<Versioned<RegisteredAccount>[]> {
    const rows = this.db.prepare('SELECT data, etag FROM accounts ORDER BY approved_at').all() as { data: string; etag: number }[];
    return rows.map((r) => ({ value: JSON.parse(r.data), etag: String(r.etag) }));
  }

  async getAccount(id: string): Promise<Versioned<RegisteredAccount> | undefined> {
    const row = this.db.prepare('SELECT data, etag FROM accounts WHERE id = ?').get(id) as { data: string; etag: number } | undefined;
    return row ? { value: JSON.parse(row.data), etag: String(row.etag) } : undefined;
  }

  async saveAccountChange(change: AccountChange): Promise<Versioned<RegisteredAccount>> {
    const a = change.account;
    const expected = Number(change.expectedEtag);
    const next = expected + 1;
    this.db.transaction(() => {
      const res = Number.isInteger(expected) ? this.db.prepare('UPDATE accounts SET data = ?, etag = ? WHERE id = ? AND etag = ?').run(JSON.stringify(a), next, a.id, expected) : { changes: 0 };
      if (res.changes === 0) throw new ConflictError('account', a.id);
      insertAudit(this.db, change.audit);
    })();
    return { value: a, etag: String(next) };
  }

  async saveConversation(c: ConversationAddress): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO conversations (user_id, conversation_id, service_url, tenant_id, reference, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(user_id) DO UPDATE SET conversation_id = excluded.conversation_id, service_url = excluded.service_url,
           tenant_id = excluded.tenant_id, reference = excluded.reference, updated_at = excluded.updated_at`,
      )
      .run(c.userId, c.conversationId, c.serviceUrl, c.tenantId, c.reference, c.updatedAt);
  }

  async getConversation(userId: string): Promise<ConversationAddress | undefined> {
    const c = this.db.prepare('SELECT * FROM conversations WHERE user_id = ?').get(userId) as any;
    return c
      ? { userId: c.user_id, conversationId: c.conversation_id, serviceUrl: c.service_url, tenantId: c.tenant_id, reference: c.reference, updatedAt: c.updated_at }
      : undefined;
  }

  async saveTeam(t: TeamAddress): Promise<void> {
    this.db
      .prepare('INSERT INTO teams (team_id, name, data) VALUES (?, ?, ?) ON CONFLICT(team_id) DO UPDATE SET name = excluded.name, data = excluded.data')
      .run(t.teamId, t.name, JSON.stringify(t));
  }

  async getTeam(teamId: string): Promise<TeamAddress | undefined> {
    const row = this.db.prepare('SELECT data FROM teams WHERE team_id = ?').get(teamId) as { data: string } | undefined;
    return row ? (JSON.parse(row.data) as TeamAddress) : undefined;
  }

  async listTeams(): Promise<TeamAddress[]> {
    return (this.db.prepare('SELECT data FROM teams ORDER BY name, team_id').all() as Array<{ data: string }>).map((r) => JSON.parse(r.data) as TeamAddress);
  }

  async recordSentCard(s: SentCard): Promise<void> {
    this.db
      .prepare('INSERT OR REPLACE INTO sent_cards (request_id, user_id, conversation_id, activity_id, purpose, sent_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(s.requestId, s.userId, s.conversationId, s.activityId, s.purpose, s.sentAt);
  }

  async listSentCards(requestId: string): Promise<SentCard[]> {
    const rows = this.db.prepare('SELECT * FROM sent_cards WHERE request_id = ? ORDER BY sent_at').all(requestId) as any[];
    return rows.map((s) => ({
      requestId: s.request_id,
      userId: s.user_id,
      conversationId: s.conversation_id,
      activityId: s.activity_id,
      purpose: s.purpose,
      sentAt: s.sent_at,
    }));
  }

  async getStaff(id: string): Promise<StaffMember | undefined> {
    const s = this.db.prepare('SELECT * FROM staff WHERE id = ?').get(id) as any;
    return s ? staffFromRow(s) : undefined;
  }

  async listStaff(): Promise<StaffMember[]> {
    const rows = this.db.prepare('SELECT * FROM staff ORDER BY name').all() as any[];
    return rows.map(staffFromRow);
  }

  async listStaffPage(after: string, limit: number): Promise<StaffMember[]> {
    const rows = this.db.prepare('SELECT * FROM staff WHERE id > ? ORDER BY id LIMIT ?').all(after, limit) as any[];
    return rows.map(staffFromRow);
  }

  async listRoleHolders(): Promise<StaffMember[]> {
    return (this.db.prepare("SELECT * FROM staff WHERE roles <> '[]' ORDER BY name").all() as any[]).map(staffFromRow);
  }

  async getStaffByEmail(email: string): Promise<StaffMember | undefined> {
    const s = this.db.prepare('SELECT * FROM staff WHERE email = ? COLLATE NOCASE LIMIT 1').get(email.trim()) as any;
    return s ? staffFromRow(s) : undefined;
  }

  async setStaffRoles(id: string, roles: SchoolRole[], audit: AuditEntry): Promise<StaffMember | undefined> {
    return this.db.transaction(() => {
      const changed = this.db.prepare('UPDATE staff SET roles = ? WHERE id = ?').run(JSON.stringify(roles), id).changes;
      if (!changed) return undefined;
      if (!this.db.prepare('SELECT 1 FROM audit WHERE id = ?').get(audit.id)) insertAudit(this.db, audit);
      return staffFromRow(this.db.prepare('SELECT * FROM staff WHERE id = ?').get(id));
    })();
  }

  async upsertStaff(staff: StaffMember[]): Promise<void> {
    const stmt = this.db.prepare(
      `INSERT INTO staff (id, name, email, department, job_title, roles, school_id, joined_on, left_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET name = excluded.name, email = excluded.email, department = excluded.department,
         job_title = excluded.job_title, roles = excluded.roles, school_id = excluded.school_id,
         joined_on = excluded.joined_on, left_on = excluded.left_on`,
    );
    this.db.transaction(() => {
      for (const s of staff) stmt.run(s.id, s.name, s.email, s.department, s.jobTitle, JSON.stringify(s.roles), s.schoolId, s.joinedOn ?? null, s.leftOn ?? null);
    })();
  }

  async saveRoster(records: RosterRecord[]): Promise<void> {
    // Every column but roles: an existing row keeps the roles assigned in Countersign; a new one starts with none.
    const stmt = this.db.prepare(
      `INSERT INTO staff (id, name, email, department, job_title, roles, school_id, joined_on, left_on) VALUES (?, ?, ?, ?, ?, '[]', ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET name = excluded.name, email = excluded.email, department = excluded.department,
         job_title = excluded.job_title, school_id = excluded.school_id, joined_on = excluded.joined_on, left_on = excluded.left_on`,
    );
    this.db.transaction(() => {
      for (const s of records) stmt.run(s.id, s.name, s.email, s.department, s.jobTitle, s.schoolId, s.joinedOn ?? null, s.leftOn ?? null);
    })();
  }

  async getSyncState(name: string): Promise<string | undefined> {
    return (this.db.prepare('SELECT value FROM meta WHERE key = ?').get(`sync:${name}`) as { value: string } | undefined)?.value;
  }

  async saveSyncState(name: string, value: string | undefined): Promise<void> {
    if (value === undefined) this.db.prepare('DELETE FROM meta WHERE key = ?').run(`sync:${name}`);
    else this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(`sync:${name}`, value);
  }
}

function decisionFromRow(d: any): DecisionRecord {
  return {
    id: d.id,
    schoolId: d.school_id,
    requestId: d.request_id,
    round: d.round,
    step: d.step,
    role: d.role,
    outcome: d.outcome,
    actorId: d.actor_id,
    actorName: d.actor_name,
    signature: d.signature,
    comment: d.comment,
    at: d.at,
  };
}

function staffFromRow(s: any): StaffMember {
  return {
    id: s.id,
    schoolId: s.school_id,
    name: s.name,
    email: s.email,
    department: s.department,
    jobTitle: s.job_title,
    roles: JSON.parse(s.roles),
    ...(s.joined_on ? { joinedOn: s.joined_on } : {}),
    ...(s.left_on ? { leftOn: s.left_on } : {}),
  };
}
