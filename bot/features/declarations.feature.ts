import type { AdaptiveCard } from '../../src/cards/ac';
import { formatMoment } from '../../src/domain/display-dates';
import { declarationCard } from '../../src/cards/declaration.card';
import { Verbs } from '../../src/cards/verbs';
import type { Actor } from '../../src/domain/people';
import { declarationData, declarationRef } from '../card-data';
import type { Feature, FeatureDeps } from './feature';
import { notice } from './request-replies';

type CardExtras = { banner?: string; errors?: Record<string, string>; values?: { typedName?: string; confirm?: string } };

/** A member of staff reads a policy version and signs its declaration, from a campaign card or by typing `sign`. */
export function declarationsFeature({ declarations, policyLink, timeZone }: Pick<FeatureDeps, 'declarations' | 'policyLink' | 'timeZone'>): Feature {
  /** The declaration as this person sees it: to sign, signed, or replaced by a newer version. */
  async function show(actor: Actor, versionId?: string, campaignId?: string, extra: CardExtras = {}): Promise<AdaptiveCard> {
    const view = await declarations.view(actor.id, versionId);
    if (!view.ok) return notice(view.error.message);
    const v = view.value;
    return declarationCard({
      version: v.version,
      current: v.current,
      declaration: v.declaration,
      campaignId: campaignId ?? null,
      readLink: policyLink(actor.id, v.version.id),
      opened: v.opened,
      timeZone,
      ...extra,
    });
  }

  return {
    commands: { sign: { verb: Verbs.declarationShow } },
    verbs: {
      [Verbs.declarationShow]: async ({ actor }, data) => {
        const ref = declarationRef.safeParse(data);
        return ref.success ? show(actor, ref.data.versionId, ref.data.campaignId) : show(actor);
      },

      [Verbs.declarationSign]: async ({ actor }, data) => {
        const parsed = declarationData.safeParse(data);
        if (!parsed.success) return notice('This card is missing its policy version. Type “sign” to get the current declaration.');
        const input = parsed.data;
        const result = await declarations.sign(actor, {
          versionId: input.versionId,
          campaignId: input.campaignId ?? null,
          typedName: input.typedName,
          confirmed: input.confirm === 'true',
        });
        if (result.ok) {
          const banner = result.value.kind === 'alreadySigned' ? `Already signed on ${formatMoment(result.value.declaration.signedAt, timeZone)}. Nothing has changed.` : undefined;
          return show(actor, input.versionId, input.campaignId, { banner });
        }
        return show(actor, input.versionId, input.campaignId, {
          errors: { ...result.error.fields, ...(result.error.fields ? {} : { message: result.error.message }) },
          values: { typedName: input.typedName, confirm: input.confirm },
        });
      },
    },
  };
}
