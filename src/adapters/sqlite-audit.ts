import type Database from 'better-sqlite3';
import type { AuditEntry } from '../ports/store';

export function insertAudit(db: Database.Database, a: AuditEntry) {
  db.prepare(
    `INSERT INTO audit (id, entity_type, entity_id, actor_id, actor_name, action, at, before, after, school_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(a.id, a.entityType, a.entityId, a.actorId, a.actorName, a.action, a.at, a.before, a.after, a.schoolId);
}
