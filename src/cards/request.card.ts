import {
  audienceOptions,
  currentApprover,
  lastDecision,
  stepRoleLabels,
  visibilityOptions,
  type AccountRequest,
  type AudienceGroup,
  type Decision,
  type RequestDetails,
} from '../domain/account-request';
import { formatDay, formatMoment } from '../domain/display-dates';
import { requestFieldLabels as L } from '../domain/request-form.schema';
import { requestPermissions } from '../domain/request-permissions';
import {
  actionSet,
  card,
  container,
  execute,
  fieldError,
  heading,
  input,
  labelled,
  note,
  plain,
  refresh,
  toggle,
  type Action,
  type AdaptiveCard,
  type Element,
} from './ac';
import { Verbs } from './verbs';

export interface RequestCardOptions {
  /** Who will see this rendering; decides which buttons appear. Checked again on the server when clicked. */
  viewerId: string;
  /** The school's time zone (config `timeZone`, SCHOOL_TIMEZONE): every moment on the card is shown in it. */
  timeZone: string;
  /** Shown above the approver's inputs when a decision was refused (e.g. a missing signature). */
  errors?: { signature?: string; comment?: string; message?: string };
  values?: { signature?: string; comment?: string };
  /** A one-off line at the top, e.g. "Submitted." or "Already decided by …". */
  banner?: string;
  /**
   * What the banner says happened: `good` for a success ("✓ Submitted…"), `attention` for a refusal
   * ("Nothing changed: …"). The words carry it, in the Default colour: Teams' green and red text fall
   * below 4.5:1 contrast on one of its themes, and a success must never look like an error.
   */
  bannerTone?: 'good' | 'attention';
}

const groupLabel = (g: AudienceGroup) => audienceOptions.find((a) => a.value === g)?.label ?? g;
const visibilityLabel = (d: RequestDetails) => visibilityOptions.find((x) => x.value === d.visibility)?.label ?? d.visibility;
const outcomeWords: Record<Decision['outcome'], string> = { approved: 'Approved', rejected: 'Rejected', returned: 'Returned for changes' };
/** Children are involved when pupils of this school or of other schools are ticked (the same rule as the form's consent check). */
const children: AudienceGroup[] = ['pupils', 'otherSchools'];

/** "Approved by Gareth Lloyd at 18 December 2026, 14:05." */
export const decisionLine = (d: Decision, timeZone: string): string => `${outcomeWords[d.outcome]} by ${d.actorName} at ${formatMoment(d.at, timeZone)}.`;

export interface StatusLineOptions {
  timeZone: string;
  /** When given, the line speaks to this person ("Waiting for you"). */
  viewerId?: string;
}

/** One sentence for where the request is, in words a person uses. The reason for a return or rejection is not in it: see `decisionReason`. */
export function statusLine(r: AccountRequest, o: StatusLineOptions): string {
  const last = lastDecision(r);
  const at = (iso: string) => formatMoment(iso, o.timeZone);
  switch (r.status) {
    case 'pending': {
      const step = currentApprover(r)!;
      const who = step.approverId === o.viewerId ? 'you' : step.approverName;
      return `Waiting for ${who} (${stepRoleLabels[step.role]}${step.delegated ? ', as deputy' : ''}), step ${r.currentStep + 1} of ${r.steps.length}.`;
    }
    case 'approved':
      return `Approved by ${last!.actorName} at ${at(last!.at)}.`;
    case 'rejected':
      return `Rejected by ${last!.actorName} at ${at(last!.at)}.`;
    case 'returned':
      return `Returned for changes by ${last!.actorName} at ${at(last!.at)}.${r.requesterId === o.viewerId ? ' It is waiting for you to edit and resubmit it.' : ''}`;
    case 'withdrawn':
      return `Withdrawn by ${r.requesterName} at ${at(r.updatedAt)}.`;
  }
}

/** The approver's reason when the request was returned or rejected: shown once, near the top, and in `status`. */
export function decisionReason(r: AccountRequest): string | undefined {
  const last = lastDecision(r);
  return (r.status === 'returned' || r.status === 'rejected') && last?.comment ? last.comment : undefined;
}

/** Whether pupils read the account, contribute to it, both or neither: the first thing a head teacher asks. */
function pupilsLine(d: RequestDetails): string {
  const reads = d.audience.some((g) => children.includes(g));
  const posts = d.contributors.some((g) => children.includes(g));
  if (reads && posts) return 'In the audience and contributing';
  if (posts) return 'Contributing, not in the audience';
  if (reads) return 'In the audience, not contributing';
  return 'Not involved';
}

/** Answers shorter than this are flagged as "brief" in the checks: a sentence or two is what the form asks for. */
const BRIEF_ANSWER = 40;

/**
 * Comments earlier approvers left in this round while the request waits for the next one: what the
 * head teacher reads before deciding ("keep faces out of photos"), so it sits with the checks, not
 * only in the trail at the foot of the card.
 */
function earlierComments(r: AccountRequest): { step: number; element: Element }[] {
  if (r.status !== 'pending') return [];
  return r.steps.flatMap((s, i) =>
    i < r.currentStep && s.decision?.comment ? [{ step: i, element: labelled(`${s.approverName} (${stepRoleLabels[s.role]}) approved and commented`, s.decision.comment) }] : [],
  );
}

