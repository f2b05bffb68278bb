import type Database from 'better-sqlite3';
import { contentText } from '../domain/audit-chain';
import { ANONYMISED_NAME, emptyPlan, type RetentionCutoffs, type RetentionPlan } from '../domain/retention';
import type { RetentionCheckpoint, RetentionOutcome, RetentionStore } from '../ports/retention-store';
import { entryFromRow, insertAudit, type AuditRow } from './sqlite-audit';
import { nodeHasher } from './node-crypto';

/**
 * Retention in SQLite: one transaction per school removes what is due, anonymises leavers' staff records,
 * blanks the audit entries about what went (keeping each one's content hash, so the chain still verifies),
 * stores the signed checkpoint that names them, and appends the entry that says what was removed.
 */
export class SqliteRetention implements RetentionStore {
  constructor(private readonly db: Database.Database) {}

  async plan(c: RetentionCutoffs): Promise<RetentionPlan> {
    const p = emptyPlan();
    const left = (before: string) => this.db.prepare('SELECT id, school_id, left_on FROM staff WHERE left_on IS NOT NULL AND left_on < ? ORDER BY id').all(before) as { id: string; school_id: string | null; left_on: string }[];
    for (const s of left(c.declarationsLeftBefore)) {
      for (const d of this.db.prepare('SELECT id, data, school_id FROM declarations WHERE signer_id = ? ORDER BY signed_at').all(s.id) as { id: string; data: string; school_id: string | null }[]) {
        const v = JSON.parse(d.data) as { versionLabel?: string; signedAt?: string };
        p.declarations.push({ id: d.id, schoolId: d.school_id ?? '', signerId: s.id, versionLabel: v.versionLabel ?? '', signedAt: v.signedAt ?? '' });
      }
    }
    for (const s of left(c.campaignRecordsLeftBefore)) {
      for (const r of this.db.prepare('SELECT campaign_id, school_id FROM recipients WHERE user_id = ? ORDER BY campaign_id').all(s.id) as { campaign_id: string; school_id: string | null }[]) {
        p.campaignRecords.push({ campaignId: r.campaign_id, userId: s.id, schoolId: r.school_id ?? '' });
      }
    }
    // Already anonymised: nothing left to take.
    for (const s of left(c.staffLeftBefore)) {
      const row = this.db.prepare('SELECT name FROM staff WHERE id = ?').get(s.id) as { name: string };
      if (row.name !== ANONYMISED_NAME) p.staff.push({ id: s.id, schoolId: s.school_id ?? '', leftOn: s.left_on });
    }
    for (const r of this.db.prepare("SELECT id, reference, status, updated_at, school_id FROM requests WHERE status IN ('rejected', 'withdrawn') AND updated_at < ? ORDER BY updated_at").all(c.unsuccessfulRequestsBefore) as { id: string; reference: string; status: string; updated_at: string; school_id: string | null }[]) {
      p.requests.push({ id: r.id, schoolId: r.school_id ?? '', reference: r.reference, status: r.status, updatedAt: r.updated_at });
    }
    return p;
  }

  async apply(plan: RetentionPlan, o: { at: string; newId: () => string; sign: (data: string) => string }): Promise<RetentionOutcome[]> {
    const schools = [...new Set([...plan.declarations, ...plan.campaignRecords, ...plan.staff, ...plan.requests].map((x) => x.schoolId))].sort();
    return schools.map((schoolId) => this.db.transaction(() => this.applySchool(schoolId, plan, o))());
  }

