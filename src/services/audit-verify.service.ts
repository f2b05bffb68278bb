import { contentText, GENESIS_HASH, linkText, type Sha256 } from '../domain/audit-chain';
import type { AuditTrail } from '../ports/audit-trail';
import type { AuditEntry } from '../ports/store';

/**
 * Walks every school's audit chain and every decision and signature, and reports what no longer holds.
 * Reports rather than throws: damaged data is what it exists to describe.
 */

export type FindingCode =
  /** An entry's content no longer matches its own hash: it was edited. */
  | 'AUDIT.ENTRY_ALTERED'
  /** An entry does not follow the one before it: entries were removed, inserted or reordered. */
  | 'AUDIT.LINK_BROKEN'
  /** Two entries claim the same place. */
  | 'AUDIT.DUPLICATE_PLACE'
  /** The stored head disagrees with the chain's last entry: entries were removed from the end (or added after it). */
  | 'AUDIT.HEAD_MISMATCH'
  /** An entry outside the chain, older than sealing takes. */
  | 'AUDIT.UNSEALED'
  /** A decision or signature no longer matches the hash its audit entry holds. */
  | 'AUDIT.RECORD_ALTERED'
  /** A decision or signature that no audit entry records. */
  | 'AUDIT.RECORD_UNLINKED'
  /** An entry blanked by retention that no valid signed checkpoint vouches for. */
  | 'AUDIT.REDACTION_UNSIGNED'
  /** Part of the store could not be read. */
  | 'AUDIT.UNREADABLE';

export interface Finding {
  code: FindingCode;
  schoolId: string;
  /** The chain position concerned, where there is one. */
  seq?: number;
  /** The audit entry, decision or signature concerned. */
  id?: string;
  message: string;
}

export interface SchoolSummary {
  schoolId: string;
  entries: number;
  head: { count: number; hash: string } | null;
  lastHash: string;
}

export interface VerifyReport {
  schools: SchoolSummary[];
  records: number;
  findings: Finding[];
  /** Findings beyond those kept in `findings`, by code: a wrecked store reports counts, not a million lines. */
  notListed: number;
  ok: boolean;
}

export interface VerifyOptions {
  sha256: Sha256;
  now: Date;
  /** How long an entry may wait outside the chain before it is a finding: 0 for SQLite (sealed as written), minutes for SharePoint. */
  sealingGraceMs: number;
  /** At most this many findings are listed; the rest are counted. */
  maxListed?: number;
  /** Checks a retention checkpoint's signature with the server's key; without it, no blanked entry can be vouched for. */
  verifyCheckpoint?: (data: string, mac: string) => boolean;
  /** Called every so many entries with the count so far, for a progress line. */
  progress?: (entries: number) => void;
}

