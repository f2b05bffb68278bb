import { decisionLine, requestCard } from '../../src/cards/request.card';
import { Verbs } from '../../src/cards/verbs';
import type { DecisionVerb } from '../../src/services/account-requests.service';
import { decisionData, requestRef } from '../card-data';
import type { Feature, FeatureDeps, Handler } from './feature';
import { viewerOf } from '../../src/services/actors';
import { missingRequest, notice, outcome } from './request-replies';

/** An approver approves, returns or rejects the step that waits for them, signing with their typed name. */
export function approvalsFeature({ requests, timeZone }: Pick<FeatureDeps, 'requests' | 'timeZone'>): Feature {
  const decide =
    (verb: DecisionVerb): Handler =>
    async ({ actor }, data) => {
      const parsed = decisionData.safeParse(data);
      if (!parsed.success) {
        // The same card again, with what was wrong and what the approver typed.
        const ref = requestRef.safeParse(data);
        if (!ref.success) return missingRequest();
        const message = parsed.error.issues.map((i) => i.message).join(' ');
        const found = await requests.view(viewerOf(actor), ref.data.requestId);
        return found.ok
          ? requestCard(found.value, {
              viewerId: actor.id,
              timeZone,
              errors: { message },
              values: { signature: String(data.signature ?? '').slice(0, 200), comment: String(data.comment ?? '').slice(0, 2000) },
            })
          : notice(found.error.message);
      }
      const input = parsed.data;
      const result = await requests.decide(actor, verb, input);
      if (!result.ok && result.error.fields) {
        const found = await requests.view(viewerOf(actor), input.requestId);
        if (found.ok) return requestCard(found.value, { viewerId: actor.id, timeZone, errors: result.error.fields, values: { signature: input.signature, comment: input.comment } });
      }
      const decided = result.ok ? result.value.steps[input.step]?.decision : undefined;
      return outcome(requests, timeZone, actor, input.requestId, result, decided && decisionLine(decided, timeZone));
    };

  return {
    verbs: {
      [Verbs.approve]: decide('approve'),
      [Verbs.reject]: decide('reject'),
      [Verbs.return]: decide('return'),
    },
  };
}
