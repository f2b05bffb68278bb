import { requestFormCard } from '../../src/cards/request-form.card';
import { requestCard } from '../../src/cards/request.card';
import { statusListCard } from '../../src/cards/status-list.card';
import { Verbs } from '../../src/cards/verbs';
import { requestRef } from '../card-data';
import type { Feature, FeatureDeps, Handler } from './feature';
import { viewerOf } from '../../src/services/actors';
import { may } from '../../src/domain/request-permissions';
import { editForm, formOrNotice, missingRequest, notice, outcome } from './request-replies';

/** A member of staff asks for an account, follows it, edits it when returned, and may withdraw it. */
export function requestsFeature({ requests, declarations, timeZone, today }: Pick<FeatureDeps, 'requests' | 'declarations' | 'timeZone' | 'today'>): Feature {
  const view: Handler = async ({ actor }, data) => {
    const ref = requestRef.safeParse(data);
    if (!ref.success) return missingRequest();
    const found = await requests.view(viewerOf(actor), ref.data.requestId);
    return found.ok ? requestCard(found.value, { viewerId: actor.id, timeZone }) : notice(found.error.message);
  };
  return {
    commands: {
      request: { verb: Verbs.requestNew },
      status: { verb: Verbs.statusShow },
    },
    verbs: {
      // The department comes from the directory, as a starting point the person can change.
      [Verbs.requestNew]: async ({ actor }) => requestFormCard({ ...(await requests.formContext()), values: { department: actor.staff.department } }),

      [Verbs.statusShow]: async ({ actor }) =>
        statusListCard(await requests.listMine(actor.id), await requests.listAwaiting(actor.id), await declarations.outstanding(actor.id), {
          viewerId: actor.id,
          timeZone,
          today: today(),
        }),

      // The service parses the form with its own schema, so that the tab and the bot refuse the same input in the same words.
      [Verbs.requestSubmit]: async ({ actor }, data) => {
        const result = await requests.submit(actor, data);
        if (result.ok) return requestCard(result.value, { viewerId: actor.id, timeZone, banner: 'Submitted. We will tell you here as it moves on.', bannerTone: 'good' });
        return formOrNotice(requests, actor, result.error);
      },

      [Verbs.requestResubmit]: async ({ actor }, data) => {
        const ref = requestRef.safeParse(data);
        if (!ref.success) return missingRequest();
        const result = await requests.resubmit(actor, ref.data.requestId, data);
        if (result.ok) return requestCard(result.value, { viewerId: actor.id, timeZone, banner: 'Resubmitted. It starts again with the Computing/ICT subject leader.', bannerTone: 'good' });
        return formOrNotice(requests, actor, result.error);
      },

      [Verbs.requestEdit]: async ({ actor }, data) => {
        const ref = requestRef.safeParse(data);
        const found = ref.success ? await requests.view(viewerOf(actor), ref.data.requestId) : undefined;
        if (!found?.ok) return notice(found?.error.message ?? 'This card is missing its request.');
        const r = found.value;
        if (!may(r, viewerOf(actor), 'edit')) return requestCard(r, { viewerId: actor.id, timeZone });
        return editForm(requests, r);
      },

      [Verbs.requestWithdraw]: async ({ actor }, data) => {
        const ref = requestRef.safeParse(data);
        if (!ref.success) return missingRequest();
        const result = await requests.withdraw(actor, ref.data.requestId);
        return outcome(requests, timeZone, actor, ref.data.requestId, result, 'Withdrawn. No one will be asked to decide it now.');
      },

      [Verbs.requestView]: view,
      // Universal Actions' automatic refresh: each person listed in `refresh.userIds` gets their own view of the request.
      [Verbs.refresh]: view,
    },
  };
}