export async function verifyAuditTrail(trail: AuditTrail, o: VerifyOptions): Promise<VerifyReport> {
  const max = o.maxListed ?? 200;
  const findings: Finding[] = [];
  let notListed = 0;
  const report = (f: Finding) => (findings.length < max ? findings.push(f) : notListed++);
  const schools: SchoolSummary[] = [];
  let walked = 0;

  const checkpoints = new Map<string, Promise<Map<string, { seq: number; contentHash: string }> | undefined>>();
  /** A blanked entry is vouched for by the checkpoint it names: signed with the server's key, and listing it as it is. */
  const vouched = async (e: AuditEntry, seq: number): Promise<boolean> => {
    const id = e.redaction!.checkpointId;
    if (!checkpoints.has(id)) {
      checkpoints.set(
        id,
        trail.checkpoint(id).then((cp) => {
          if (!cp || !o.verifyCheckpoint?.(cp.data, cp.mac)) return undefined;
          const parsed = JSON.parse(cp.data) as { redacted?: Array<{ seq: number; id: string; contentHash: string }> };
          return new Map((parsed.redacted ?? []).map((r) => [r.id, r]));
        }),
      );
    }
    const listed = (await checkpoints.get(id)!.catch(() => undefined))?.get(e.id);
    return !!listed && listed.seq === seq && listed.contentHash === e.redaction!.contentHash;
  };

  for (const schoolId of await trail.schools()) {
    const summary: SchoolSummary = { schoolId, entries: 0, head: null, lastHash: GENESIS_HASH };
    schools.push(summary);
    let prev = { seq: 0, hash: GENESIS_HASH };
    let linkReported = false;
    try {
      for await (const e of trail.chain(schoolId)) {
        summary.entries++;
        if (++walked % 100_000 === 0) o.progress?.(walked);
        const c = e.chain!;
        if (c.seq === prev.seq && summary.entries > 1) {
          report({ code: 'AUDIT.DUPLICATE_PLACE', schoolId, seq: c.seq, id: e.id, message: `Entry ${e.id} claims place ${c.seq}, which another entry holds: an entry was inserted.` });
          continue;
        }
        const contentHash = e.redaction ? e.redaction.contentHash : o.sha256(contentText(e, recordOf(e)));
        if (e.redaction && !(await vouched(e, c.seq))) {
          report({ code: 'AUDIT.REDACTION_UNSIGNED', schoolId, seq: c.seq, id: e.id, message: `Entry ${c.seq} (${e.id}) was blanked, but no signed retention checkpoint names it: its content was removed outside Countersign.` });
        }
        if (o.sha256(linkText(c.seq, c.prevHash, contentHash)) !== c.hash) {
          report({ code: 'AUDIT.ENTRY_ALTERED', schoolId, seq: c.seq, id: e.id, message: `Entry ${c.seq} (${e.id}, "${e.action}") no longer matches its hash: it was changed after it was written.` });
        }
        if (!linkReported && (c.seq !== prev.seq + 1 || c.prevHash !== prev.hash)) {
          linkReported = true;
          report({ code: 'AUDIT.LINK_BROKEN', schoolId, seq: c.seq, id: e.id, message: brokenLink(prev, c) });
        }
        prev = { seq: c.seq, hash: c.hash };
      }
      summary.lastHash = prev.hash;
      const head = await trail.head(schoolId);
      summary.head = head ? { count: head.count, hash: head.hash } : null;
      if (!head && prev.seq > 0) {
        report({ code: 'AUDIT.HEAD_MISMATCH', schoolId, message: `The chain has ${prev.seq} entries but no stored head: the head was removed.` });
      } else if (head && head.count !== prev.seq) {
        report({
          code: 'AUDIT.HEAD_MISMATCH',
          schoolId,
          seq: prev.seq,
          message:
            head.count > prev.seq
              ? `The head records ${head.count} entries but the chain ends at ${prev.seq}: ${head.count - prev.seq} entries were removed from the end.`
              : `The chain runs to ${prev.seq} but the head records ${head.count}: entries were added after the last one sealed.`,
        });
      } else if (head && head.hash !== prev.hash) {
        report({ code: 'AUDIT.HEAD_MISMATCH', schoolId, seq: prev.seq, message: `The last entry's hash differs from the one the head records: the end of the chain was rewritten.` });
      }
      for await (const e of trail.unsealed(schoolId)) {
        const waited = o.now.getTime() - Date.parse(e.at);
        if (!(waited <= o.sealingGraceMs)) {
          report({ code: 'AUDIT.UNSEALED', schoolId, id: e.id, message: `Entry ${e.id} ("${e.action}", ${e.at}) is outside the chain: it was inserted, or its chain fields were cleared.` });
        }
      }
    } catch (err) {
      report({ code: 'AUDIT.UNREADABLE', schoolId, message: `The audit trail of school "${schoolId}" could not be read to the end: ${(err as Error).message}` });
    }
  }

  let records = 0;
  try {
    for await (const r of trail.records()) {
      records++;
      const what = r.kind === 'decision' ? 'Decision' : 'Signature';
      if (!r.link) {
        report({ code: 'AUDIT.RECORD_UNLINKED', schoolId: r.schoolId, id: r.id, message: `${what} ${r.id} has no audit entry: it was added outside Countersign, or its entry was removed.` });
      } else if (o.sha256(r.text) !== r.link.recordHash) {
        report({ code: 'AUDIT.RECORD_ALTERED', schoolId: r.schoolId, seq: r.link.seq, id: r.id, message: `${what} ${r.id} no longer matches the hash in audit entry ${r.link.seq}: it was changed after it was recorded.` });
      }
    }
  } catch (err) {
    report({ code: 'AUDIT.UNREADABLE', schoolId: '', message: `The decisions and signatures could not be read to the end: ${(err as Error).message}` });
  }

  return { schools, records, findings, notListed, ok: findings.length === 0 };
}

function recordOf(e: AuditEntry) {
  return e.record ? { kind: e.record.kind, id: e.record.id, hash: e.record.hash ?? '' } : null;
}

function brokenLink(prev: { seq: number; hash: string }, c: { seq: number; prevHash: string }): string {
  if (c.seq > prev.seq + 1) return `The chain jumps from entry ${prev.seq} to entry ${c.seq}: ${c.seq - prev.seq - 1 === 1 ? `entry ${prev.seq + 1} was` : `entries ${prev.seq + 1} to ${c.seq - 1} were`} removed.`;
  if (c.seq !== prev.seq + 1) return `Entry ${c.seq} follows entry ${prev.seq}: the entries were reordered.`;
  return `Entry ${c.seq} does not follow entry ${prev.seq} (its link holds a different hash): entries were removed, inserted or reordered here.`;
}
