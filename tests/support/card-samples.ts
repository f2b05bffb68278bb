import { demoPeople, demoSchool, demoStaff } from '../../src/adapters/demo-school';
import { demoPolicy, demoPolicyVersions } from '../../src/adapters/demo-policy';
import type { AdaptiveCard } from '../../src/cards/ac';
import { accountApprovedCard } from '../../src/cards/account-approved.card';
import { campaignAlreadyOpenCard, campaignLaunchCard, campaignStatusCard } from '../../src/cards/campaign.card';
import { declarationCard } from '../../src/cards/declaration.card';
import { helpCard } from '../../src/cards/help.card';
import { noticeCard } from '../../src/cards/notice.card';
import { requestFormCard } from '../../src/cards/request-form.card';
import { requestCard } from '../../src/cards/request.card';
import { statusListCard } from '../../src/cards/status-list.card';
import type { AccountRequest, ApprovalStep } from '../../src/domain/account-request';
import { openRequest, transition, type RequestEvent } from '../../src/domain/approval.workflow';
import { campaignProgress, countRecipients, type Campaign } from '../../src/domain/campaign';
import type { Declaration } from '../../src/domain/declaration.workflow';
import type { Actor } from '../../src/domain/people';
import type { PolicyVersion } from '../../src/domain/policy';
import { parseRequestForm } from '../../src/domain/request-form.schema';
import type { RecipientState } from '../../src/domain/recipient.workflow';
import { validForm } from './forms';

/**
 * One of every card our builders make, in every state and for every kind of viewer, filled with
 * the demo school's people and policy. The render test draws each at phone width.
 */
const today = new Date().toISOString().slice(0, 10);
/** The school's zone, as config `timeZone` defaults to it. */
const timeZone = 'Europe/London';
/** A fixed day a few days after the sample requests moved, so the status list shows how long each has waited. */
const statusDay = '2026-11-27';
const T0 = '2026-11-23T09:00:00.000Z';
const T1 = '2026-11-23T13:40:00.000Z';
const T2 = '2026-11-24T08:15:00.000Z';

const actor = (s: { id: string; name: string }): Actor => ({ id: s.id, name: s.name });
const R = actor(demoPeople.requester);
const I = actor(demoPeople.ictLeader);
const H = actor(demoPeople.headTeacher);
const staffById = new Map(demoStaff.map((s) => [s.id, s]));

const parsed = parseRequestForm(validForm(), { today, staff: staffById });
if (!parsed.ok) throw new Error(`the sample form no longer parses: ${JSON.stringify(parsed.error)}`);

const steps: ApprovalStep[] = [
  { role: 'ictLeader', approverId: I.id, approverName: I.name, delegated: false },
  { role: 'headTeacher', approverId: H.id, approverName: H.name, delegated: false },
];
const P0 = openRequest({ id: 'r1', schoolId: demoSchool.id, reference: 'CS-0001', requester: R, details: parsed.value, steps, at: T0 });
function after(s: AccountRequest, e: RequestEvent, a: Actor): AccountRequest {
  const t = transition(s, e, a);
  if (!t.ok) throw new Error(`sample transition refused: ${t.error.code}`);
  return t.value.state;
}
const decide = (s: AccountRequest, a: Actor, type: 'approve' | 'reject' | 'return', comment = '', at = T1): RequestEvent => ({
  type,
  step: s.currentStep,
  round: s.round,
  signature: a.name,
  comment,
  at,
});
const P1 = after(P0, decide(P0, I, 'approve', 'Content plan looks sensible; keep faces out of photos.'), I);
const returned = after(P0, decide(P0, I, 'return', 'Please name a second moderator from outside Key Stage 2.'), I);
const approved = after(P1, decide(P1, H, 'approve', '', T2), H);
const rejected = after(P1, decide(P1, H, 'reject', 'We already run a Key Stage 2 account; post there instead.', T2), H);
const withdrawn = after(P0, { type: 'withdraw', at: T1 }, R);

function version(i: number): PolicyVersion {
  const v = demoPolicyVersions[i];
  return { id: v.id, schoolId: demoSchool.id, ...v.content, policyId: demoPolicy.id, publishedAt: T0, contentHash: 'a3f1c9e07b2d4e5f8a6b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f' };
}
const v2025 = version(0);
const v2026 = version(1);
const readLink = 'https://countersign.example/read/policy-ict-social-media-2026?s=sample';
const signed: Declaration = {
  id: 'd1',
  schoolId: demoSchool.id,
  signerId: R.id,
  signerName: R.name,
  typedName: 'ben carter',
  versionId: v2026.id,
  policyId: demoPolicy.id,
  versionLabel: v2026.versionLabel,
  contentHash: v2026.contentHash,
  campaignId: 'c1',
  signedAt: T1,
};

