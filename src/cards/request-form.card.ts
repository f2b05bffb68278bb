import { audienceOptions, visibilityOptions } from '../domain/account-request';
import type { StaffMember } from '../domain/people';
import {
  AT_LEAST_TWO,
  CLOSURE_RULE,
  GO_LIVE_RULE,
  LONG_TEXT_MAX,
  requestFieldLabels as L,
  SHORT_TEXT_MAX,
  type FieldErrors,
  type RequestField,
  type RequestFormValues,
} from '../domain/request-form.schema';
import { card, container, execute, fieldError, heading, input, note, plain, type AdaptiveCard, type Element } from './ac';
import { Verbs } from './verbs';

export interface RequestFormOptions {
  staff: StaffMember[];
  today: string;
  values?: RequestFormValues;
  errors?: FieldErrors;
  /** Set when editing a returned request: the form then resubmits it. */
  resubmit?: { requestId: string; reference: string; returnedBy: string; comment: string };
}

/** The day after `isoDate`: the earliest closure the client lets a person pick (closure must fall after go-live, which is today or later). */
const nextDay = (isoDate: string) => new Date(Date.parse(`${isoDate}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/**
 * The new-account request form: every field of the school's approval form,
 * plus the business-case points (promotion, how success is judged).
 * The same card comes back with errors beside their fields and the input kept.
 */
export function requestFormCard(o: RequestFormOptions): AdaptiveCard {
  const v = o.values ?? {};
  const e = o.errors ?? {};
  const staffChoices = o.staff.map((s) => ({ title: `${s.name} (${s.jobTitle})`, value: s.id }));
  const groups = audienceOptions.map((a) => ({ title: a.label, value: a.value }));

  /** An input followed by its error, if any. */
  const field = (id: RequestField, element: Element): Element[] => [element, ...(e[id] ? [fieldError(e[id]!)] : [])];
  // The client's own messages say the same rule as the server's (request-form.schema.ts), so a refusal reads the same wherever it happens.
  const short = (id: RequestField, placeholder?: string, required = true) =>
    field(id, input.text(id, L[id], { value: v[id], placeholder, maxLength: SHORT_TEXT_MAX, required }));
  const long = (id: RequestField, placeholder?: string, required = true) =>
    field(id, input.text(id, L[id], { value: v[id], placeholder, multiline: true, maxLength: LONG_TEXT_MAX, required }));
  /** Two or more named staff: the client checks only that someone is chosen, and says the whole rule; the server counts. */
  const people = (id: 'administrators' | 'moderators', placeholder: string) =>
    field(id, input.choices(id, `${L[id]} (at least two): ${id === 'administrators' ? 'they set up and run the account' : 'they check posts and comments'}`, staffChoices, { value: v[id], multi: true, required: true, placeholder, errorMessage: `${L[id]}: ${AT_LEAST_TWO}.` }));
  const section = (title: string, items: Element[]) => container([heading(title, 'Medium'), ...items], { spacing: 'Large', separator: true });

  const errorCount = Object.keys(e).length;
  const body: Element[] = [
    heading(o.resubmit ? `Edit and resubmit ${o.resubmit.reference}` : 'Request a school social media account', 'Large'),
    note('Your request goes to the Computing/ICT subject leader, then to the head teacher. Each signs on their card. You can follow it with **status**.'),
    ...(o.resubmit
      ? [plain(`Returned by ${o.resubmit.returnedBy}: ${o.resubmit.comment}`, { spacing: 'Small' })]
      : []),
    ...(errorCount
      ? [
          // Default colour: Teams' Attention red on its dark theme is 3.2:1, below the 4.5:1 text needs.
          note(`Please check the ${errorCount === 1 ? 'field' : `${errorCount} fields`} marked “Please fix” below. Everything you typed has been kept.`, {
            weight: 'Bolder',
          }),
        ]
      : []),
    // The school's form asks for "moderator of site" and for "moderators": one question here (Moderators, below);
    // the stored siteModerator is derived from it on the server.
    section('Team', [...short('department', 'e.g. Key Stage 2')]),
    section('Purpose', [
      ...long('aims', 'What do you want to achieve with this account?'),
      ...long('content', 'What will you post?'),
    ]),
    section('Audience and contributors', [
      ...field('audience', input.choices('audience', L.audience, groups, { value: v.audience, multi: true, expanded: true, required: true, errorMessage: `${L.audience}: choose at least one.` })),
      ...long('audienceDetails', 'Ages of pupils, schools involved, or who “others” are', false),
      ...field('contributors', input.choices('contributors', L.contributors, groups, { value: v.contributors, multi: true, expanded: true, required: true, errorMessage: `${L.contributors}: choose at least one.` })),
      ...long('contributorsDetails', 'Ages of pupils, schools involved, or who “others” are', false),
    ]),
    section('Running the account', [
      ...people('administrators', 'Choose staff'),
      ...people('moderators', 'Choose staff'),
      ...short('vetterName', 'Name'),
      ...short('vetterRole', 'Job role'),
      ...short('platform', 'e.g. Instagram, Facebook, X, YouTube'),
      ...short('host', 'e.g. Meta, Google'),
      ...field('visibility', input.choices('visibility', L.visibility, visibilityOptions.map((x) => ({ title: x.label, value: x.value })), { value: v.visibility, expanded: true, required: true, errorMessage: `${L.visibility}: choose one.` })),
    ]),
    section('Dates', [
      ...field('goLive', input.date('goLive', L.goLive, { value: v.goLive, min: o.today, required: true, errorMessage: `Choose a go-live date. ${GO_LIVE_RULE}` })),
      ...field('closure', input.date('closure', `${L.closure} (optional, after go-live)`, { value: v.closure, min: nextDay(o.today), errorMessage: CLOSURE_RULE })),
    ]),
    section('Contributors and safety', [
      ...long('advertising', 'How will you find and invite contributors?'),
      ...long('parentalConsent', 'Needed when children contribute', false),
      ...long('security', 'How will you keep unsuitable people from posting or following?'),
    ]),
    section('Business case', [
      ...long('promotion', 'Newsletter, website, assemblies…'),
      ...long('successMeasures', 'What will tell you it is working, and when will you review it?'),
    ]),
  ];
  if (errorCount) {
    // Repeated beside Submit: the new card opens where the old one was pressed, at its foot, and a
    // phone shows only that much of it. Names the fields, so the person knows where to scroll.
    const names = (Object.keys(e) as RequestField[]).map((k) => L[k] ?? k);
    body.push(plain(`Not sent yet. Please fix: ${names.join(', ')} (marked above). Everything you typed is kept.`, { weight: 'Bolder', spacing: 'Large', separator: true }));
  }
  const action = o.resubmit
    ? execute('Resubmit for approval', Verbs.requestResubmit, { requestId: o.resubmit.requestId }, { style: 'positive' })
    : execute('Submit for approval', Verbs.requestSubmit, {}, { style: 'positive' });
  return card(body, [action]);
}
