import {
  audienceOptions,
  currentApprover,
  lastDecision,
  stepRoleLabels,
  visibilityOptions,
  type AccountRequest,
  type AudienceGroup,
  type Decision,
} from '../domain/account-request';
import { requestFieldLabels as L } from '../domain/request-form.schema';
import { requestPermissions } from '../domain/request-permissions';
import {
  actionSet,
  card,
  container,
  day,
  execute,
  fieldError,
  heading,
  input,
  labelled,
  note,
  plain,
  refresh,
  when,
  type Action,
  type AdaptiveCard,
  type Element,
} from './ac';
import { Verbs } from './verbs';

export interface RequestCardOptions {
  /** Who will see this rendering; decides which buttons appear. Checked again on the server when clicked. */
  viewerId: string;
  /** Shown above the approver's inputs when a decision was refused (e.g. a missing signature). */
  errors?: { signature?: string; comment?: string; message?: string };
  values?: { signature?: string; comment?: string };
  /** A one-off line at the top, e.g. "Already decided by …". */
  banner?: string;
}

const groupLabel = (g: AudienceGroup) => audienceOptions.find((a) => a.value === g)?.label ?? g;
const outcomeWords: Record<Decision['outcome'], string> = { approved: 'Approved', rejected: 'Rejected', returned: 'Returned for changes' };

/** "Approved by Gareth Lloyd at Mon 23 Nov 2026, 10:04 GMT." */
export const decisionLine = (d: Decision): string => `${outcomeWords[d.outcome]} by ${d.actorName} at ${when(d.at)}.`;

/** One sentence for where the request is, in words a person uses. */
export function statusLine(r: AccountRequest): string {
  const last = lastDecision(r);
  switch (r.status) {
    case 'pending': {
      const step = currentApprover(r)!;
      return `Waiting for ${step.approverName} (${stepRoleLabels[step.role]}${step.delegated ? ', as deputy' : ''}), step ${r.currentStep + 1} of ${r.steps.length}.`;
    }
    case 'approved':
      return `Approved by ${last!.actorName} at ${when(last!.at)}.`;
    case 'rejected':
      return `Rejected by ${last!.actorName} at ${when(last!.at)}.`;
    case 'returned':
      return `Returned for changes by ${last!.actorName} at ${when(last!.at)}.`;
    case 'withdrawn':
      return `Withdrawn by ${r.requesterName} at ${when(r.updatedAt)}.`;
  }
}

function details(r: AccountRequest): Element[] {
  const d = r.details;
  const groups = (list: AudienceGroup[], extra: string) => list.map(groupLabel).join(', ') + (extra ? ` (${extra})` : '');
  return [
    labelled(L.department, d.department),
    labelled(L.siteModerator, d.siteModerator),
    labelled(L.aims, d.aims),
    labelled(L.content, d.content),
    labelled(L.audience, groups(d.audience, d.audienceDetails)),
    labelled(L.contributors, groups(d.contributors, d.contributorsDetails)),
    labelled(L.administrators, d.administrators.map((p) => p.name).join(', ')),
    labelled(L.moderators, d.moderators.map((p) => p.name).join(', ')),
    labelled('Vets external contributors', `${d.vetterName}, ${d.vetterRole}`),
    labelled(L.platform, d.platform),
    labelled(L.host, d.host),
    labelled(L.visibility, visibilityOptions.find((x) => x.value === d.visibility)?.label ?? d.visibility),
    labelled(L.goLive, day(d.goLive)),
    labelled(L.closure, d.closure ? day(d.closure) : 'No planned closure'),
    labelled(L.advertising, d.advertising),
    labelled(L.parentalConsent, d.parentalConsent || 'Not applicable'),
    labelled(L.security, d.security),
    labelled(L.promotion, d.promotion),
    labelled(L.successMeasures, d.successMeasures),
  ];
}

