import type Database from 'better-sqlite3';
import type { Declaration } from '../domain/declaration.workflow';
import type { Policy, PolicyVersion } from '../domain/policy';
import type { PolicyStore } from '../ports/policy-store';
import type { AuditEntry } from '../ports/store';
import { insertAudit } from './sqlite-audit';
import { importedEntry } from './audit-entries';

export class SqlitePolicyStore implements PolicyStore {
  constructor(private readonly db: Database.Database) {}

  async publishVersion(policy: Policy, v: PolicyVersion): Promise<void> {
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO policies (id, name, school_id) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET name = excluded.name')
        .run(policy.id, policy.name, policy.schoolId);
      // INSERT only: a published version is frozen, so a second publish of the same id is ignored.
      this.db
        .prepare('INSERT OR IGNORE INTO policy_versions (id, policy_id, effective_date, published_at, content_hash, data, school_id) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(v.id, v.policyId, v.effectiveDate, v.publishedAt, v.contentHash, JSON.stringify(v), v.schoolId);
    })();
  }

  async listPolicies(): Promise<Policy[]> {
    return this.db.prepare('SELECT id, school_id AS schoolId, name FROM policies ORDER BY name').all() as Policy[];
  }

  async listVersions(policyId: string): Promise<PolicyVersion[]> {
    const rows = this.db.prepare('SELECT data FROM policy_versions WHERE policy_id = ? ORDER BY effective_date, published_at').all(policyId) as { data: string }[];
    return rows.map((r) => JSON.parse(r.data));
  }

  async getVersion(id: string): Promise<PolicyVersion | undefined> {
    const row = this.db.prepare('SELECT data FROM policy_versions WHERE id = ?').get(id) as { data: string } | undefined;
    return row ? JSON.parse(row.data) : undefined;
  }

  async getDeclaration(signerId: string, versionId: string): Promise<Declaration | undefined> {
    const row = this.db.prepare('SELECT data FROM declarations WHERE signer_id = ? AND version_id = ?').get(signerId, versionId) as { data: string } | undefined;
    return row ? JSON.parse(row.data) : undefined;
  }

  async signedAmong(versionId: string, userIds: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    // Chunks of 500 stay far below SQLite's limit on bound parameters.
    for (let i = 0; i < userIds.length; i += 500) {
      const ids = userIds.slice(i, i + 500);
      const rows = this.db
        .prepare(`SELECT signer_id, signed_at FROM declarations WHERE version_id = ? AND signer_id IN (${ids.map(() => '?').join(',')})`)
        .all(versionId, ...ids) as { signer_id: string; signed_at: string }[];
      for (const r of rows) out.set(r.signer_id, r.signed_at);
    }
    return out;
  }

  async saveDeclaration(d: Declaration, audit: AuditEntry): Promise<{ stored: Declaration; created: boolean }> {
    return this.db.transaction(() => {
      const res = this.db
        .prepare('INSERT OR IGNORE INTO declarations (id, signer_id, version_id, policy_id, campaign_id, signed_at, data, school_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(d.id, d.signerId, d.versionId, d.policyId, d.campaignId, d.signedAt, JSON.stringify(d), d.schoolId);
      if (res.changes === 0) {
        const row = this.db.prepare('SELECT data FROM declarations WHERE signer_id = ? AND version_id = ?').get(d.signerId, d.versionId) as { data: string };
        return { stored: JSON.parse(row.data) as Declaration, created: false };
      }
      insertAudit(this.db, audit, { kind: 'declaration', id: d.id });
      return { stored: d, created: true };
    })();
  }

  async importDeclarations(ds: Declaration[], audit: AuditEntry): Promise<{ created: number; skipped: number }> {
    return this.db.transaction(() => {
      const stmt = this.db.prepare(
        'INSERT OR IGNORE INTO declarations (id, signer_id, version_id, policy_id, campaign_id, signed_at, data, school_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      );
      let created = 0;
      for (const d of ds) {
        if (!stmt.run(d.id, d.signerId, d.versionId, d.policyId, d.campaignId, d.signedAt, JSON.stringify(d), d.schoolId).changes) continue;
        created++;
        insertAudit(this.db, importedEntry(audit, d), { kind: 'declaration', id: d.id });
      }
      insertAudit(this.db, audit);
      return { created, skipped: ds.length - created };
    })();
  }

  async listDeclarationsBySigner(signerId: string): Promise<Declaration[]> {
    const rows = this.db.prepare('SELECT data FROM declarations WHERE signer_id = ? ORDER BY signed_at').all(signerId) as { data: string }[];
    return rows.map((r) => JSON.parse(r.data));
  }

  async recordOpen(userId: string, versionId: string, at: string): Promise<void> {
    this.db.prepare('INSERT OR IGNORE INTO policy_opens (user_id, version_id, first_at) VALUES (?, ?, ?)').run(userId, versionId, at);
  }

  async hasOpened(userId: string, versionId: string): Promise<boolean> {
    return !!this.db.prepare('SELECT 1 FROM policy_opens WHERE user_id = ? AND version_id = ?').get(userId, versionId);
  }
}
