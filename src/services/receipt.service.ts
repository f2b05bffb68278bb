import { declarationText } from '../domain/audit-chain';
import { receiptRefusal } from '../domain/campaign-permissions';
import type { Declaration } from '../domain/declaration.workflow';
import { domainError, ErrorCodes, type DomainError } from '../domain/errors';
import type { StaffMember } from '../domain/people';
import type { PolicyVersion } from '../domain/policy';
import { err, ok, type Result } from '../domain/result';
import type { AuditTrail } from '../ports/audit-trail';
import type { ContentHasher } from '../ports/crypto';
import type { PolicyStore } from '../ports/policy-store';
import type { Store } from '../ports/store';

/** The evidence of one signature, for one person and one policy version: what a receipt shows. */
export interface Receipt {
  schoolName: string;
  /** The school's time zone: the time signed is shown in it. */
  timeZone: string;
  policyName: string;
  versionId: string;
  versionTitle: string;
  versionLabel: string;
  /** YYYY-MM-DD */
  effectiveDate: string;
  signerId: string;
  signerName: string;
  signerEmail: string;
  typedName: string;
  /** ISO instant, server time. */
  signedAt: string;
  campaignId: string | null;
  /** SHA-256 of the version's canonical content, as stored with the signature. */
  contentHash: string;
  /** SHA-256 of the signature as stored now (audit-chain.ts declarationText). */
  recordHash: string;
  /**
   * The sealed audit entry linking the signature; null while it waits to be chained (on SharePoint, for a few
   * seconds after signing). `recordHash` is the hash the entry holds: it differs from the one above only if
   * the signature was changed after it was recorded.
   */
  chain: { seq: number; hash: string; prevHash: string; recordHash: string } | null;
}

export interface ReceiptDeps {
  staff: Pick<Store, 'getStaff' | 'getStaffByEmail'>;
  policies: PolicyStore;
  audit: Pick<AuditTrail, 'entryFor'>;
  hasher: ContentHasher;
  schoolName: string;
  timeZone: string;
}

/** A person by id, or by e-mail address when the reference has an @. */
async function findPerson(staff: ReceiptDeps['staff'], ref: string): Promise<StaffMember | undefined> {
  const r = ref.trim();
  return r.includes('@') ? staff.getStaffByEmail(r.toLowerCase()) : staff.getStaff(r);
}

/**
 * Receipts: gathers a signature's evidence from the stores (the signature, its policy version, its audit entry)
 * for the signer, a policy admin of their school, or whoever runs the server's command line (viewer null).
 */
export class ReceiptService {
  constructor(private readonly d: ReceiptDeps) {}

  /** `personRef`: id or e-mail; `versionRef`: version id, or its label ("2025-26") when that names one version. */
  async receipt(viewer: StaffMember | null, personRef: string, versionRef: string): Promise<Result<Receipt, DomainError>> {
    const person = viewer && personRef === viewer.id ? viewer : await findPerson(this.d.staff, personRef);
    if (viewer) {
      const refusal = receiptRefusal({ id: viewer.id, roles: viewer.roles, schoolId: viewer.schoolId }, person);
      if (refusal) return err(refusal);
    }
    if (!person) return err(domainError(ErrorCodes.RECEIPT_PERSON_NOT_FOUND, `No one on the staff list has the id or e-mail “${personRef}”.`, { fields: { person: 'No such person.' } }));

    const found = await this.version(person, versionRef);
    if (!found.ok) return found;
    const { version, declaration } = found.value;
    if (!declaration) {
      return err(
        domainError(ErrorCodes.RECEIPT_NOT_SIGNED, `${person.name} has not signed ${version.title}, version ${version.versionLabel}: there is no receipt to give.`, {
          fields: { version: 'Not signed.' },
        }),
      );
    }
    const [policies, entry] = await Promise.all([this.d.policies.listPolicies(), this.d.audit.entryFor('declaration', declaration.id)]);
    return ok({
      schoolName: this.d.schoolName,
      timeZone: this.d.timeZone,
      policyName: policies.find((p) => p.id === version.policyId)?.name ?? version.title,
      versionId: version.id,
      versionTitle: version.title,
      versionLabel: declaration.versionLabel,
      effectiveDate: version.effectiveDate,
      signerId: person.id,
      signerName: declaration.signerName,
      signerEmail: person.email,
      typedName: declaration.typedName,
      signedAt: declaration.signedAt,
      campaignId: declaration.campaignId,
      contentHash: declaration.contentHash,
      recordHash: this.d.hasher.sha256(declarationText(declaration)),
      chain: entry?.chain ? { seq: entry.chain.seq, hash: entry.chain.hash, prevHash: entry.chain.prevHash, recordHash: entry.record?.hash ?? '' } : null,
    });
  }

  /** The version meant, by id or label, with the person's signature of it. A label shared by several policies must be signed on one only. */
  private async version(person: StaffMember, ref: string): Promise<Result<{ version: PolicyVersion; declaration?: Declaration }, DomainError>> {
    const r = ref.trim();
    const byId = await this.d.policies.getVersion(r);
    if (byId) return ok({ version: byId, declaration: await this.d.policies.getDeclaration(person.id, byId.id) });
    const wanted = r.toLowerCase();
    const versions = (await Promise.all((await this.d.policies.listPolicies()).map((p) => this.d.policies.listVersions(p.id)))).flat().filter((v) => v.versionLabel.trim().toLowerCase() === wanted);
    if (!versions.length) {
      return err(domainError(ErrorCodes.DECLARATION_VERSION_NOT_FOUND, `There is no policy version with the id or label “${ref}”.`, { fields: { version: 'No such version.' } }));
    }
    const signed = (await Promise.all(versions.map(async (v) => ({ version: v, declaration: await this.d.policies.getDeclaration(person.id, v.id) })))).filter((x) => x.declaration);
    if (signed.length === 1) return ok(signed[0]!);
    if (signed.length === 0 && versions.length === 1) return ok({ version: versions[0]! });
    if (signed.length === 0) {
      return err(domainError(ErrorCodes.RECEIPT_NOT_SIGNED, `${person.name} has not signed any version labelled “${ref}”: there is no receipt to give.`, { fields: { version: 'Not signed.' } }));
    }
    return err(
      domainError(ErrorCodes.RECEIPT_VERSION_AMBIGUOUS, `${person.name} signed ${signed.length} versions labelled “${ref}” (${signed.map((s) => `${s.version.title}: ${s.version.id}`).join('; ')}). Give the version id.`, {
        fields: { version: 'Give the version id.' },
      }),
    );
  }
}