  private applySchool(schoolId: string, plan: RetentionPlan, o: { at: string; newId: () => string; sign: (data: string) => string }): RetentionOutcome {
    const mine = <T extends { schoolId: string }>(xs: T[]) => xs.filter((x) => x.schoolId === schoolId);
    const declarations = mine(plan.declarations).map((d) => d.id);
    const requests = mine(plan.requests).map((r) => r.id);
    const staff = mine(plan.staff).map((s) => s.id);
    const decisions = requests.flatMap((id) => (this.db.prepare('SELECT id FROM decisions WHERE request_id = ?').all(id) as { id: string }[]).map((d) => d.id));

    // The entries about what goes: about the record itself, linking it, or about the anonymised person's staff record.
    const about = new Map<number, AuditRow>();
    const collect = (sql: string, ids: string[]) => {
      for (const id of ids) for (const r of this.db.prepare(sql).all(id, schoolId) as AuditRow[]) if (r.chain_seq !== null && !r.redacted_in) about.set(r.seq, r);
    };
    collect('SELECT * FROM audit WHERE entity_id = ? AND school_id = ?', [...declarations, ...requests]);
    collect("SELECT * FROM audit WHERE record_id = ? AND record_kind IS NOT NULL AND school_id = ?", [...declarations, ...decisions]);
    collect("SELECT * FROM audit WHERE entity_id = ? AND entity_type = 'staff' AND school_id = ?", staff);

    const checkpointId = o.newId();
    const head = (this.db.prepare('SELECT count, hash FROM audit_heads WHERE school_id = ?').get(schoolId) as { count: number; hash: string } | undefined) ?? { count: 0, hash: '' };
    const redacted = [...about.values()]
      .sort((a, b) => a.chain_seq! - b.chain_seq!)
      .map((r) => {
        const e = entryFromRow(r);
        const record = e.record ? { kind: e.record.kind, id: e.record.id, hash: e.record.hash ?? '' } : null;
        return { row: r, seq: r.chain_seq!, id: r.id, contentHash: nodeHasher.sha256(contentText(e, record)) };
      });
    const checkpoint: RetentionCheckpoint = { id: checkpointId, schoolId, at: o.at, head, redacted: redacted.map(({ seq, id, contentHash }) => ({ seq, id, contentHash })) };
    const data = JSON.stringify(checkpoint);
    this.db.prepare('INSERT INTO audit_checkpoints (id, school_id, at, data, mac) VALUES (?, ?, ?, ?, ?)').run(checkpointId, schoolId, o.at, data, o.sign(data));
    const blank = this.db.prepare("UPDATE audit SET actor_id = '', actor_name = '', entity_id = '', before = NULL, after = NULL, content_hash = ?, redacted_in = ? WHERE seq = ?");
    for (const r of redacted) blank.run(r.contentHash, checkpointId, r.row.seq);

    const del = (sql: string, ids: string[]) => ids.reduce((n, id) => n + this.db.prepare(sql).run(id).changes, 0);
    const removedDecisions = del('DELETE FROM decisions WHERE id = ?', decisions);
    const removedRequests = del('DELETE FROM requests WHERE id = ?', requests);
    del('DELETE FROM sent_cards WHERE request_id = ?', requests);
    const removedDeclarations = del('DELETE FROM declarations WHERE id = ?', declarations);
    let removedRecipients = 0;
    for (const r of mine(plan.campaignRecords)) removedRecipients += this.db.prepare('DELETE FROM recipients WHERE campaign_id = ? AND user_id = ?').run(r.campaignId, r.userId).changes;
    let anonymised = 0;
    for (const id of staff) anonymised += this.db.prepare("UPDATE staff SET name = ?, email = '', job_title = '', department = '', roles = '[]' WHERE id = ?").run(ANONYMISED_NAME, id).changes;

    const outcome: RetentionOutcome = {
      checkpointId,
      removed: { declarations: removedDeclarations, campaignRecords: removedRecipients, requests: removedRequests, decisions: removedDecisions },
      anonymised: { staff: anonymised },
      redactedEntries: redacted.length,
    };
    // What was removed, in counts only: the entry must not bring back the personal data it records the removal of.
    insertAudit(this.db, { id: `retention-${checkpointId}`, schoolId, entityType: 'staff', entityId: '', actorId: 'countersign', actorName: 'Countersign retention', action: 'retention.applied', at: o.at, before: null, after: JSON.stringify(outcome) });
    return outcome;
  }
}