/**
 * The points that need an approver's attention, each with the answer it refers
 * to so that it can be judged without opening every answer.
 */
function checks(r: AccountRequest): Element[] {
  const d = r.details;
  const out: Element[] = earlierComments(r).map((c) => c.element);
  if (d.contributors.some((g) => children.includes(g))) out.push(labelled('Pupils contribute. How parents consent', d.parentalConsent));
  if (d.visibility === 'open' && [...d.audience, ...d.contributors].some((g) => children.includes(g)))
    out.push(plain('The account is open to anyone and pupils are involved.'));
  if (d.contributors.some((g) => g === 'public' || g === 'externalOrgs' || g === 'others'))
    out.push(labelled('People outside the school contribute. Vetted by', `${d.vetterName} (${d.vetterRole})`));
  if (!d.closure) out.push(plain('No closure date: the account stays open until someone closes it.'));
  const brief = (['aims', 'content', 'security'] as const).filter((k) => d[k].trim().length < BRIEF_ANSWER).map((k) => L[k]);
  if (brief.length) out.push(plain(`Brief answer${brief.length > 1 ? 's' : ''}: ${brief.join(', ')}. You may want more detail.`));
  return out;
}

/** The short summary every reader sees first: what account, for whom, how open, pupils, dates. */
function summary(r: AccountRequest): Element[] {
  const d = r.details;
  return [
    labelled('Account', `${d.platform}, hosted by ${d.host}`),
    labelled('For', `${d.department}, asked by ${r.requesterName}`),
    labelled('Open or private', visibilityLabel(d)),
    labelled('Pupils', pupilsLine(d)),
    labelled('Go live', formatDay(d.goLive)),
    labelled('Closure', d.closure ? formatDay(d.closure) : 'No planned closure'),
  ];
}

/** One section of the approval form's answers, as the card and the tab show them. */
export interface AnswerSection {
  title: string;
  items: Array<{ label: string; value: string }>;
}

/** Every answer, in the sections of the school's approval form, with the card's labels: one definition for the card and the tab. */
export function requestAnswers(r: AccountRequest): AnswerSection[] {
  const d = r.details;
  const groups = (list: AudienceGroup[], extra: string) => list.map(groupLabel).join(', ') + (extra ? ` (${extra})` : '');
  const moderatorNames = d.moderators.map((p) => p.name).join(', ');
  const item = (label: string, value: string) => ({ label, value });
  return [
    {
      title: 'Team',
      items: [
        item(L.department, d.department),
        // Requests made before the form stopped asking for it separately may name someone else here.
        ...(d.siteModerator && d.siteModerator !== moderatorNames ? [item(L.siteModerator, d.siteModerator)] : []),
      ],
    },
    { title: 'Purpose', items: [item(L.aims, d.aims), item(L.content, d.content)] },
    { title: 'Audience and contributors', items: [item(L.audience, groups(d.audience, d.audienceDetails)), item(L.contributors, groups(d.contributors, d.contributorsDetails))] },
    {
      title: 'Running the account',
      items: [
        item(L.administrators, d.administrators.map((p) => p.name).join(', ')),
        item(L.moderators, moderatorNames),
        item('Vets external contributors', `${d.vetterName}, ${d.vetterRole}`),
        item(L.platform, d.platform),
        item(L.host, d.host),
        item(L.visibility, visibilityLabel(d)),
      ],
    },
    { title: 'Dates', items: [item(L.goLive, formatDay(d.goLive)), item(L.closure, d.closure ? formatDay(d.closure) : 'No planned closure')] },
    {
      title: 'Contributors and safety',
      items: [item(L.advertising, d.advertising), item(L.parentalConsent, d.parentalConsent || 'Not applicable'), item(L.security, d.security)],
    },
    { title: 'Business case', items: [item(L.promotion, d.promotion), item(L.successMeasures, d.successMeasures)] },
  ];
}

function answers(r: AccountRequest): Element[] {
  return requestAnswers(r).map((sec) =>
    container([note(`${sec.title}`, { weight: 'Bolder' }), ...sec.items.map((i) => labelled(i.label, i.value))], { spacing: 'Medium' }),
  );
}

function stepsTrail(r: AccountRequest, timeZone: string): Element[] {
  // The reason of the decision that stopped the request, and earlier approvers' comments on a pending
  // one, are already shown near the top: once is enough.
  let reasonStep = -1;
  if (decisionReason(r)) r.steps.forEach((s, i) => s.decision && (reasonStep = i));
  const shownAbove = new Set([reasonStep, ...earlierComments(r).map((c) => c.step)]);
  return r.steps.map((s, i) => {
    const who = `${i + 1}. ${stepRoleLabels[s.role]}${s.delegated ? ' (deputy)' : ''}: ${s.approverName}`;
    if (!s.decision) {
      // A step the request never reached says so in words; a closed request will not reach it.
      const open = r.status === 'pending' || r.status === 'returned';
      const where = r.status === 'pending' && i === r.currentStep ? 'waiting for their decision' : open ? 'not yet' : 'not reached';
      return plain(`${who}, ${where}.`);
    }
    const d = s.decision;
    const comment = d.comment && !shownAbove.has(i) ? ` Comment: ${d.comment}` : '';
    return plain(`${who}. ${decisionLine(d, timeZone)} Signed “${d.signature}”.${comment}`);
  });
}

