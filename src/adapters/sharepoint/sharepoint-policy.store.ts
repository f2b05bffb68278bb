import { randomUUID } from 'node:crypto';
import type { Declaration } from '../../domain/declaration.workflow';
import type { Policy, PolicyVersion } from '../../domain/policy';
import type { PolicyStore } from '../../ports/policy-store';
import type { AuditEntry } from '../../ports/store';
import { declarationText } from '../../domain/audit-chain';
import { nodeHasher } from '../node-crypto';
import { importedEntry } from '../audit-entries';
import { SharePointError } from './errors';
import { fromDateTime, line, lit, str, title, toDateTime } from './fields';
import { auditFields, declarationFields, declarationFrom, declarationKey, openKey, policyFields, policyFrom, versionFields, versionFrom } from './mappers';
import { expectOk, type SiteClient } from './site';

/**
 * Policies, frozen versions, declarations and "opened the document" records.
 * Published versions never change, so they are cached once read.
 */
export class SharePointPolicyStore implements PolicyStore {
  private readonly versions = new Map<string, PolicyVersion>();
  private readonly opened = new Set<string>();

  constructor(
    private readonly site: SiteClient,
    /** Called when entries are written: they are written open, for the audit sealer (sharepoint-audit.ts). */
    private readonly audited: () => void = () => undefined,
  ) {}

  async publishVersion(policy: Policy, v: PolicyVersion): Promise<void> {
    const existing = await this.site.findOne('policies', `fields/PolicyId eq ${lit(policy.id)}`);
    if (!existing) {
      const created = await this.site.create('policies', policyFields(policy));
      if (!created) return this.publishVersion(policy, v); // created meanwhile by another instance: update its name instead
    } else if (str(existing.fields.PolicyName) !== policy.name) {
      await this.site.update('policies', existing.id, policyFields(policy));
    }
    // Insert only: a published version is frozen, so a second publish of the same id is ignored (409 on VersionId).
    await this.site.create('versions', versionFields(v));
  }

  async listPolicies(): Promise<Policy[]> {
    const items = await this.site.query('policies', {});
    return items.map((it) => policyFrom(it.fields)).sort((a, b) => cmp(a.name, b.name));
  }

  async listVersions(policyId: string): Promise<PolicyVersion[]> {
    const items = await this.site.query('versions', { filter: `fields/PolicyId eq ${lit(policyId)}` });
    const list = items.map((it) => versionFrom(it.fields));
    for (const v of list) this.versions.set(v.id, v);
    return list.sort((a, b) => cmp(a.effectiveDate, b.effectiveDate) || cmp(a.publishedAt, b.publishedAt));
  }

  async getVersion(id: string): Promise<PolicyVersion | undefined> {
    const cached = this.versions.get(id);
    if (cached) return cached;
    const it = await this.site.findOne('versions', `fields/VersionId eq ${lit(id)}`);
    if (!it) return undefined;
    const v = versionFrom(it.fields);
    this.versions.set(id, v);
    return v;
  }

  async getDeclaration(signerId: string, versionId: string): Promise<Declaration | undefined> {
    const it = await this.site.findOne('declarations', `fields/DeclarationKey eq ${lit(declarationKey(signerId, versionId))}`);
    return it ? declarationFrom(it.fields) : undefined;
  }

  /**
   * One range read on the indexed SignerId over the page's ids (a page of the directory is contiguous in
   * id order), keeping this version's: a few declarations per person, never the whole list.
   */
  async signedAmong(versionId: string, userIds: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (!userIds.length) return out;
    // SharePoint compares text case-insensitively, so the range's ends are taken in lower case.
    const ids = userIds.map((u) => u.toLowerCase()).sort();
    const wanted = new Map(userIds.map((u) => [u.toLowerCase(), u]));
    const items = await this.site.query('declarations', {
      filter: `fields/SignerId ge ${lit(ids[0]!)} and fields/SignerId le ${lit(ids[ids.length - 1]!)}`,
      select: ['SignerId', 'VersionId', 'SignedAt'],
    });
    for (const it of items) {
      const who = wanted.get(str(it.fields.SignerId).toLowerCase());
      if (who && str(it.fields.VersionId) === versionId) out.set(who, fromDateTime(it.fields.SignedAt) ?? '');
    }
    return out;
  }

