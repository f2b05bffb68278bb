import type { ChainHead, LinkedRecordKind } from '../domain/audit-chain';
import type { AuditEntry } from './store';

/** A decision or signature as stored, with the sealed audit entry that claims to record it. */
export interface StoredRecord {
  kind: LinkedRecordKind;
  id: string;
  schoolId: string;
  /** Its canonical text (audit-chain.ts decisionText / declarationText), from the record as stored now. */
  text: string;
  /** The sealed entry linking it: its place and the record hash it holds; null when no sealed entry names it. */
  link: { seq: number; recordHash: string } | null;
}

/**
 * Reading the audit chain for verification, receipts and exports. Streams: a chain can hold millions of
 * entries, and the verifier must report on damaged data rather than load it whole.
 */
export interface AuditTrail {
  /** Every school with audit entries or a chain head. */
  schools(): Promise<string[]>;
  head(schoolId: string): Promise<ChainHead | undefined>;
  /** The school's sealed entries by their place in the chain; entries sharing a place all appear, in any order. */
  chain(schoolId: string): AsyncIterable<AuditEntry>;
  /** Entries of the school not in the chain (yet): on SharePoint they wait for the sealer; in SQLite there should be none. */
  unsealed(schoolId: string): AsyncIterable<AuditEntry>;
  /** Every decision and signature, across schools. */
  records(): AsyncIterable<StoredRecord>;
  /**
   * Chains the entries still outside it; returns how many. SQLite seals as it writes, so it has none;
   * SharePoint seals shortly after the writes, and the server's sweep calls this in case a process died first.
   */
  seal(): Promise<number>;
  /** A retention checkpoint: its JSON as signed, and the signature. */
  checkpoint(id: string): Promise<{ data: string; mac: string } | undefined>;
  /** The sealed entry recording this decision or signature. */
  entryFor(kind: LinkedRecordKind, id: string): Promise<AuditEntry | undefined>;
}
