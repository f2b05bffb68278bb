import { plausiblySameName } from './name-match';
import { domainError, ErrorCodes, type DomainError } from './errors';
import type { Actor } from './people';
import type { PolicyVersion } from './policy';
import { err, ok, type Result } from './result';

/** A signed declaration: who, the typed name, when, which version (and its hash), and the campaign if any. */
export interface Declaration {
  id: string;
  /** The signer's school, from their staff record on the server. */
  schoolId: string;
  signerId: string;
  signerName: string;
  typedName: string;
  versionId: string;
  policyId: string;
  versionLabel: string;
  contentHash: string;
  campaignId: string | null;
  signedAt: string;
}

export interface SignInput {
  id: string;
  /** The signer's school: stamped on the declaration. */
  schoolId: string;
  version: PolicyVersion;
  /** The version people should sign now; signing an older one is refused. */
  current: PolicyVersion;
  /** The actor's existing signature of this version, if any. */
  existing?: Declaration;
  typedName: string;
  confirmed: boolean;
  /** Whether the actor has opened the full document through Countersign. */
  opened: boolean;
  campaignId: string | null;
  at: string;
}

export type SignOutcome = { kind: 'signed'; declaration: Declaration } | { kind: 'alreadySigned'; declaration: Declaration };

/** Signing a declaration: pure. Signing the same version twice changes nothing. */
export function signDeclaration(input: SignInput, actor: Actor): Result<SignOutcome, DomainError> {
  if (input.existing) return ok({ kind: 'alreadySigned', declaration: input.existing });
  const v = input.version;
  if (v.id !== input.current.id) {
    return err(
      domainError(ErrorCodes.DECLARATION_SUPERSEDED, `Version ${v.versionLabel} has been replaced by version ${input.current.versionLabel}. Please read and sign the new version.`),
    );
  }
  const fields: Record<string, string> = {};
  if (v.requireOpenBeforeSign && !input.opened) {
    return err(
      domainError(ErrorCodes.DECLARATION_NOT_OPENED, 'Open the full policy with “Read the full policy” before you sign: this policy asks you to read it first.', {
        fields: { confirm: 'Open the full policy first.' },
      }),
    );
  }
  if (!input.confirmed) fields.confirm = 'Tick “I have read and agree” to sign.';
  const typed = input.typedName.trim();
  const mismatch = typed.length > 200 || (!!typed && !plausiblySameName(typed, actor.name));
  if (!typed) fields.typedName = 'Type your full name to sign.';
  else if (typed.length > 200) fields.typedName = 'Your name: keep it under 200 characters.';
  else if (mismatch)
    fields.typedName = `“${typed.slice(0, 60)}” does not match the name we hold for you (${actor.name}). Type your full name as it appears in the school directory.`;
  if (Object.keys(fields).length) {
    const code = mismatch && input.confirmed ? ErrorCodes.DECLARATION_NAME_MISMATCH : ErrorCodes.DECLARATION_NOT_CONFIRMED;
    return err(domainError(code, Object.values(fields).join(' '), { fields }));
  }
  return ok({
    kind: 'signed',
    declaration: {
      id: input.id,
      schoolId: input.schoolId,
      signerId: actor.id,
      signerName: actor.name,
      typedName: typed,
      versionId: v.id,
      policyId: v.policyId,
      versionLabel: v.versionLabel,
      contentHash: v.contentHash,
      campaignId: input.campaignId,
      signedAt: input.at,
    },
  });
}