  /**
   * One batch: the declaration, then (dependsOn) its audit entry. The unique
   * signer+version key makes a second signature a 409, and then no audit entry
   * is written, as SQLite's INSERT OR IGNORE does.
   */
  async saveDeclaration(d: Declaration, audit: AuditEntry): Promise<{ stored: Declaration; created: boolean }> {
    const auditReq = this.site.createReq('audit', auditFields(linked(audit, d)));
    this.audited();
    const { responses, stoppedAt } = await this.site.batch.chain([this.site.createReq('declarations', declarationFields(d)), auditReq], (i, r) => ok(r.status) || (i === 1 && r.status === 409));
    if (stoppedAt === undefined) return { stored: d, created: true };
    const r = responses[stoppedAt]!;
    if (stoppedAt !== 0 || r.status !== 409) throw new SharePointError(`SharePoint: saving declaration ${d.id} failed (${r.status})`, r.status);
    const existing = await this.site.findOne('declarations', `fields/DeclarationKey eq ${lit(declarationKey(d.signerId, d.versionId))}`);
    if (!existing) throw new SharePointError(`SharePoint: declaration ${d.signerId}/${d.versionId} was reported as existing but cannot be read`, 409);
    const stored = declarationFrom(existing.fields);
    if (stored.id !== d.id) return { stored, created: false };
    // Our own earlier attempt landed (its answer was lost and the retry met our own item): finish the audit entry.
    const [a] = await this.site.batch.all([auditReq]);
    if (a!.status !== 409) expectOk(a, `auditing declaration ${d.id}`);
    return { stored: d, created: true };
  }

  /**
   * JSON $batch in 20s: 1,000 declarations cost 50 batches plus one for the
   * audit entry. A 409 on the unique signer+version key means stored already:
   * before (skipped), or by this import's own POST whose answer was lost and
   * retried (created), which the stored item's WriteId tells.
   */
  async importDeclarations(ds: Declaration[], audit: AuditEntry): Promise<{ created: number; skipped: number }> {
    const writeId = randomUUID();
    const responses = await this.site.batch.all(ds.map((d) => this.site.createReq('declarations', { ...declarationFields(d), WriteId: writeId })));
    const created: Declaration[] = [];
    const taken: Declaration[] = [];
    responses.forEach((r, i) => {
      if (ok(r.status)) created.push(ds[i]!);
      else if (r.status === 409) taken.push(ds[i]!);
      else throw new SharePointError(`SharePoint: importing declaration ${ds[i]!.id} failed (${r.status})`, r.status);
    });
    for (const d of taken) {
      const stored = await this.site.findOne('declarations', `fields/DeclarationKey eq ${lit(declarationKey(d.signerId, d.versionId))}`);
      if (stored && str(stored.fields.WriteId) === writeId) created.push(d);
    }
    // Each imported signature gets its own entry, linking it into the chain; then the import's own entry.
    const entries = [...created.map((d) => linked(importedEntry(audit, d), d)), audit];
    this.audited();
    for (const a of await this.site.batch.all(entries.map((e) => this.site.createReq('audit', auditFields(e))))) {
      // 409: the audit id is taken, by this same entry whose answer was lost.
      if (a.status !== 409) expectOk(a, 'auditing a declaration import');
    }
    return { created: created.length, skipped: ds.length - created.length };
  }

  async listDeclarationsBySigner(signerId: string): Promise<Declaration[]> {
    const items = await this.site.query('declarations', { filter: `fields/SignerId eq ${lit(signerId)}` });
    return items.map((it) => declarationFrom(it.fields)).sort((a, b) => cmp(a.signedAt, b.signedAt));
  }

  async recordOpen(userId: string, versionId: string, at: string): Promise<void> {
    const k = openKey(userId, versionId);
    if (this.opened.has(k)) return;
    // First open only: a second POST meets the unique key (409) and changes nothing.
    await this.site.create('opens', { Title: title(`${userId} opened ${versionId}`), OpenKey: k, UserId: line(userId, 'user id'), VersionId: line(versionId, 'version id'), FirstOpenedAt: toDateTime(at) });
    this.opened.add(k);
  }

  async hasOpened(userId: string, versionId: string): Promise<boolean> {
    const k = openKey(userId, versionId);
    if (this.opened.has(k)) return true;
    const found = !!(await this.site.findOne('opens', `fields/OpenKey eq ${lit(k)}`));
    if (found) this.opened.add(k);
    return found;
  }
}

const ok = (s: number) => s >= 200 && s < 300;

/** Ordinal comparison, as SQLite's BINARY collation orders. */
export const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The signature's entry, linking it into the audit chain by the hash of the signature as it is stored. */
function linked(audit: AuditEntry, d: Declaration): AuditEntry {
  return { ...audit, record: { kind: 'declaration', id: d.id, hash: nodeHasher.sha256(declarationText(d)) } };
}
