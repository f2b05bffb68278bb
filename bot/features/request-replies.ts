import type { AdaptiveCard } from '../../src/cards/ac';
import { noticeCard } from '../../src/cards/notice.card';
import { requestFormCard } from '../../src/cards/request-form.card';
import { requestCard } from '../../src/cards/request.card';
import { lastDecision, type AccountRequest } from '../../src/domain/account-request';
import type { DomainError } from '../../src/domain/errors';
import type { Actor, StaffMember } from '../../src/domain/people';
import { detailsToFormValues } from '../../src/domain/request-form.schema';
import type { AccountRequestService, FormRejection } from '../../src/services/account-requests.service';
import { viewerOf } from '../../src/services/actors';

/** The cards that requests and approvals both answer with. */

export const notice = (message: string) => noticeCard('Countersign', message);

export const missingRequest = () => notice('This card is missing its request. Type "status" to find your requests.');

const isRejection = (e: FormRejection | DomainError): e is FormRejection => 'values' in e;

/** The returned request as its edit form, with the approver's comment and the person's input (or the stored details). */
export async function editForm(requests: AccountRequestService, r: AccountRequest, rejection?: FormRejection): Promise<AdaptiveCard> {
  const form = await requests.formContext();
  const last = lastDecision(r);
  return requestFormCard({
    ...form,
    values: rejection?.values ?? detailsToFormValues(r.details),
    errors: rejection?.fields,
    resubmit: { requestId: r.id, reference: r.reference, returnedBy: last?.actorName ?? '', comment: last?.comment ?? '' },
  });
}

/**
 * A refused form comes back as the same form, errors beside their fields and the input kept.
 * A refusal that names no field (e.g. the request is no longer returned) comes back as a notice: never silence.
 */
export async function formOrNotice(requests: AccountRequestService, actor: Actor & { staff?: StaffMember }, e: FormRejection | DomainError): Promise<AdaptiveCard> {
  if (!isRejection(e)) return notice(e.message);
  if (e.requestId) {
    const found = await requests.view(viewerOf(actor), e.requestId);
    if (found.ok) return editForm(requests, found.value, e);
  }
  const form = await requests.formContext();
  return requestFormCard({ ...form, values: e.values, errors: e.fields });
}

/** After a change: the new state for the actor, or why nothing changed (e.g. "already decided by …"). */
export async function outcome(
  requests: AccountRequestService,
  timeZone: string,
  actor: Actor & { staff?: StaffMember },
  requestId: string,
  result: { ok: true; value: AccountRequest } | { ok: false; error: DomainError },
  banner?: string,
): Promise<AdaptiveCard> {
  if (result.ok) return requestCard(result.value, { viewerId: actor.id, timeZone, banner, bannerTone: 'good' });
  const found = await requests.view(viewerOf(actor), requestId);
  const message = result.error.message;
  return found.ok ? requestCard(found.value, { viewerId: actor.id, timeZone, banner: message, bannerTone: 'attention' }) : notice(message);
}
