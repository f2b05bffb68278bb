import type { Declaration } from './declaration.workflow';
import type { Decision } from './account-request';

/**
 * The audit trail as a hash chain, one per school. Pure: the stores seal entries with these functions
 * and the verifier recomputes them, so both always agree on what was hashed.
 *
 * An entry's hash covers its position (seq), the previous entry's hash and every field of the entry,
 * including the hash of the decision or signature it records. Editing an entry changes its hash; removing,
 * inserting or reordering breaks the next entry's link; removing entries from the end leaves the school's
 * stored head (count and last hash) pointing past the last entry.
 */

/** The previous hash of a school's first entry. */
export const GENESIS_HASH = '0'.repeat(64);

export type Sha256 = (text: string) => string;

/** A record that must be linked into the chain by its own hash: every decision and every signature. */
export type LinkedRecordKind = 'decision' | 'declaration';

export interface RecordLink {
  kind: LinkedRecordKind;
  id: string;
  /** SHA-256 of the record's canonical text, as stored when the entry was sealed. */
  hash: string;
}

/** An entry's place in its school's chain. */
export interface ChainLink {
  seq: number;
  prevHash: string;
  hash: string;
}

/** What a store keeps per school so that entries cut from the end are noticed. */
export interface ChainHead {
  schoolId: string;
  count: number;
  hash: string;
}

/** What an audit entry says: the fields the chain covers (the store's AuditEntry adds its record link and place). */
export interface ChainedContent {
  id: string;
  /** The school of the record the entry is about. */
  schoolId: string;
  entityType: string;
  entityId: string;
  actorId: string;
  actorName: string;
  action: string;
  at: string;
  /** Compact JSON snapshots of the state before and after; null for creation. */
  before: string | null;
  after: string | null;
}

/**
 * Timestamps to the second: SharePoint keeps date-times to the second (fields.ts toDateTime), so the text
 * hashed at sealing and at verifying must not depend on milliseconds one store drops.
 */
export function chainTime(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * What an entry says, as JSON of a fixed-order array (no key order or whitespace to argue about). The chain
 * hashes the hash of this, not this: retention can then blank an entry's personal data and keep its content
 * hash, and the chain still verifies (with a signed checkpoint naming the entry; see retention).
 */
export function contentText(e: ChainedContent, record: RecordLink | null): string {
  return JSON.stringify([
    'countersign-audit-1',
    e.id,
    e.schoolId,
    e.entityType,
    e.entityId,
    e.actorId,
    e.actorName,
    e.action,
    chainTime(e.at),
    e.before,
    e.after,
    record ? [record.kind, record.id, record.hash] : null,
  ]);
}

/** The text an entry's own hash covers: its place, the previous entry's hash and its content's hash. */
export function linkText(seq: number, prevHash: string, contentHash: string): string {
  return JSON.stringify(['countersign-chain-1', seq, prevHash, contentHash]);
}

/** Seals one entry after `head`; returns its link and the head that follows. */
export function sealEntry(sha256: Sha256, head: ChainHead, e: ChainedContent, record: RecordLink | null): { link: ChainLink; head: ChainHead } {
  const seq = head.count + 1;
  const hash = sha256(linkText(seq, head.hash, sha256(contentText(e, record))));
  return { link: { seq, prevHash: head.hash, hash }, head: { schoolId: head.schoolId, count: seq, hash } };
}

export function emptyHead(schoolId: string): ChainHead {
  return { schoolId, count: 0, hash: GENESIS_HASH };
}

/** The canonical text of a decision as stored: what its link in the chain hashes. */
export function decisionText(d: Decision & { id: string; schoolId: string; requestId: string; round: number; step: number; role: string }): string {
  return JSON.stringify(['decision-1', d.id, d.schoolId, d.requestId, d.round, d.step, d.role, d.outcome, d.actorId, d.actorName, d.signature, d.comment ?? '', chainTime(d.at)]);
}

/** The canonical text of a signature as stored. */
export function declarationText(d: Declaration): string {
  return JSON.stringify(['declaration-1', d.id, d.schoolId, d.signerId, d.signerName, d.typedName, d.versionId, d.policyId, d.versionLabel, d.contentHash, d.campaignId ?? null, chainTime(d.signedAt)]);
}