const admin = demoPeople.policyAdmin;
const campaign: Campaign = {
  id: 'c1',
  schoolId: demoSchool.id,
  policyId: demoPolicy.id,
  versionId: v2026.id,
  versionLabel: v2026.versionLabel,
  title: v2026.title,
  audience: { kind: 'roster' },
  deadline: '2099-12-18',
  reminderEveryDays: 7,
  launchedBy: admin.id,
  launchedByName: admin.name,
  launchedAt: T0,
  audienceStatus: 'ready',
};
/** Every demo person in a state that shows each line of the status card: signed, waiting, in doubt, not sent, unreachable. */
const stateOf = (i: number): RecipientState => (['signed', 'signed', 'sent', 'unconfirmed', 'signed', 'failed', 'sent', 'queued'] as const)[i % 8];
const recipients = demoStaff.map((s, i) => ({ state: stateOf(i), department: s.department }));
const openProgress = campaignProgress(campaign, countRecipients(recipients.map((r) => (r.state === 'queued' ? { ...r, state: 'sent' as const } : r))), today);
const sendingProgress = campaignProgress(campaign, countRecipients(recipients), today);
const closedCampaign: Campaign = { ...campaign, closed: { at: T2, by: admin.id, byName: admin.name } };
const closedProgress = campaignProgress(closedCampaign, countRecipients(recipients), today);

const account = {
  id: 'a1',
  schoolId: demoSchool.id,
  requestId: 'r1',
  reference: 'CS-0001',
  department: parsed.value.department,
  platform: parsed.value.platform,
  host: parsed.value.host,
  visibility: parsed.value.visibility,
  administrators: parsed.value.administrators,
  moderators: parsed.value.moderators,
  goLive: parsed.value.goLive,
  closure: parsed.value.closure,
  approvedAt: T2,
  ownerId: R.id,
  ownerName: R.name,
};

const formErrors = {
  aims: 'Aims is required.',
  administrators: 'Choose at least two people.',
  goLive: 'Go-live must be today or later.',
  closure: 'Closure must be after go-live.',
};

/** The card as it is after its "Show all answers" button is pressed: the toggled element made visible, as the client does. */
function showAllAnswers(c: AdaptiveCard): AdaptiveCard {
  let found = false;
  const open = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(open);
    if (!x || typeof x !== 'object') return x;
    const copy = Object.fromEntries(Object.entries(x).map(([k, v]) => [k, open(v)]));
    if (copy.id === 'all-answers') {
      found = true;
      copy.isVisible = true;
    }
    return copy;
  };
  const shown = open(c) as AdaptiveCard;
  if (!found) throw new Error('the request card no longer has an all-answers element to show');
  return shown;
}