/** The element id the "Show all answers" button shows and hides; one per card. */
const ANSWERS_ID = 'all-answers';

/**
 * The account request, as one card for everyone involved. It leads with a
 * short summary and the checks that need attention; every answer sits behind
 * "Show all answers", so that on a phone the decision is a short scroll away.
 * The current approver sees the signature box and the three decisions; the
 * requester sees withdraw (and edit when returned); anyone else sees status
 * only. Teams refreshes it for the requester and the pending approver
 * (Universal Actions "up-to-date cards").
 */
export function requestCard(r: AccountRequest, o: RequestCardOptions): AdaptiveCard {
  const step = currentApprover(r);
  // Which buttons appear is the domain's rule, the same one the server applies when they are pressed.
  const allowed = requestPermissions(r, { id: o.viewerId });
  const isApprover = allowed.decide.allowed;
  const ids = { requestId: r.id, step: r.currentStep, round: r.round };
  const reason = decisionReason(r);
  const bannerLead = o.bannerTone === 'good' ? '✓ ' : o.bannerTone === 'attention' ? 'Nothing changed: ' : '';
  const checkList = checks(r);

  const body: Element[] = [
    heading(isApprover ? 'Approval needed' : 'Social media account request', 'Large'),
    // The reference starts a full-width line of its own, so it never has to wrap ("CS-" / "0001"): no
    // invisible joiner is needed, and the number copies and searches as it is typed.
    plain(`${r.reference}: ${r.details.platform} account for ${r.details.department}`, { weight: 'Bolder', spacing: 'None' }),
    ...(o.banner ? [plain(`${bannerLead}${o.banner}`, { weight: 'Bolder' })] : []),
    plain(statusLine(r, { timeZone: o.timeZone, viewerId: o.viewerId }), { weight: 'Bolder' }),
    ...(reason ? [labelled('Reason', reason)] : []),
    container(summary(r), { spacing: 'Medium', separator: true }),
    // Only the approver decides; everyone else sees the same points as what the approvers look at.
    ...(checkList.length ? [container([note(isApprover ? 'Check before you decide' : 'What the approvers look at', { weight: 'Bolder' }), ...checkList], { spacing: 'Medium' })] : []),
    actionSet([toggle('Show all answers', ANSWERS_ID)]),
    container(answers(r), { id: ANSWERS_ID, isVisible: false, spacing: 'Medium' }),
  ];

  const actions: Action[] = [];
  if (isApprover) {
    const e = o.errors ?? {};
    // The decision sits right after the summary, with its own buttons, so it is reachable without scrolling past every answer.
    body.push(
      container(
        [
          note(`Your decision as ${stepRoleLabels[step!.role]}${step!.delegated ? ' (deputy)' : ''}`, { weight: 'Bolder' }),
          note("Approving confirms that you are content with what this account is for, what it will post, and its use of the school's name and logo."),
          ...(e.message ? [fieldError(e.message)] : []),
          input.text('signature', 'Type your full name to sign', { value: o.values?.signature, maxLength: 200 }),
          ...(e.signature ? [fieldError(e.signature)] : []),
          input.text('comment', 'Comment (needed to reject or return)', { value: o.values?.comment, multiline: true, maxLength: 2000 }),
          ...(e.comment ? [fieldError(e.comment)] : []),
          // Two rows: the three titles side by side are cut ("Approv…") on a 330 px phone card. Same verbs
          // and data as before, so cards already sent keep working.
          actionSet([execute('Approve', Verbs.approve, ids, { style: 'positive' })]),
          actionSet([execute('Return for changes', Verbs.return, ids), execute('Reject', Verbs.reject, ids, { style: 'destructive' })]),
        ],
        { spacing: 'Large', separator: true },
      ),
    );
  } else {
    if (allowed.edit.allowed) actions.push(execute('Edit and resubmit', Verbs.requestEdit, { requestId: r.id }, { style: 'positive' }));
    if (allowed.withdraw.allowed) actions.push(execute('Withdraw request', Verbs.requestWithdraw, { requestId: r.id }, { style: 'destructive' }));
  }
  body.push(container([note('Approvals', { weight: 'Bolder' }), ...stepsTrail(r, o.timeZone)], { spacing: 'Medium', separator: true }));
  // On its own row: three buttons in one row do not fit a 330 px phone card.
  if (!isApprover) body.push(actionSet([execute('My requests', Verbs.statusShow)]));

  // Keep the card current for the people who act on it; once they have acted they drop out.
  const watchers = [r.requesterId, ...(step ? [step.approverId] : [])];
  const live = r.status === 'pending' || r.status === 'returned';
  return card(body, actions, live ? { refresh: refresh({ requestId: r.id }, watchers) } : {});
}
