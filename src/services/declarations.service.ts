import { signDeclaration, type Declaration, type SignOutcome } from '../domain/declaration.workflow';
import { ConflictError, domainError, ErrorCodes, type DomainError } from '../domain/errors';
import type { Actor, StaffMember } from '../domain/people';
import { canonicalVersionContent, currentVersion, type Policy, type PolicyContent, type PolicyVersion } from '../domain/policy';
import { transitionRecipient } from '../domain/recipient.workflow';
import { err, ok, type Result } from '../domain/result';
import type { CampaignStore } from '../ports/campaign-store';
import type { Clock } from '../ports/clock';
import type { ContentHasher } from '../ports/crypto';
import type { IdSource } from '../ports/ids';
import type { PolicyStore } from '../ports/policy-store';
import { schoolOf } from './actors';

export interface DeclarationDeps {
  policies: PolicyStore;
  campaigns: CampaignStore;
  clock: Clock;
  ids: IdSource;
  hasher: ContentHasher;
  localDate: (d: Date) => string;
}

/** What a declaration card needs to show for one person and one version. */
export interface DeclarationView {
  version: PolicyVersion;
  current: PolicyVersion;
  declaration?: Declaration;
  opened: boolean;
}

export interface SignInput {
  versionId: string;
  campaignId: string | null;
  typedName: string;
  confirmed: boolean;
}

/** Use cases for policy declarations: publish a version, show it, record opening it, sign it. */
export class DeclarationService {
  constructor(private readonly d: DeclarationDeps) {}

  private today() {
    return this.d.localDate(this.d.clock.now());
  }

  /** Publishes a version: frozen from now on, with the hash of its canonical content. */
  async publish(policy: Policy, id: string, content: PolicyContent): Promise<PolicyVersion> {
    const version: PolicyVersion = {
      ...content,
      id,
      schoolId: policy.schoolId,
      publishedAt: this.d.clock.now().toISOString(),
      contentHash: this.d.hasher.sha256(canonicalVersionContent(content)),
    };
    await this.d.policies.publishVersion(policy, version);
    return version;
  }

  /**
   * Publishes a new version of a known policy from the policy admins' form,
   * through `publish` (which freezes it). Refused when the policy is unknown,
   * or when one of its versions already has this content or this label: a
   * second publish of the same thing is a conflict (409), never a second
   * version. The id comes from the content hash, so two identical publishes at
   * once store one version (the store ignores a second insert of an id).
   * `dryRun`: every check, and the version that would be published, unsaved.
   */
  async publishNew(policyId: string, content: Omit<PolicyContent, 'policyId'>, o: { dryRun?: boolean } = {}): Promise<Result<PolicyVersion, DomainError>> {
    const policy = (await this.d.policies.listPolicies()).find((p) => p.id === policyId);
    if (!policy) return err(domainError(ErrorCodes.POLICY_NOT_FOUND, 'There is no such policy.'));
    const full: PolicyContent = { ...content, policyId };
    const hash = this.d.hasher.sha256(canonicalVersionContent(full));
    const versions = await this.d.policies.listVersions(policyId);
    const same = versions.find((v) => v.contentHash === hash);
    if (same) return err(domainError(ErrorCodes.POLICY_ALREADY_PUBLISHED, `This content is already published as version ${same.versionLabel}; published versions cannot change.`));
    const label = full.versionLabel.trim().toLowerCase();
    const taken = versions.find((v) => v.versionLabel.trim().toLowerCase() === label);
    if (taken) {
      return err(domainError(ErrorCodes.POLICY_ALREADY_PUBLISHED, `Version ${taken.versionLabel} is already published and cannot change. Give the new version another label.`, { fields: { versionLabel: 'This label is taken by a published version.' } }));
    }
    const id = `${policyId}-${hash.slice(0, 16)}`;
    // A check before publishing: what would be frozen, with its hash; nothing is stored, so no publishedAt.
    if (o.dryRun) return ok({ ...full, id, schoolId: policy.schoolId, publishedAt: '', contentHash: hash });
    const published = await this.publish(policy, id, full);
    return ok((await this.d.policies.getVersion(id)) ?? published);
  }

  /** The current version of each policy, for `sign` and `status`. */
  async currentVersions(): Promise<PolicyVersion[]> {
    const out: PolicyVersion[] = [];
    for (const p of await this.d.policies.listPolicies()) {
      const v = currentVersion(await this.d.policies.listVersions(p.id), this.today());
      if (v) out.push(v);
    }
    return out;
  }