export const cardSamples: Record<string, () => AdaptiveCard> = {
  'request-form': () => requestFormCard({ staff: demoStaff, today }),
  'request-form-errors': () => requestFormCard({ staff: demoStaff, today, values: validForm({ aims: '' }), errors: formErrors }),
  'request-form-resubmit': () =>
    requestFormCard({ staff: demoStaff, today, values: validForm(), resubmit: { requestId: returned.id, reference: returned.reference, returnedBy: I.name, comment: 'Please name a second moderator from outside Key Stage 2.' } }),
  'request-pending-approver': () => requestCard(P0, { viewerId: I.id, timeZone }),
  // The same card after "Show all answers": every answer in the form's sections.
  'request-pending-approver-all-answers': () => showAllAnswers(requestCard(P0, { viewerId: I.id, timeZone })),
  'request-pending-approver-errors': () =>
    requestCard(P0, { viewerId: I.id, timeZone, values: { signature: 'Mickey Mouse' }, errors: { signature: 'Type your own name as the school holds it: Gareth Lloyd.', comment: 'A comment is needed to return a request.' } }),
  'request-pending-requester-submitted': () => requestCard(P0, { viewerId: R.id, timeZone, banner: 'Submitted. We will tell you here as it moves on.', bannerTone: 'good' }),
  'request-pending-next-approver': () => requestCard(P0, { viewerId: H.id, timeZone }),
  'request-pending-stranger': () => requestCard(P0, { viewerId: 'someone-else', timeZone }),
  'request-step2-head-teacher': () => requestCard(P1, { viewerId: H.id, timeZone }),
  'request-step2-requester': () => requestCard(P1, { viewerId: R.id, timeZone }),
  'request-returned-requester': () => requestCard(returned, { viewerId: R.id, timeZone }),
  'request-approved-requester': () => requestCard(approved, { viewerId: R.id, timeZone }),
  'request-approved-decided-banner': () => requestCard(approved, { viewerId: I.id, timeZone, banner: 'Already decided by Priya Raman.', bannerTone: 'attention' }),
  'request-rejected-requester': () => requestCard(rejected, { viewerId: R.id, timeZone }),
  'request-withdrawn-approver': () => requestCard(withdrawn, { viewerId: I.id, timeZone }),
  // The head teacher between lessons: one declaration to sign and one request waiting for them.
  'status-list-waiting-for-you': () => statusListCard([], [P1], [v2026], { viewerId: H.id, timeZone, today: statusDay }),
  // The requester: one request further on, one returned to them with its reason.
  'status-list-requester': () => statusListCard([P1, returned], [], [], { viewerId: R.id, timeZone, today: statusDay }),
  'status-list-empty': () => statusListCard([], [], [], { viewerId: R.id, timeZone, today: statusDay }),
  'declaration-unsigned-not-opened': () => declarationCard({ version: v2026, campaignId: 'c1', deadline: campaign.deadline, readLink, opened: false, timeZone }),
  'declaration-unsigned-opened-errors': () =>
    declarationCard({ version: v2026, readLink, opened: true, timeZone, values: { typedName: 'Mickey Mouse' }, errors: { confirm: 'Tick “I have read and agree” to sign.', typedName: 'Type your own name: Ben Carter.' } }),
  'declaration-signed': () => declarationCard({ version: v2026, declaration: signed, readLink, opened: true, timeZone }),
  'declaration-superseded': () => declarationCard({ version: v2025, current: v2026, readLink, opened: false, timeZone }),
  'declaration-no-open-required': () => declarationCard({ version: v2025, readLink, opened: false, timeZone }),
  'campaign-launch': () => campaignLaunchCard({ versions: [v2026, v2025], today, defaultDeadline: '2026-12-18' }),
  'campaign-launch-errors': () =>
    campaignLaunchCard({ versions: [v2026], today, defaultDeadline: '2026-12-18', values: { deadline: '2020-01-01', reminderEveryDays: '0' }, errors: { deadline: 'The deadline must be today or later.', reminderEveryDays: 'Choose between 1 and 90 days.' } }),
  'campaign-status-sending': () => campaignStatusCard(campaign, sendingProgress, { timeZone }),
  'campaign-status-open': () => campaignStatusCard(campaign, openProgress, { banner: 'Reminders sent to 6 people who have not signed.', timeZone }),
  'campaign-status-closed-export': () =>
    campaignStatusCard(closedCampaign, closedProgress, {
      timeZone,
      exportLink: 'https://countersign.example/exports/campaign-2026-27.csv?s=sample',
      summary: [
        'Acceptable use of ICT and social media: staff declaration, version 2026-27: acknowledgement campaign launched 23 November 2026 by Hannah Whitfield, deadline 18 December 2099.',
        'Closed on 24 November 2026 by Hannah Whitfield.',
        '6 of 14 staff have signed (43%); 6 have not signed yet; 2 could not be reached.',
        'Signed: 6. Waiting: 3. Sent, delivery not confirmed: 2; the next reminder will reach them. Not sent yet: 1. Could not be reached: 2 (left the school: 1; Teams did not accept the card: 1).',
        'Key Stage 1: 0 of 2 signed.',
      ].join('\n'),
    }),
  'campaign-already-open': () => campaignAlreadyOpenCard(campaign, `A campaign for version ${campaign.versionLabel} is already open until 18 December 2099.`),
  'help-welcome': () => helpCard({ schoolName: demoSchool.name }),
  'help-unknown-text': () => helpCard({ schoolName: demoSchool.name, unknownText: true }),
  'help-policy-admin': () => helpCard({ schoolName: demoSchool.name, policyAdmin: true }),
  notice: () => noticeCard('Request withdrawn', 'CS-0001 has been withdrawn. Gareth Lloyd and Priya Raman have been told.'),
  'notice-detail': () => noticeCard('Not sent', 'That did not work, and nothing was changed.', 'Try again in a minute; if it keeps happening, tell the ICT leader. Request id 7f3a9c.'),
  'account-approved': () => accountApprovedCard(account as Parameters<typeof accountApprovedCard>[0], approved, I.name),
};
