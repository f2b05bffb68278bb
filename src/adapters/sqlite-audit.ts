import type Database from 'better-sqlite3';
import { decisionText, declarationText, emptyHead, sealEntry, type ChainHead, type LinkedRecordKind } from '../domain/audit-chain';
import type { AuditTrail, StoredRecord } from '../ports/audit-trail';
import type { AuditEntry } from '../ports/store';
import { nodeHasher } from './node-crypto';

/**
 * The audit trail in SQLite: every entry is sealed into its school's hash chain inside the transaction that
 * writes it, so there is never an unsealed entry and the head always matches the last entry.
 */

const sha256 = nodeHasher.sha256;

function readHead(db: Database.Database, schoolId: string): ChainHead {
  const row = db.prepare('SELECT count, hash FROM audit_heads WHERE school_id = ?').get(schoolId) as { count: number; hash: string } | undefined;
  return row ? { schoolId, count: row.count, hash: row.hash } : emptyHead(schoolId);
}

/** The canonical text of a decision or declaration as it is stored now; undefined if it is not there. */
export function storedRecordText(db: Database.Database, kind: LinkedRecordKind, id: string): string | undefined {
  if (kind === 'decision') {
    const r = db.prepare('SELECT * FROM decisions WHERE id = ?').get(id) as DecisionRow | undefined;
    return r && decisionText(decisionFromRow(r));
  }
  const r = db.prepare('SELECT data, school_id FROM declarations WHERE id = ?').get(id) as { data: string; school_id: string | null } | undefined;
  return r && declarationText({ ...JSON.parse(r.data), schoolId: r.school_id ?? '' });
}

interface DecisionRow {
  id: string;
  school_id: string | null;
  request_id: string;
  round: number;
  step: number;
  role: string;
  outcome: string;
  actor_id: string;
  actor_name: string;
  signature: string;
  comment: string;
  at: string;
}

function decisionFromRow(r: DecisionRow) {
  return {
    id: r.id,
    schoolId: r.school_id ?? '',
    requestId: r.request_id,
    round: r.round,
    step: r.step,
    role: r.role,
    outcome: r.outcome as 'approved',
    actorId: r.actor_id,
    actorName: r.actor_name,
    signature: r.signature,
    comment: r.comment,
    at: r.at,
  };
}

/**
 * Appends an entry, sealed after its school's head. Must run inside the caller's transaction, after the
 * record it links (if any) was written: the record's hash is taken from the row as stored.
 */
