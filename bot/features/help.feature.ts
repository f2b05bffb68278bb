import { helpCard } from '../../src/cards/help.card';
import { Verbs } from '../../src/cards/verbs';
import type { Feature, FeatureDeps } from './feature';

/** What Countersign can do for this person: `campaign` is listed for policy admins only. */
export function helpFeature({ schoolName }: Pick<FeatureDeps, 'schoolName'>): Feature {
  return {
    commands: { help: { verb: Verbs.helpShow } },
    verbs: {
      [Verbs.helpShow]: async ({ policyAdmin }) => helpCard({ schoolName, policyAdmin }),
    },
  };
}