function stepsTrail(r: AccountRequest): Element[] {
  return r.steps.map((s, i) => {
    const who = `${i + 1}. ${stepRoleLabels[s.role]}${s.delegated ? ' (deputy)' : ''}`;
    if (!s.decision) {
      const waiting = r.status === 'pending' && i === r.currentStep ? 'waiting' : r.status === 'pending' ? 'not yet' : '—';
      return plain(`${who}: ${s.approverName}, ${waiting}`);
    }
    const d = s.decision;
    return container([
      plain(`${who}. ${decisionLine(d)}`),
      plain(`Signed: ${d.signature}${d.comment ? `. Comment: ${d.comment}` : ''}`, { isSubtle: true, spacing: 'None' }),
    ]);
  });
}

/**
 * The account request, as one card for everyone involved. The current approver
 * sees the signature box and the three decisions; the requester sees withdraw
 * (and edit when returned); anyone else sees status only. Teams refreshes it
 * for the requester and the pending approver (Universal Actions "up-to-date cards").
 */
export function requestCard(r: AccountRequest, o: RequestCardOptions): AdaptiveCard {
  const step = currentApprover(r);
  // Which buttons appear is the domain's rule, the same one the server applies when they are pressed.
  const allowed = requestPermissions(r, { id: o.viewerId });
  const isApprover = allowed.decide.allowed;
  const ids = { requestId: r.id, step: r.currentStep, round: r.round };

  const body: Element[] = [
    heading(isApprover ? `Approval needed: ${r.reference}` : `Social media account request ${r.reference}`, 'Large'),
    ...(o.banner ? [plain(o.banner, { color: 'Attention', weight: 'Bolder' })] : []),
    plain(`${r.requesterName} asks for ${/^[aeiou]/i.test(r.details.platform) ? 'an' : 'a'} ${r.details.platform} account for ${r.details.department}.`),
    plain(statusLine(r), { weight: 'Bolder', color: r.status === 'approved' ? 'Good' : r.status === 'rejected' ? 'Attention' : 'Default' }),
    container(details(r), { spacing: 'Medium', separator: true }),
    container([note('**Approvals**'), ...stepsTrail(r)], { spacing: 'Medium', separator: true }),
  ];

  const actions: Action[] = [];
  if (isApprover) {
    const e = o.errors ?? {};
    body.push(
      container(
        [
          note(
            `You are deciding as ${stepRoleLabels[step!.role]}${step!.delegated ? ' (deputy)' : ''}. Approving confirms that you are content with what this account is for, what it will post, and its use of the school's name and logo.`,
          ),
          ...(e.message ? [fieldError(e.message)] : []),
          input.text('signature', 'Type your full name to sign', { value: o.values?.signature, maxLength: 200 }),
          ...(e.signature ? [fieldError(e.signature)] : []),
          input.text('comment', 'Comment (required to reject or return)', { value: o.values?.comment, multiline: true, maxLength: 2000 }),
          ...(e.comment ? [fieldError(e.comment)] : []),
        ],
        { spacing: 'Large', separator: true },
      ),
    );
    actions.push(
      execute('Approve', Verbs.approve, ids, { style: 'positive' }),
      execute('Return for changes', Verbs.return, ids),
      execute('Reject', Verbs.reject, ids, { style: 'destructive' }),
    );
  } else {
    if (allowed.edit.allowed) actions.push(execute('Edit and resubmit', Verbs.requestEdit, { requestId: r.id }, { style: 'positive' }));
    if (allowed.withdraw.allowed) actions.push(execute('Withdraw request', Verbs.requestWithdraw, { requestId: r.id }, { style: 'destructive' }));
  }
  if (!isApprover) body.push(actionSet([execute('My requests', Verbs.statusShow)]));

  // Keep the card current for the people who act on it; once they have acted they drop out.
  const watchers = [r.requesterId, ...(step ? [step.approverId] : [])];
  const live = r.status === 'pending' || r.status === 'returned';
  return card(body, actions, live ? { refresh: refresh({ requestId: r.id }, watchers) } : {});
}