export function insertAudit(db: Database.Database, a: AuditEntry, record?: { kind: LinkedRecordKind; id: string }) {
  const schoolId = a.schoolId ?? '';
  const head = readHead(db, schoolId);
  const text = record && storedRecordText(db, record.kind, record.id);
  const link = record && text !== undefined ? { kind: record.kind, id: record.id, hash: sha256(text) } : null;
  const sealed = sealEntry(sha256, head, { ...a, schoolId }, link);
  db.prepare(
    `INSERT INTO audit (id, entity_type, entity_id, actor_id, actor_name, action, at, before, after, school_id, chain_seq, prev_hash, hash, record_kind, record_id, record_hash)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(a.id, a.entityType, a.entityId, a.actorId, a.actorName, a.action, a.at, a.before, a.after, schoolId, sealed.link.seq, sealed.link.prevHash, sealed.link.hash, link?.kind ?? null, link?.id ?? null, link?.hash ?? null);
  db.prepare('INSERT INTO audit_heads (school_id, count, hash) VALUES (?, ?, ?) ON CONFLICT(school_id) DO UPDATE SET count = excluded.count, hash = excluded.hash').run(
    schoolId,
    sealed.head.count,
    sealed.head.hash,
  );
}

/**
 * Once, when the chain columns arrive: entries written before are sealed in the order they were written, and
 * each decision or signature no entry links yet gets an entry that links it ("record.linked", by Countersign),
 * so the verifier finds every record in the chain. Never run again: afterwards a record with no entry is a finding.
 */
export function sealLegacyAudit(db: Database.Database, at: string) {
  const rows = db.prepare('SELECT * FROM audit WHERE chain_seq IS NULL ORDER BY seq').all() as AuditRow[];
  for (const r of rows) {
    const schoolId = r.school_id ?? '';
    const sealed = sealEntry(sha256, readHead(db, schoolId), { ...entryFromRow(r), schoolId }, null);
    db.prepare('UPDATE audit SET school_id = ?, chain_seq = ?, prev_hash = ?, hash = ? WHERE seq = ?').run(schoolId, sealed.link.seq, sealed.link.prevHash, sealed.link.hash, r.seq);
    db.prepare('INSERT INTO audit_heads (school_id, count, hash) VALUES (?, ?, ?) ON CONFLICT(school_id) DO UPDATE SET count = excluded.count, hash = excluded.hash').run(
      schoolId,
      sealed.head.count,
      sealed.head.hash,
    );
  }
  const link = (kind: LinkedRecordKind, id: string, schoolId: string, entityType: AuditEntry['entityType'], entityId: string) =>
    insertAudit(db, { id: `linked-${kind}-${id}`, schoolId, entityType, entityId, actorId: 'countersign', actorName: 'Countersign', action: 'record.linked', at, before: null, after: null }, { kind, id });
  for (const d of db.prepare('SELECT id, school_id, request_id FROM decisions ORDER BY at, id').all() as { id: string; school_id: string | null; request_id: string }[]) link('decision', d.id, d.school_id ?? '', 'request', d.request_id);
  for (const d of db.prepare('SELECT id, school_id FROM declarations ORDER BY signed_at, id').all() as { id: string; school_id: string | null }[]) link('declaration', d.id, d.school_id ?? '', 'declaration', d.id);
}

export interface AuditRow {
  seq: number;
  id: string;
  school_id: string | null;
  entity_type: string;
  entity_id: string;
  actor_id: string;
  actor_name: string;
  action: string;
  at: string;
  before: string | null;
  after: string | null;
  chain_seq: number | null;
  prev_hash: string | null;
  hash: string | null;
  record_kind: string | null;
  record_id: string | null;
  record_hash: string | null;
  content_hash?: string | null;
  redacted_in?: string | null;
}

export function entryFromRow(r: AuditRow): AuditEntry {
  const e: AuditEntry = {
    id: r.id,
    schoolId: r.school_id ?? '',
    entityType: r.entity_type as AuditEntry['entityType'],
    entityId: r.entity_id,
    actorId: r.actor_id,
    actorName: r.actor_name,
    action: r.action,
    at: r.at,
    before: r.before,
    after: r.after,
  };
  if (r.record_kind && r.record_id) e.record = { kind: r.record_kind as LinkedRecordKind, id: r.record_id, ...(r.record_hash ? { hash: r.record_hash } : {}) };
  if (r.chain_seq !== null && r.hash !== null) e.chain = { seq: r.chain_seq, prevHash: r.prev_hash ?? '', hash: r.hash };
  if (r.redacted_in) e.redaction = { contentHash: r.content_hash ?? '', checkpointId: r.redacted_in };
  return e;
}

/** Reading the chain: iterate() streams rows, so a million entries never sit in memory at once. */
export class SqliteAuditTrail implements AuditTrail {
  constructor(private readonly db: Database.Database) {}

  async schools(): Promise<string[]> {
    const rows = this.db.prepare("SELECT school_id AS s FROM audit_heads UNION SELECT DISTINCT COALESCE(school_id, '') FROM audit").all() as { s: string }[];
    return rows.map((r) => r.s).sort();
  }

  async head(schoolId: string): Promise<ChainHead | undefined> {
    const row = this.db.prepare('SELECT count, hash FROM audit_heads WHERE school_id = ?').get(schoolId) as { count: number; hash: string } | undefined;
    return row && { schoolId, count: row.count, hash: row.hash };
  }

  /**
   * Pages by (chain_seq, seq) rather than one open cursor: the connection stays free for the server's own
   * writes between pages, and a million entries never sit in memory at once.
   */
  async *chain(schoolId: string): AsyncIterable<AuditEntry> {
    const page = this.db.prepare(
      "SELECT * FROM audit WHERE school_id = ? AND chain_seq IS NOT NULL AND (chain_seq > ? OR (chain_seq = ? AND seq > ?)) ORDER BY chain_seq, seq LIMIT 5000",
    );
    for (let at = { c: Number.MIN_SAFE_INTEGER, s: 0 }; ; ) {
      const rows = page.all(schoolId, at.c, at.c, at.s) as AuditRow[];
      for (const r of rows) yield entryFromRow(r);
      if (rows.length < 5000) return;
      const last = rows[rows.length - 1]!;
      at = { c: last.chain_seq!, s: last.seq };
    }
  }

  async *unsealed(schoolId: string): AsyncIterable<AuditEntry> {
    const it = this.db.prepare("SELECT * FROM audit WHERE COALESCE(school_id, '') = ? AND (chain_seq IS NULL OR hash IS NULL) ORDER BY seq").iterate(schoolId) as IterableIterator<AuditRow>;
    for (const r of it) yield entryFromRow(r);
  }

  async *records(): AsyncIterable<StoredRecord> {
    // The newest sealed entry naming the record, if several do (only tampering makes several).
    const linkOf = this.db.prepare('SELECT chain_seq, record_hash FROM audit WHERE record_kind = ? AND record_id = ? AND chain_seq IS NOT NULL ORDER BY chain_seq DESC LIMIT 1');
    const link = (kind: string, id: string) => {
      const l = linkOf.get(kind, id) as { chain_seq: number; record_hash: string | null } | undefined;
      return l ? { seq: l.chain_seq, recordHash: l.record_hash ?? '' } : null;
    };
    // Two statements cannot iterate at once on one connection while a third runs, so the records are read in pages.
    for (let after = ''; ; ) {
      const page = this.db.prepare('SELECT * FROM decisions WHERE id > ? ORDER BY id LIMIT 1000').all(after) as DecisionRow[];
      for (const r of page) yield { kind: 'decision', id: r.id, schoolId: r.school_id ?? '', text: decisionText(decisionFromRow(r)), link: link('decision', r.id) };
      if (page.length < 1000) break;
      after = page[page.length - 1]!.id;
    }
    for (let after = ''; ; ) {
      const page = this.db.prepare('SELECT id, data, school_id FROM declarations WHERE id > ? ORDER BY id LIMIT 1000').all(after) as { id: string; data: string; school_id: string | null }[];
      for (const r of page) {
        let text: string;
        try {
          text = declarationText({ ...JSON.parse(r.data), schoolId: r.school_id ?? '' });
        } catch {
          // Damaged JSON is a finding (its text matches no hash), not a crash.
          text = r.data;
        }
        yield { kind: 'declaration', id: r.id, schoolId: r.school_id ?? '', text, link: link('declaration', r.id) };
      }
      if (page.length < 1000) break;
      after = page[page.length - 1]!.id;
    }
  }

  async seal(): Promise<number> {
    return 0;
  }

  async checkpoint(id: string): Promise<{ data: string; mac: string } | undefined> {
    return this.db.prepare('SELECT data, mac FROM audit_checkpoints WHERE id = ?').get(id) as { data: string; mac: string } | undefined;
  }

  async entryFor(kind: LinkedRecordKind, id: string): Promise<AuditEntry | undefined> {
    const r = this.db.prepare('SELECT * FROM audit WHERE record_kind = ? AND record_id = ? AND chain_seq IS NOT NULL ORDER BY chain_seq DESC LIMIT 1').get(kind, id) as AuditRow | undefined;
    return r && entryFromRow(r);
  }
}
