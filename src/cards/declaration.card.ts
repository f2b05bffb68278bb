import type { Declaration } from '../domain/declaration.workflow';
import type { PolicyVersion } from '../domain/policy';
import { formatDay, formatMoment } from '../domain/display-dates';
import { actionSet, card, execute, fieldError, heading, inertMarkdown, input, labelled, note, openUrl, plain, type AdaptiveCard, type Element } from './ac';
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
  /** The school's time zone (config `timeZone`): the moment of signing is shown in it. */
  timeZone: string;
  errors?: { confirm?: string; typedName?: string; message?: string };
  values?: { typedName?: string; confirm?: string };
  banner?: string;
}

/**
 * The policy declaration. Unsigned: summary, statements, a link to the full
 * document, then "I have read and agree" and the typed name. Signed: who
 * signed, when and which version, and still the statements they agreed to.
 * Superseded: says a newer version exists and offers it.
 *
 * Every line is in the Default text colour: Teams' Warning and Accent colours
 * and isSubtle text fall below 4.5:1 contrast on one of its themes.
 */
export function declarationCard(o: DeclarationCardOptions): AdaptiveCard {
  const v = o.version;
  const body: Element[] = [heading(inertMarkdown(v.title), 'Large'), note(`Version ${inertMarkdown(v.versionLabel)}, effective ${formatDay(v.effectiveDate)}. Next review ${formatDay(v.reviewDate)}.`, { spacing: 'None' })];
  if (o.banner) body.push(plain(o.banner, { weight: 'Bolder' }));
  const data = { versionId: v.id, ...(o.campaignId ? { campaignId: o.campaignId } : {}) };
  // The link to the whole policy comes before anything to agree to, so it is read first.
  const readFull = actionSet([openUrl('Read the full policy', o.readLink)]);
  const statements = (lead: string) => [note(`${lead}`, { weight: 'Bolder', spacing: 'Medium' }), ...v.statements.map((s) => plain(`• ${s}`, { spacing: 'Small' }))];

  if (o.declaration) {
    const d = o.declaration;
    body.push(
      // Default colour with a tick: Teams' Good green on white is 2.1:1, too faint to read.
      plain(`✓ Signed by ${d.signerName} on ${formatMoment(d.signedAt, o.timeZone)} (version ${d.versionLabel}).`, { weight: 'Bolder' }),
      plain(`Typed name: ${d.typedName}. Content fingerprint: ${d.contentHash.slice(0, 12)}…`),
      ...statements('You confirmed that:'),
      readFull,
    );
    return card(body);
  }
  if (o.current && o.current.id !== v.id) {
    body.push(plain(`A newer version (${o.current.versionLabel}) has replaced this one, so this version can no longer be signed.`, { weight: 'Bolder' }));
    return card(body, [execute(`Open version ${o.current.versionLabel}`, Verbs.declarationShow, { versionId: o.current.id, ...(o.campaignId ? { campaignId: o.campaignId } : {}) })]);
  }

  const e = o.errors ?? {};
  body.push(
    plain(v.summary, { spacing: 'Medium' }),
    ...statements('By signing you confirm that:'),
    ...(o.deadline ? [labelled('Please sign by', formatDay(o.deadline), { spacing: 'Medium' })] : []),
  );
  if (v.requireOpenBeforeSign) {
    body.push(
      note(o.opened ? 'You have opened the full policy.' : 'This policy asks you to open and read the full document before you sign: use **Read the full policy**.', {
        weight: 'Bolder',
        spacing: 'Medium',
      }),
    );
  }
  body.push(readFull);
  if (e.message) body.push(fieldError(e.message));
  body.push(
    { type: 'Input.Toggle', id: 'confirm', title: 'I have read and agree', valueOn: 'true', valueOff: 'false', ...(o.values?.confirm === 'true' ? { value: 'true' } : {}) },
    ...(e.confirm ? [fieldError(e.confirm)] : []),
    input.text('typedName', 'Type your full name to sign', { value: o.values?.typedName, maxLength: 200 }),
    ...(e.typedName ? [fieldError(e.typedName)] : []),
  );
  return card(body, [execute('Sign', Verbs.declarationSign, data, { style: 'positive' })]);
}
