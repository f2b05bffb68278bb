import type { Declaration } from '../domain/declaration.workflow';
import type { PolicyVersion } from '../domain/policy';
import { card, day, execute, fieldError, heading, input, labelled, note, openUrl, plain, when, type Action, type AdaptiveCard, type Element } from './ac';
import { Verbs } from './verbs';

export interface DeclarationCardOptions {
  version: PolicyVersion;
  /** The version people should sign now, when `version` is older. */
  current?: PolicyVersion;
  /** Present once this person has signed `version`. */
  declaration?: Declaration;
  campaignId?: string | null;
  /** Deadline of the campaign that sent this card, if any. */
  deadline?: string;
  /** This person's signed link to the full document (records that they opened it). */
  readLink: string;
  opened: boolean;
  errors?: { confirm?: string; typedName?: string; message?: string };
  values?: { typedName?: string; confirm?: string };
  banner?: string;
}

/**
 * The policy declaration. Unsigned: summary, statements, a link to the full
 * document, "I have read and agree" and the typed name. Signed: who signed,
 * when and which version. Superseded: says a newer version exists and offers it.
 */
export function declarationCard(o: DeclarationCardOptions): AdaptiveCard {
  const v = o.version;
  const body: Element[] = [heading(v.title, 'Large'), note(`Version ${v.versionLabel}, effective ${day(v.effectiveDate)}. Next review ${day(v.reviewDate)}.`, { isSubtle: true, spacing: 'None' })];
  if (o.banner) body.push(plain(o.banner, { weight: 'Bolder', color: 'Attention' }));
  const data = { versionId: v.id, ...(o.campaignId ? { campaignId: o.campaignId } : {}) };

  if (o.declaration) {
    const d = o.declaration;
    body.push(plain(`Signed by ${d.signerName} on ${when(d.signedAt)} (version ${d.versionLabel}).`, { weight: 'Bolder', color: 'Good' }));
    body.push(plain(`Typed name: ${d.typedName}. Content fingerprint: ${d.contentHash.slice(0, 12)}…`, { isSubtle: true }));
    return card(body, [openUrl('Read the full policy', o.readLink)]);
  }
  if (o.current && o.current.id !== v.id) {
    body.push(plain(`A newer version (${o.current.versionLabel}) has replaced this one, so this version can no longer be signed.`, { weight: 'Bolder' }));
    return card(body, [execute(`Open version ${o.current.versionLabel}`, Verbs.declarationShow, { versionId: o.current.id, ...(o.campaignId ? { campaignId: o.campaignId } : {}) })]);
  }

  const e = o.errors ?? {};
  body.push(
    plain(v.summary, { spacing: 'Medium' }),
    note('**By signing you confirm that:**', { spacing: 'Medium' }),
    ...v.statements.map((s) => plain(`• ${s}`, { spacing: 'Small' })),
    ...(o.deadline ? [labelled('Please sign by', day(o.deadline), { spacing: 'Medium' })] : []),
  );
  if (v.requireOpenBeforeSign) {
    body.push(
      note(o.opened ? 'You have opened the full policy.' : 'This policy asks you to open and read the full document before you sign: use **Read the full policy**.', {
        color: o.opened ? 'Good' : 'Warning',
        spacing: 'Medium',
      }),
    );
  }
  if (e.message) body.push(fieldError(e.message));
  body.push(
    { type: 'Input.Toggle', id: 'confirm', title: 'I have read and agree', valueOn: 'true', valueOff: 'false', ...(o.values?.confirm === 'true' ? { value: 'true' } : {}) },
    ...(e.confirm ? [fieldError(e.confirm)] : []),
    input.text('typedName', 'Type your full name to sign', { value: o.values?.typedName, maxLength: 200 }),
    ...(e.typedName ? [fieldError(e.typedName)] : []),
  );
  const actions: Action[] = [openUrl('Read the full policy', o.readLink), execute('Sign', Verbs.declarationSign, data, { style: 'positive' })];
  return card(body, actions);
}