  async view(actorId: string, versionId?: string): Promise<Result<DeclarationView, DomainError>> {
    const version = versionId ? await this.d.policies.getVersion(versionId) : (await this.currentVersions())[0];
    if (!version) return err(domainError(ErrorCodes.DECLARATION_VERSION_NOT_FOUND, 'There is no policy to sign yet.'));
    const current = currentVersion(await this.d.policies.listVersions(version.policyId), this.today()) ?? version;
    return ok({
      version,
      current,
      declaration: await this.d.policies.getDeclaration(actorId, version.id),
      opened: await this.d.policies.hasOpened(actorId, version.id),
    });
  }

  /** Current versions this person has not signed yet. */
  async outstanding(actorId: string): Promise<PolicyVersion[]> {
    const out: PolicyVersion[] = [];
    for (const v of await this.currentVersions()) if (!(await this.d.policies.getDeclaration(actorId, v.id))) out.push(v);
    return out;
  }

  /** What this person has signed, newest first, each with its version (undefined only if the version is gone). */
  async signedBy(actorId: string): Promise<{ declaration: Declaration; version?: PolicyVersion }[]> {
    const signed = (await this.d.policies.listDeclarationsBySigner(actorId)).sort((a, b) => b.signedAt.localeCompare(a.signedAt));
    return Promise.all(signed.map(async (declaration) => ({ declaration, version: await this.d.policies.getVersion(declaration.versionId) })));
  }

  async recordOpen(userId: string, versionId: string): Promise<PolicyVersion | undefined> {
    const version = await this.d.policies.getVersion(versionId);
    if (version) await this.d.policies.recordOpen(userId, versionId, this.d.clock.now().toISOString());
    return version;
  }

  async sign(actor: Actor & { staff?: StaffMember }, input: SignInput): Promise<Result<SignOutcome, DomainError>> {
    const version = await this.d.policies.getVersion(input.versionId);
    if (!version) return err(domainError(ErrorCodes.DECLARATION_VERSION_NOT_FOUND, 'That policy version no longer exists.'));
    const current = currentVersion(await this.d.policies.listVersions(version.policyId), this.today()) ?? version;
    const at = this.d.clock.now().toISOString();
    // The signer's school, from their staff record; a caller without one signs in the version's school.
    const schoolId = schoolOf(actor) ?? version.schoolId;
    const outcome = signDeclaration(
      {
        id: this.d.ids.next(),
        schoolId,
        version,
        current,
        existing: await this.d.policies.getDeclaration(actor.id, version.id),
        typedName: input.typedName,
        confirmed: input.confirmed,
        opened: await this.d.policies.hasOpened(actor.id, version.id),
        campaignId: input.campaignId,
        at,
      },
      actor,
    );
    if (!outcome.ok || outcome.value.kind === 'alreadySigned') return outcome;
    const saved = await this.d.policies.saveDeclaration(outcome.value.declaration, {
      id: this.d.ids.next(),
      schoolId,
      entityType: 'declaration',
      entityId: version.id,
      actorId: actor.id,
      actorName: actor.name,
      action: 'declaration.sign',
      at,
      before: null,
      after: JSON.stringify({ versionId: version.id, contentHash: version.contentHash, campaignId: input.campaignId }),
    });
    await this.markSigned(actor.id, version.id, saved.stored.signedAt);
    // Two clicks at once: the second finds the first's signature.
    return ok(saved.created ? { kind: 'signed', declaration: saved.stored } : { kind: 'alreadySigned', declaration: saved.stored });
  }

  /**
   * Every campaign for this version now counts the person as signed, however they signed. A conflict
   * means a send job wrote the recipient meanwhile (attempt, delivered): read it again and re-apply,
   * recipient by recipient, until it is signed. Those writers stop once it is signed, so this ends;
   * the bound only guards against a store that never stops conflicting, and then it says so.
   */
  private async markSigned(userId: string, versionId: string, at: string) {
    for (const r of await this.d.campaigns.recipientsFor(userId, versionId)) {
      let current: typeof r | undefined = r;
      for (let attempt = 0; current; attempt++) {
        const next = transitionRecipient(current.value, { type: 'signed', at });
        if (!next.ok) break; // signed already
        try {
          await this.d.campaigns.updateRecipient(next.value, current.etag);
          break;
        } catch (e) {
          if (!(e instanceof ConflictError) || attempt >= MARK_SIGNED_ATTEMPTS) throw e;
          current = await this.d.campaigns.getRecipient(r.value.campaignId, userId);
        }
      }
    }
  }
}

/** Re-reads of one recipient before markSigned reports the conflict instead of succeeding. */
const MARK_SIGNED_ATTEMPTS = 50;
