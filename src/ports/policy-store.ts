import type { Declaration } from '../domain/declaration.workflow';
import type { Policy, PolicyVersion } from '../domain/policy';
import type { AuditEntry } from './store';

/** Policies, their frozen versions, signatures and "opened the document" records. */
export interface PolicyStore {
  /** Publishes a version. Versions are never updated once stored. */
  publishVersion(policy: Policy, version: PolicyVersion): Promise<void>;
  listPolicies(): Promise<Policy[]>;
  listVersions(policyId: string): Promise<PolicyVersion[]>;
  getVersion(id: string): Promise<PolicyVersion | undefined>;

  getDeclaration(signerId: string, versionId: string): Promise<Declaration | undefined>;
  /** Of these people, who has signed this version: user id → signed at. One read for a page of people, not one each. */
  signedAmong(versionId: string, userIds: string[]): Promise<Map<string, string>>;
  /** Idempotent: one declaration per signer and version. Returns the one that is stored. */
  saveDeclaration(d: Declaration, audit: AuditEntry): Promise<{ stored: Declaration; created: boolean }>;
  listDeclarationsBySigner(signerId: string): Promise<Declaration[]>;
  /**
   * Writes many declarations at once (e.g. last year's paper forms), with one
   * audit entry for the whole import. Idempotent per signer and version: ones
   * already stored are skipped, not overwritten.
   */
  importDeclarations(ds: Declaration[], audit: AuditEntry): Promise<{ created: number; skipped: number }>;

  recordOpen(userId: string, versionId: string, at: string): Promise<void>;
  hasOpened(userId: string, versionId: string): Promise<boolean>;
}
